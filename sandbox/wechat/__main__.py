"""Run the WeChat sandbox standalone: ``python -m sandbox.wechat --port 8082 --callback http://127.0.0.1:8444/wechat``.

It prints the ``[wechat]`` settings that point the bot at it; ``/control/push`` plays a follower
(``{"openid": "o1", "kind": "text", "text": "I smell gas"}``), ``/control/shown?openid=o1`` says what they saw.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from sandbox.wechat.sandbox import WechatSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox.wechat", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--callback", required=True, help="the bot's wechat.callback_url")
    parser.add_argument("--mode", choices=("safe", "compatible", "plain"), default="safe")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    async with WechatSandbox(host=args.host, port=args.port, mode=args.mode) as sandbox:
        section = sandbox.wechat_settings(args.callback)
        print(f"WeChat sandbox: {sandbox.base_url}; the bot's [wechat] section:", flush=True)
        for key, value in section.items():
            print(f"  {key} = {value!r}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
