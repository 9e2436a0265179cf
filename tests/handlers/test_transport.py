"""AiohttpRequest against a stand-in Bot API server (aiohttp.web on 127.0.0.1), through a real Bot."""

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.transport import AiohttpRequest, JsonBody
from tests.kit.quick_loop import quick

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Hotline", "username": "hotline_bot"}

# sendMessage to these chat ids makes the stand-in misbehave.
SLOW_CHAT = -1
ERROR_CHATS: dict[int, tuple[int, dict[str, Any]]] = {
    400: (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}),
    403: (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    429: (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        },
    ),
}


@dataclass
class Received:
    method: str
    content_type: str
    user_agent: str
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name, mime, content


class FakeBotApi:
    """Just enough of the Bot API; records what it was sent."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.release = asyncio.Event()  # lets slow handlers end at teardown
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.app = web.Application(client_max_size=64 * 1024**2)
        self.app.router.add_post("/bot{token}/{method}", self.handle)
        self.message_id = 0

    def message(self, chat_id: int, **extra: Any) -> dict[str, Any]:
        self.message_id += 1
        return {
            "message_id": self.message_id,
            "date": 1_700_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            **extra,
        }

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if method == "sendDocument":  # the upload stand-in never reads the body
            await asyncio.wait_for(self.release.wait(), 10)
            return web.json_response({"ok": True, "result": True})
        got = Received(method, request.content_type, request.headers.get("User-Agent", ""))
        if request.content_type == "application/json":
            body = await request.json()
            got.fields = {name: v if isinstance(v, str) else json.dumps(v) for name, v in body.items()}
            self.received.append(got)
            return await self.answer(method, got.fields)
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                got.files[name] = (value.filename, value.content_type, value.file.read())
            else:
                got.fields[name] = str(value)
        self.received.append(got)
        return await self.answer(method, got.fields)

    async def answer(self, method: str, fields: dict[str, str]) -> web.StreamResponse:
        if method == "getMe":
            return web.json_response({"ok": True, "result": BOT_USER})
        if method == "getUpdates":
            try:
                first = await asyncio.wait_for(self.updates.get(), float(fields.get("timeout", "0")))
            except TimeoutError:
                return web.json_response({"ok": True, "result": []})
            return web.json_response({"ok": True, "result": [first]})
        chat_id = int(fields["chat_id"])
        if chat_id == SLOW_CHAT:
            await asyncio.wait_for(self.release.wait(), 10)
        if chat_id in ERROR_CHATS:
            status, body = ERROR_CHATS[chat_id]
            return web.json_response(body, status=status)
        if chat_id == 502:
            return web.Response(status=502, text="<html>502 Bad Gateway</html>", content_type="text/html")
        if method == "sendMessage":
            return web.json_response({"ok": True, "result": self.message(chat_id, text=fields["text"])})
        if method == "sendPhoto":
            photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}]
            return web.json_response({"ok": True, "result": self.message(chat_id, photo=photo)})
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)


@pytest.fixture
async def api() -> AsyncIterator[tuple[FakeBotApi, str]]:
    async with serve_api() as served:
        yield served


@asynccontextmanager
async def serve_api() -> AsyncIterator[tuple[FakeBotApi, str]]:
    fake = FakeBotApi()
    runner = web.AppRunner(fake.app, shutdown_timeout=0.1, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield fake, f"http://127.0.0.1:{port}/bot"
    finally:
        fake.release.set()
        await runner.cleanup()


def make_bot(base_url: str, **request_kwargs: Any) -> Bot:
    return Bot(
        TOKEN,
        base_url=base_url,
        request=AiohttpRequest(**request_kwargs),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=0.2),
    )


@pytest.fixture
async def bot(api: tuple[FakeBotApi, str]) -> AsyncIterator[Bot]:
    async with make_bot(api[1], read_timeout=2.0) as the_bot:
        yield the_bot


async def test_get_me_and_send_message_with_keyboard(api: tuple[FakeBotApi, str], bot: Bot) -> None:
    fake, _ = api
    assert (await bot.get_me()).username == "hotline_bot"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("接单 Accept", callback_data="accept:17")]])

    message = await bot.send_message(chat_id=42, text="燃气泄漏 #17", reply_markup=markup)

    assert message.text == "燃气泄漏 #17"
    sent = fake.received[-1]
    assert sent.method == "sendMessage"
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert "python-telegram-bot" in sent.user_agent
    assert sent.fields["chat_id"] == "42"
    assert sent.fields["text"] == "燃气泄漏 #17"
    assert json.loads(sent.fields["reply_markup"]) == markup.to_dict()
    assert not sent.files


async def test_send_photo_uploads_multipart(api: tuple[FakeBotApi, str], bot: Bot) -> None:
    fake, _ = api
    image = bytes(range(256)) * 40

    message = await bot.send_photo(chat_id=42, photo=image, caption="现场照片", filename="leak.jpg")

    assert message.photo
    sent = fake.received[-1]
    assert sent.method == "sendPhoto"
    assert sent.content_type == "multipart/form-data"
    assert sent.fields == {"chat_id": "42", "caption": "现场照片"}
    filename, _mime, content = sent.files["photo"]
    assert filename == "leak.jpg"
    assert content == image


@pytest.mark.parametrize(
    ("chat_id", "error", "text"),
    [
        (400, BadRequest, "Chat not found"),
        (403, Forbidden, "bot was blocked"),
        (502, NetworkError, "Bad Gateway (502)"),
    ],
)
async def test_http_errors_map_to_ptb_errors(bot: Bot, chat_id: int, error: type[Exception], text: str) -> None:
    with pytest.raises(error) as caught:
        await bot.send_message(chat_id=chat_id, text="x")
    assert type(caught.value) is error
    assert text in str(caught.value)


async def test_429_maps_to_retry_after(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(chat_id=429, text="x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)


async def timed(call: Callable[[], Awaitable[object]]) -> tuple[BaseException | None, float]:
    """The call's exception (None if it returned) and how long it took on the loop's clock."""
    clock = asyncio.get_running_loop().time
    start = clock()
    try:
        await call()
    except Exception as exc:
        return exc, clock() - start
    return None, clock() - start


async def test_a_json_body_is_sent_as_json_and_its_errors_map_like_a_form(
    api: tuple[FakeBotApi, str], bot: Bot
) -> None:
    fake, _ = api
    markup = {"inline_keyboard": [[{"text": "Accept", "callback_data": "t:acc:1"}]]}
    body = JsonBody({"chat_id": 42, "text": "煤气 leak", "reply_markup": markup, "parse_mode": None})
    result = await bot.request.post(f"{bot.base_url}/sendMessage", body)
    assert isinstance(result, dict) and result["text"] == "煤气 leak"
    got = fake.received[-1]
    assert got.content_type == "application/json"
    assert got.fields == {"chat_id": "42", "text": "煤气 leak", "reply_markup": json.dumps(markup)}  # None left out
    with pytest.raises(Forbidden):
        await bot.request.post(f"{bot.base_url}/sendMessage", JsonBody({"chat_id": 403, "text": "x"}))


# On the wall clock: the bot's start (getMe) has the short default read timeout too, which must not run out.
async def test_slow_server_times_out_within_read_timeout(api: tuple[FakeBotApi, str]) -> None:
    async with make_bot(api[1], read_timeout=0.3) as bot:
        exc, elapsed = await timed(lambda: bot.send_message(chat_id=SLOW_CHAT, text="x"))
        assert isinstance(exc, TimedOut)
        assert 0.25 < elapsed < 3.5  # the server would hold the answer for 10 s
        # And the transport still works afterwards.
        assert (await bot.send_message(chat_id=1, text="ok")).text == "ok"

    # A per-call read timeout overrides the default one.
    async with make_bot(api[1], read_timeout=6.0) as bot:
        exc, elapsed = await timed(lambda: bot.send_message(chat_id=SLOW_CHAT, text="x", read_timeout=0.1))
        assert isinstance(exc, TimedOut)
        assert elapsed < 3.0  # not the default 6 s


@quick(4)  # the loop's clock runs 4 times faster: the timeouts are in its seconds
async def test_pool_timeout_when_all_connections_are_busy() -> None:
    async with (
        serve_api() as (fake, base_url),
        make_bot(base_url, connection_pool_size=1, pool_timeout=0.2, read_timeout=6.0) as bot,
    ):
        busy = asyncio.create_task(bot.send_message(chat_id=SLOW_CHAT, text="slow"))
        for _ in range(2000):  # until the server holds the slow request (bounded: 20 s of the loop's clock)
            if any(got.fields.get("chat_id") == str(SLOW_CHAT) for got in fake.received):
                break
            await asyncio.sleep(0.01)
        exc, elapsed = await timed(lambda: bot.send_message(chat_id=1, text="x"))
        assert isinstance(exc, TimedOut)
        assert "Pool timeout" in str(exc)
        assert elapsed < 5.0  # the busy connection would be free only after its 6-s read timeout
        fake.release.set()
        assert (await busy).text == "slow"


@quick(4)  # the loop's clock runs 4 times faster: the timeouts are in its seconds
async def test_stalled_upload_times_out_within_write_timeout() -> None:
    async with serve_api() as (_, base_url), make_bot(base_url, media_write_timeout=0.3, read_timeout=10.0) as bot:
        exc, elapsed = await timed(lambda: bot.send_document(chat_id=1, document=b"\0" * (48 * 1024**2)))
        assert isinstance(exc, TimedOut), repr(exc)
        assert elapsed < 5.0  # not the 10-s read timeout


async def start_raw_server(reply: bytes) -> tuple[asyncio.Server, str]:
    """A server that reads the request head, writes `reply` and hangs up."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/bot"


