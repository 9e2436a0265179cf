"""Helpers for tests and demos: a started sandbox with a real PTB ``Bot`` talking to it over HTTP.

    async with sandbox_and_bot() as (sandbox, bot):
        await bot.send_message(chat_id, "hi")

PTB 22 warns (PTBDeprecationWarning) when it builds ``RetryAfter`` unless ``PTB_TIMEDELTA=true``;
with ``filterwarnings = error`` that warning would replace the 429 error, so this helper sets it.
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from sandbox.sandbox import DEFAULT_TOKEN, Sandbox


@functools.cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS settings, made once per process: each client would otherwise read the system's CA
    certificates again (about 20 ms), for a sandbox it talks to over plain HTTP."""
    return ssl.create_default_context()


def ptb_bot(sandbox: Sandbox, token: str = DEFAULT_TOKEN, *, read_timeout_s: float = 5.0) -> Bot:
    """A PTB ``Bot`` pointed at ``sandbox`` (call ``await bot.initialize()`` or use ``async with``)."""
    shared = {"verify": _tls()}
    request = HTTPXRequest(
        connection_pool_size=16, read_timeout=read_timeout_s, connect_timeout=2.0, httpx_kwargs=shared
    )
    return Bot(
        token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=request,
        get_updates_request=HTTPXRequest(read_timeout=read_timeout_s, connect_timeout=2.0, httpx_kwargs=shared),
    )


@asynccontextmanager
async def sandbox_and_bot(token: str = DEFAULT_TOKEN, **sandbox_kwargs: Any) -> AsyncIterator[tuple[Sandbox, Bot]]:
    """A started ``Sandbox`` and an initialized PTB ``Bot``; both stopped on exit."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token
    async with Sandbox(token, **sandbox_kwargs) as sandbox:
        bot = ptb_bot(sandbox, token)
        async with bot:
            yield sandbox, bot
