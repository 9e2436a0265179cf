"""Bare PTB echo bot, PTB's default transport (httpx), ``concurrent_updates=True``."""

from __future__ import annotations

from bench.peers._ptb import run_echo, stand_in_builder

if __name__ == "__main__":
    run_echo(stand_in_builder().concurrent_updates(True))
