"""``python -m bot``: the ``hotline`` command, for when the console script is not on PATH."""

import sys

from bot.cli.main import main

sys.exit(main())
