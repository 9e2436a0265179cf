"""Central wiring: builds the PTB application, registers every handler, runs it.

Only this module registers handlers; ``handlers/`` modules export them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.clock import Clock, SystemClock
from bot.config.settings import Settings
from bot.halt import Halt, first_of
from bot.ops.dbguard import FileWatch
from bot.ops.leadership import instance_role
from bot.ops.logsafety import mask_tokens, quiet_libraries
from bot.ops.metrics import Metrics
from bot.ops.sdnotify import Keepalive, Notifier
from bot.ops.server import ApiHealth, OpsServer
from bot.outbound.channels import Channel
from bot.questions import knowledge
from bot.runtime import Runtime
from channels.wechat.server import WechatAdapter
from channels.wecom.adapter import wecom_for
from handlers.channel import telegram_channel
from handlers.convert import TelegramUpdate
from handlers.errors import on_error
from handlers.inbox import InboxFeeder
from handlers.metered import MeteredSender, count_error
from handlers.processor import ChatOrderedProcessor
from handlers.safe_updates import SafeUpdatesBot
from handlers.sender import TelegramSender
from handlers.startup import PollingWatch, TokenRefused, commands_best_effort, refused_message, with_retries
from handlers.transport import AiohttpRequest, proxy_for, shown_proxy
from handlers.updates import on_update
from handlers.webhook import WebhookServer
from storage.engines import open_database

logger = logging.getLogger(__name__)

TOKEN_ADVICE = (
    "check telegram.base_url, then take the bot's current token from @BotFather (/mybots, API Token; "
    "after /revoke it is a new one), set it in HOTLINE_TELEGRAM__TOKEN and start the bot again"
)


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, PTB's coming default
    quiet_libraries()  # PTB logs message texts and updates at DEBUG: never residents' data in our logs
    tg = settings.telegram
    mask_tokens(settings.require_token())  # PTB's InvalidToken and aiohttp's URL errors carry it
    proxy = proxy_for(tg.base_url, tg.proxy_url.get_secret_value())
    if proxy:
        logger.info("reaching the Bot API through the proxy %s", shown_proxy(proxy))
    bot = SafeUpdatesBot(
        settings.require_token(),
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=AiohttpRequest(connection_pool_size=tg.connection_pool_size, proxy_url=proxy),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=10.0, proxy_url=proxy),
    )
    app = ApplicationBuilder().bot(bot).concurrent_updates(ChatOrderedProcessor(tg.max_concurrent_updates)).build()
    app.add_handler(TypeHandler(TelegramUpdate, on_update))
    app.add_error_handler(on_error)
    return app


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[Runtime], Awaitable[None]] | None = None,
    webhook: bool = False,
    channels: Sequence[Channel] = (),
) -> None:
    """Run the bot until ``stop`` is set: long polling, or with ``webhook`` Telegram's POSTs (handlers/webhook.py).
    ``channels``: more channels beside Telegram (``bot.outbound.channels``); their adapters feed the core.

    Start order: the instance lock and the database first (a second instance, a corrupt or read-only file:
    one line and out, before any network), then Telegram (retried while it is unreachable), then the rest.
    A failure of our own while running (``bot.halt``) stops the bot and raises ``Halted``; so does Telegram
    refusing the token while running (a 401/404 to any call, ``getUpdates`` included: ``Runtime.refused``),
    after a clean stop that keeps every pending notification for the next good start.

    Under systemd (``Type=notify``) it says where it is (``bot.ops.sdnotify``): ``STATUS=`` at each step, ``READY=1``
    once polling started or the webhook listens, ``WATCHDOG=1`` while healthy, ``STOPPING=1`` as it stops."""
    keepalive = Keepalive(Notifier())
    keepalive.start()
    try:
        await _serve(settings, stop, keepalive, clock=clock, on_ready=on_ready, webhook=webhook, channels=channels)
    finally:
        await keepalive.stop()


async def _serve(
    settings: Settings,
    stop: asyncio.Event,
    keepalive: Keepalive,
    *,
    clock: Clock | None,
    on_ready: Callable[[Runtime], Awaitable[None]] | None,
    webhook: bool,
    channels: Sequence[Channel],
) -> None:
    notify = keepalive.notifier
    halt = Halt()
    knowledge.use_content(settings.utility.content_override)  # the safety officer's texts; a bad file stops here
    notify.status("opening the database")
    standby = partial(_standby_inbox, settings, clock) if webhook else None
    async with instance_role(settings, stop, halt, keepalive, standby=standby) as works:
        if not works:  # stopped while standing by
            return
        db = await open_database(settings.storage)
        watch = FileWatch(db.path, halt) if db.engine == "sqlite" else None  # a server's database is not a file
        runtime: Runtime | None = None
        app = build_application(settings)
        polling = PollingWatch(halt)
        metrics, health = Metrics(), ApiHealth()
        polling.on_ok, polling.on_error = health.ok, count_error(metrics)
        ops: OpsServer | None = None
        if isinstance(app.bot, SafeUpdatesBot):
            app.bot.set_watch(polling)
        clock = clock or SystemClock()
        # several instances on one server: every one stores Telegram's POSTs, the leader hands them to the bot
        inbox = db if webhook and db.engine != "sqlite" else None
        hook = WebhookServer(app, settings, inbox=inbox, clock=clock) if webhook else None
        feeder = InboxFeeder(app, db, clock) if inbox is not None else None
        wecom = wecom_for(settings, db, clock)  # [wecom]: crews and staff on WeCom, its callback beside Telegram
        if wecom is not None and hook is not None:
            hook.add_routes(wecom.server.add_to)  # one web server: the webhook's
        wechat = WechatAdapter(settings, db, clock) if settings.wechat.enabled else None
        shared = wechat is not None and hook is not None and wechat.shares_port_with_webhook()
        if wechat is not None and hook is not None and shared:
            hook.add_routes(wechat.add_to)  # the webhook's server: one port for Telegram and WeChat
        try:
            if watch is not None:
                await watch.start()
            notify.status("connecting to Telegram (getMe)")

            async def initialize() -> bool:
                await app.initialize()  # getMe
                return True

            connected = await with_retries(
                "getMe",
                initialize,
                until=(stop, halt.event),
                base_url=settings.telegram.base_url,
                attempts=settings.telegram.startup_attempts,
            )
            if connected is None:  # stopped (or halted) while Telegram was unreachable
                halt.raise_if_halted()
                return
            health.ok()  # getMe answered
            notify.status("starting")
            media_root = wechat.media_dir if wechat else None  # photos WeChat residents sent, for crews
            sender = MeteredSender(TelegramSender(app.bot, media_root=media_root), metrics, health)
            every = [
                telegram_channel(sender, settings),
                *channels,
                *([wecom.channel] if wecom else []),
                *([wechat.channel] if wechat else []),
            ]
            runtime = await Runtime.start(settings, clock, every, db=db, refused_advice=TOKEN_ADVICE)
            runtime.on_fatal = halt
            app.bot_data["runtime"] = runtime
            if wechat is not None:  # the callback beside Telegram's polling or webhook (on its server, if shared)
                await wechat.start(runtime, listen=not shared)
            app.bot_data["metrics"] = metrics
            if settings.ops.listen:
                ops = OpsServer(
                    settings.ops, db, runtime.clock, metrics, health, probe=app.bot.get_me, process=runtime.health
                )
                await ops.start()
                runtime.ops = ops
            app.bot_data["hotline"] = settings.utility.hotline
            if isinstance(app.bot, SafeUpdatesBot):
                app.bot.set_on_refused(runtime.refused)
            try:
                unreachable = await commands_best_effort(app.bot, runtime.db, runtime.core.routes)
            except InvalidToken as exc:  # refused between getMe and the menus
                raise TokenRefused(refused_message(settings.telegram.base_url, "setMyCommands")) from exc
            await runtime.note_unreachable_staff(unreachable)
            await app.start()
            assert app.updater is not None
            if hook is not None:
                if feeder is not None:
                    feeder.start()
                await hook.start(register=False)
                registered = await with_retries(
                    "setWebhook",
                    hook.register,
                    until=(stop, halt.event),
                    base_url=settings.telegram.base_url,
                    attempts=settings.telegram.startup_attempts,
                )
                if registered is None:
                    halt.raise_if_halted()
                    return
            else:
                # PTB's own deleteWebhook (its bootstrap) retries silently and cannot be stopped: ours first
                deleted = await with_retries(
                    "deleteWebhook",
                    app.bot.delete_webhook,
                    until=(stop, halt.event),
                    base_url=settings.telegram.base_url,
                    attempts=settings.telegram.startup_attempts,
                )
                if deleted is None:
                    halt.raise_if_halted()
                    return
                await app.updater.start_polling(
                    timeout=settings.telegram.poll_timeout_s,
                    allowed_updates=Update.ALL_TYPES,
                    bootstrap_retries=-1,  # its deleteWebhook again, right after ours went through
                    error_callback=polling,
                )
                logger.info("polling for updates as @%s", app.bot.username)
            if wecom is not None:
                await wecom.start(runtime)
            runtime.health.mark_ok()
            where = f"webhook for {settings.telegram.webhook_url}" if hook is not None else "polling"
            keepalive.ready(f"running: {where} as @{app.bot.username}", runtime.alive)
            if on_ready is not None:
                await on_ready(runtime)
            await first_of(stop, halt.event)
        finally:
            notify.stopping(f"stopping: {halt.reason}" if halt.reason is not None else "stopping")
            if runtime is not None and halt.reason is not None:
                runtime.health.fail(halt.reason)  # /healthz says so while the bot stops
            if watch is not None:
                await watch.stop()
            if ops is not None:
                await ops.stop()
            if hook is not None:
                await hook.stop()
            if wecom is not None:
                await wecom.stop()
            if wechat is not None:
                await wechat.stop()
            if feeder is not None:
                await feeder.stop()
            if app.updater is not None and app.updater.running:
                with contextlib.suppress(TelegramError):  # a refused token: PTB's last getUpdates fails too
                    await app.updater.stop()
            if app.running:
                await app.stop()
            if runtime is not None:
                if halt.reason is not None and (pending := await runtime.pending_notifications()) is not None:
                    logger.critical("stopped: %d notifications stay pending for the next start", pending)
                await runtime.stop()
            else:
                await db.close()
            if wecom is not None:
                await wecom.close()
            if wechat is not None:
                await wechat.close()
            await _shutdown(app)
    halt.raise_if_halted()


@asynccontextmanager
async def _standby_inbox(settings: Settings, clock: Clock | None) -> AsyncIterator[None]:
    """While standing by in webhook mode: take Telegram's POSTs into the inbox (the leader handles them)."""
    db = await open_database(settings.storage)
    hook = WebhookServer(None, settings, inbox=db, clock=clock)
    try:
        await hook.start(register=False)
        yield
    finally:
        await hook.stop()
        await db.close()


async def _shutdown(app: Application) -> None:  # type: ignore[type-arg]
    """PTB's shutdown, or, when ``initialize`` never succeeded, the transports' sessions closed."""
    if app._initialized:
        await app.shutdown()
        return
    for request in app.bot._request:
        await request.shutdown()
