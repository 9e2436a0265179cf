"""The aiohttp transport through a proxy: ``[telegram] proxy_url`` or the environment (HTTPS_PROXY, ALL_PROXY,
NO_PROXY), HTTP proxies (absolute-form and ``CONNECT``) and SOCKS5, each a small proxy on loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from telegram import Bot

from bot.cli.demo import DEMO_TOKEN
from handlers.transport import AiohttpRequest, proxy_for, shown_proxy
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, toml_dump
from tests.kit.proxies import basic, http_proxy, self_signed, socks5_proxy, tls_front

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


async def get_me_through(sandbox: Sandbox, proxy_url: str) -> str:
    request = AiohttpRequest(connection_pool_size=2, proxy_url=proxy_url)
    async with Bot(DEMO_TOKEN, base_url=sandbox.base_url, request=request, get_updates_request=request) as bot:
        me = await bot.get_me()
    return me.username


def test_proxy_for_reads_the_setting_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://api.telegram.org/bot"
    assert proxy_for(url) is None
    monkeypatch.setenv("ALL_PROXY", "socks5://10.0.0.1:1080")
    assert proxy_for(url) == "socks5://10.0.0.1:1080"
    monkeypatch.setenv("HTTPS_PROXY", "http://10.0.0.2:3128")
    assert proxy_for(url) == "http://10.0.0.2:3128", "the scheme's own variable comes before ALL_PROXY"
    assert proxy_for(url, "http://configured:8080") == "http://configured:8080"
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert proxy_for(url) is None
    assert shown_proxy("http://user:pa55@10.0.0.2:3128") == "http://10.0.0.2:3128"


async def test_http_proxy_with_credentials(sandbox: Sandbox) -> None:
    proxy = await http_proxy()
    try:
        assert await get_me_through(sandbox, f"http://hotline:s%40cret@127.0.0.1:{proxy.port}")
    finally:
        await proxy.close()
    assert proxy.seen and all(s.startswith(f"POST {sandbox.base_url}") for s in proxy.seen), proxy.seen
    assert proxy.auth[0] == basic("hotline", "s@cret")


async def test_socks5_proxy(sandbox: Sandbox) -> None:
    proxy = await socks5_proxy("hotline", "pw")
    try:
        assert await get_me_through(sandbox, f"socks5://hotline:pw@127.0.0.1:{proxy.port}")
    finally:
        await proxy.close()
    assert proxy.seen == [f"SOCKS5 127.0.0.1:{sandbox.port}"] and proxy.auth == ["hotline:pw"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command (Debian: openssl)")
@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
async def test_the_bot_polls_through_https_proxy_connect(sandbox: Sandbox, tmp_path: Path) -> None:
    """The whole bot as a process, HTTPS_PROXY in its environment, https to the Bot API: a CONNECT tunnel."""
    cert, key = self_signed(tmp_path)
    front = await tls_front(sandbox.port, cert, key)
    proxy = await http_proxy()
    config = tmp_path / "config.toml"
    data = bot_config(sandbox, tmp_path / "proxied.sqlite3")
    data["telegram"] |= {
        "base_url": f"https://127.0.0.1:{front.port}/bot",
        "base_file_url": f"https://127.0.0.1:{front.port}/file/bot",
    }
    config.write_text(toml_dump(data), encoding="utf-8")
    env = {"HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}", "SSL_CERT_FILE": str(cert)}
    env |= {k: "" for k in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")}
    bot = BotProcess(config, tmp_path / "bot.log", env=env)
    try:
        await bot.start()
        for _ in range(500):  # bounded: up to ~25 s for the process to start and poll
            if sandbox.calls("getUpdates") or not bot.running:
                break
            await asyncio.sleep(0.05)
    finally:
        code = await bot.stop()
        await proxy.close()
        await front.close()
    log = bot.log_text()
    assert sandbox.calls("getMe") and sandbox.calls("getUpdates"), log
    assert f"CONNECT 127.0.0.1:{front.port}" in proxy.seen, proxy.seen
    assert "reaching the Bot API through the proxy http://127.0.0.1" in log
    assert code == 0, log
    assert os.environ.get("HTTPS_PROXY") is None