@pytest.mark.parametrize(
    "reply",
    [b"", b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ok": tr'],
    ids=["drop-before-answer", "drop-mid-body"],
)
async def test_dropped_connection_is_network_error(reply: bytes) -> None:
    server, base_url = await start_raw_server(reply)
    async with server:
        request = AiohttpRequest(read_timeout=6.0)
        await request.initialize()
        try:
            bot = Bot(TOKEN, base_url=base_url, request=request)
            exc, elapsed = await timed(lambda: bot.send_message(chat_id=1, text="x"))
        finally:
            await request.shutdown()
    assert type(exc) is NetworkError, repr(exc)
    assert "aiohttp." in str(exc)
    assert elapsed < 3.0  # at once, not after the 6-s read timeout


async def test_refused_connection_is_network_error() -> None:
    server, base_url = await start_raw_server(b"")
    server.close()
    await server.wait_closed()
    async with AiohttpRequest() as request:
        exc, _ = await timed(lambda: Bot(TOKEN, base_url=base_url, request=request).get_me())
    assert type(exc) is NetworkError, repr(exc)


@quick(4)  # the loop's clock runs 4 times faster: the poll, the timeouts and the update's delay are in its seconds
async def test_long_poll_get_updates() -> None:
    async with serve_api() as (fake, base_url), make_bot(base_url, read_timeout=8.0) as bot:
        # nothing waiting: an empty answer at once (8 s of the loop's clock for it, not the transport's 0.2 s)
        assert await bot.get_updates(timeout=0, read_timeout=8.0) == ()
        # The poll outlasts the getUpdates transport's own read timeout (0.2 s): PTB adds the poll time. The update
        # comes 0.5 s into a 5-s poll: the connection is still there to carry it, and it ends the poll early.
        update = {"update_id": 7, "message": fake.message(42, text="有燃气味")}
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, fake.updates.put_nowait, update)
        start = loop.time()
        (got,) = await bot.get_updates(timeout=5)
        assert 0.45 < loop.time() - start < 4.0  # past the read timeout, well before the poll's own 5 s
        assert fake.received[-1].fields["timeout"] == "5"
        assert got.update_id == 7
        assert got.effective_message is not None
        assert got.effective_message.text == "有燃气味"


async def test_reinitialise_after_shutdown(api: tuple[FakeBotApi, str]) -> None:
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=api[1], request=request)
    for _ in range(2):
        async with bot:
            assert (await bot.get_me()).id == BOT_USER["id"]
    await request.shutdown()  # idempotent
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.get_me()
    await request.initialize()
    await request.initialize()  # idempotent
    try:
        assert (await bot.send_message(chat_id=5, text="again")).text == "again"
    finally:
        await request.shutdown()


async def test_lazy_session_without_initialize(api: tuple[FakeBotApi, str]) -> None:
    request = AiohttpRequest()
    try:
        assert (await Bot(TOKEN, base_url=api[1], request=request).get_me()).id == BOT_USER["id"]
    finally:
        await request.shutdown()


def test_constructor_validates_and_reports_read_timeout() -> None:
    assert AiohttpRequest(read_timeout=7.5).read_timeout == 7.5
    assert AiohttpRequest(read_timeout=None).read_timeout is None
    with pytest.raises(ValueError, match="connection_pool_size"):
        AiohttpRequest(connection_pool_size=0)
