"""The programs under test, each run in its own subprocess: ``python -m bench.peers.<name> <root-url>``.

A peer prints ``READY`` on stdout once it polls, and stops cleanly on SIGTERM.
"""
