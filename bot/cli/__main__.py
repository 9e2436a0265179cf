"""``python -m bot.cli``: the ``hotline`` command (as ``python -m bot``)."""

import sys

from bot.cli.main import main

sys.exit(main())
