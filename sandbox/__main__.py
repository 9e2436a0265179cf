"""Run the sandbox standalone: ``python -m sandbox --port 8081 --token 123456:TEST``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from sandbox.sandbox import DEFAULT_TOKEN, Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", action="append", help="valid bot token (repeatable)")
    parser.add_argument("--rate-limits", action="store_true", help="enforce Telegram-like flood limits")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per call")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    async with Sandbox(args.token or [DEFAULT_TOKEN], host=args.host, port=args.port) as sandbox:
        sandbox.set_rate_limits(args.rate_limits)
        sandbox.set_latency(args.latency_ms / 1000.0)
        print(f"Bot API sandbox: base_url={sandbox.base_url} base_file_url={sandbox.base_file_url}", flush=True)
        print(f"control: {sandbox.url}/control/state", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
