"""The ``hotline`` command and its subcommands, the demo included."""
