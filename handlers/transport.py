"""A python-telegram-bot transport on aiohttp.

`AiohttpRequest` is a drop-in replacement for PTB's `HTTPXRequest`: same constructor options (minus
HTTP/2 / socket options), same request bodies (form-urlencoded JSON parameters, or
multipart/form-data when files are uploaded), same error mapping (timeouts -> `TimedOut`, transport
failures -> `NetworkError`; HTTP status codes are mapped by `BaseRequest`).

Timeout semantics, per request (a `DEFAULT_NONE` argument means "use the constructor's value",
`None` means "no limit"):

- ``pool_timeout``: waiting for a free slot among ``connection_pool_size`` connections;
- ``connect_timeout``: DNS lookup plus TCP (and TLS) connect;
- ``write_timeout``: sending the whole body of an upload (``media_write_timeout`` by default);
  small form bodies fit in the socket buffer and cannot stall on their own;
- ``read_timeout``: after the request is sent, the longest wait for the next bytes of the answer.

Proxies: ``proxy_url`` (``http://``, ``https://``: aiohttp's own proxy support, ``CONNECT`` for https
targets; ``socks5://``, ``socks5h://``, ``socks4://``: aiohttp-socks' connector). ``proxy_for`` picks it as
PTB does: the ``[telegram] proxy_url`` setting, else ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` (either
case) for the Bot API's URL unless ``NO_PROXY`` names its host.

Use two instances, as PTB does: one for the bot's calls and one, with ``connection_pool_size=1``,
for ``getUpdates`` (PTB adds the long-poll ``timeout`` to that instance's read timeout).
"""

import asyncio
import base64
import io
import json
import logging
import urllib.request
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import aiohttp
import orjson
from aiohttp import hdrs, payload
from aiohttp.abc import AbstractStreamWriter
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from common import jsonfast
from handlers.pool_gate import PoolGate

logger = logging.getLogger(__name__)

_FORM_URLENCODED = "application/x-www-form-urlencoded"
_JSON = "application/json"
_POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent to "
    "Telegram. Consider adjusting the connection pool size or the pool timeout."
)


SOCKS_SCHEMES = ("socks5", "socks5h", "socks4", "socks4a")
HTTP_SCHEMES = ("http", "https")


def proxy_for(url: str, configured: str = "") -> str | None:
    """The proxy for requests to ``url``: ``configured``, else the environment's (None: connect directly)."""
    if configured:
        return configured
    proxies = urllib.request.getproxies_environment()  # lower-case schemes, "all" and "no" included
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass_environment(parts.hostname, proxies):  # type: ignore[attr-defined]
        return None
    return proxies.get(parts.scheme) or proxies.get("all") or None


def shown_proxy(proxy_url: str) -> str:
    """A proxy URL for the log: scheme, host and port only (never its credentials)."""
    parts = urlsplit(proxy_url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or '?'}{port}"


def check_proxy_url(proxy_url: str) -> str:
    scheme = urlsplit(proxy_url).scheme.lower()
    if scheme not in (*HTTP_SCHEMES, *SOCKS_SCHEMES) or not urlsplit(proxy_url).hostname:
        raise ValueError(
            f"{shown_proxy(proxy_url)!r} is not a proxy URL (http://, https://, socks5://, socks5h:// or socks4://)"
        )
    return proxy_url


class _DeadlineMultipartWriter(aiohttp.MultipartWriter):
    """A multipart/form-data body whose upload must finish within ``write_timeout_s``."""

    def __init__(self, write_timeout_s: float | None) -> None:
        super().__init__("form-data")
        self._write_timeout_s = write_timeout_s

    async def write(self, writer: AbstractStreamWriter, close_boundary: bool = True) -> None:
        # A timeout here surfaces from the response as a TimeoutError (mapped to TimedOut).
        async with asyncio.timeout(self._write_timeout_s):
            await super().write(writer, close_boundary)


def _multipart_body(request_data: RequestData, write_timeout_s: float | None) -> aiohttp.MultipartWriter:
    """The same parts as HTTPXRequest sends: every JSON parameter, then every file."""
    body = _DeadlineMultipartWriter(write_timeout_s)
    for name, value in request_data.json_parameters.items():
        part = payload.get_payload(value)
        part.set_content_disposition("form-data", quote_fields=False, name=name)
        body.append_payload(part)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        # aiohttp writes large in-memory bodies chunk by chunk only from a stream.
        stream = io.BytesIO(content) if isinstance(content, bytes) and len(content) > 2**20 else content
        part = payload.get_payload(stream, content_type=mimetype)
        part.set_content_disposition("form-data", quote_fields=False, name=name, filename=filename)
        body.append_payload(part)
    return body


@lru_cache(maxsize=64)
def _timeout(connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    """A request's timeouts (frozen, so shared: the sender's calls use a handful of pairs)."""
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


class JsonBody(RequestData):  # type: ignore[misc]  # final in PTB's stubs; only the body differs
    """Parameters sent as one JSON body (the Bot API takes JSON as well as forms): what the sender uses
    for its calls, built from plain dicts in one ``jsonfast.dumps`` instead of PTB's parameter objects
    and form encoding (a tenth of the cost of a send under load). No files."""

    __slots__ = ("_body",)

    def __init__(self, parameters: dict[str, object]) -> None:
        super().__init__()
        self._body = jsonfast.dumps({key: value for key, value in parameters.items() if value is not None})

    @property
    def json_payload(self) -> bytes:
        return self._body


class AiohttpRequest(BaseRequest):
    """`telegram.request.BaseRequest` on an `aiohttp.ClientSession`.

    Args:
        connection_pool_size: most connections open at once (and requests in flight). Default 256;
            use 1 for the ``getUpdates`` instance.
        read_timeout: default read timeout in seconds (None: unlimited). Default 5.
        write_timeout: default write timeout for requests without files. Default 5.
        connect_timeout: default connect timeout. Default 5.
        pool_timeout: default wait for a free connection slot. Default 1.
        media_write_timeout: default write timeout for requests that upload files. Default 20.
        proxy_url: send every request through this proxy (see ``proxy_for``); None: directly.

    The session is created inside the running loop by `initialize` (or by the first request),
    closed by `shutdown`, and created anew by the next `initialize`.
    """

    __slots__ = (
        "_connect_timeout",
        "_connection_pool_size",
        "_media_write_timeout",
        "_pool_gate",
        "_pool_timeout",
        "_proxy",
        "_proxy_headers",
        "_proxy_url",
        "_read_timeout",
        "_session",
        "_shut_down",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy_url: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be a positive integer")
        self._proxy_url = check_proxy_url(proxy_url) if proxy_url else None
        # an HTTP(S) proxy is given to each request; a SOCKS proxy is the connector's
        self._proxy: str | None = None
        self._proxy_headers: dict[str, str] | None = None
        if self._proxy_url and urlsplit(self._proxy_url).scheme.lower() in HTTP_SCHEMES:
            parts = urlsplit(self._proxy_url)
            if parts.username is not None:  # aiohttp takes a proxy's credentials apart from its URL
                pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
                self._proxy_headers = {hdrs.PROXY_AUTHORIZATION: "Basic " + base64.b64encode(pair).decode()}
            self._proxy = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self._connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._pool_gate: PoolGate | None = None
        self._shut_down = False

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """See `BaseRequest.parse_json_payload` (PTB's hook for another JSON library): orjson, and PTB's own
        reading (UTF-8 errors replaced, ``TelegramError`` for what is not JSON) for what orjson refuses, logged
        in one line instead of PTB's traceback."""
        try:
            result: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError:
            pass
        else:
            return result
        text = payload.decode("utf-8", "replace")  # PTB's reading: UTF-8 errors replaced
        try:
            loaded: JSONDict = json.loads(text)
        except ValueError:
            # one line, not PTB's traceback: a proxy's error page or a wrong base_url's 404 is not JSON
            logger.warning("the Bot API's answer is not JSON: %r", text[:80])
            raise TelegramError("Invalid server response") from None
        return loaded

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds, see `BaseRequest.read_timeout`."""
        return self._read_timeout

    @property
    def connection_pool_size(self) -> int:
        return self._connection_pool_size

    def _open_session(self) -> aiohttp.ClientSession:
        """Create the session and the pool gate; must run inside the event loop that uses them."""
        connector: aiohttp.BaseConnector
        if self._proxy_url is not None and self._proxy is None:
            from aiohttp_socks import ProxyConnector  # only where a SOCKS proxy is configured

            connector = ProxyConnector.from_url(self._proxy_url, limit=self._connection_pool_size, limit_per_host=0)
        else:
            connector = aiohttp.TCPConnector(limit=self._connection_pool_size, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={hdrs.USER_AGENT: self.USER_AGENT},
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),
            raise_for_status=False,
        )
        self._pool_gate = PoolGate(self._connection_pool_size)
        self._shut_down = False
        return self._session

    async def initialize(self) -> None:
        """See `BaseRequest.initialize`; idempotent, and reopens after `shutdown`."""
        if self._session is None or self._session.closed:
            self._open_session()

    async def shutdown(self) -> None:
        """See `BaseRequest.shutdown`; idempotent."""
        session, self._session, self._pool_gate = self._session, None, None
        self._shut_down = True
        if session is None or session.closed:
            logger.debug("This AiohttpRequest is already shut down")
            return
        await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See `BaseRequest.do_request`."""
        session, gate = self._session, self._pool_gate
        if session is None or gate is None or session.closed:
            if self._shut_down:
                raise RuntimeError("This AiohttpRequest is not initialized!")
            session = self._open_session()
            gate = self._pool_gate
            assert gate is not None

        has_files = request_data is not None and request_data.contains_files
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if has_files else self._write_timeout

        data: aiohttp.MultipartWriter | payload.Payload | bytes | None = None
        headers: dict[str, str] | None = None
        if request_data is not None:
            if has_files:
                data = _multipart_body(request_data, write_timeout)
            elif isinstance(request_data, JsonBody):  # its own payload: no lookup in aiohttp's registry
                data = payload.BytesPayload(request_data.json_payload, content_type=_JSON)
            elif params := request_data.url_encoded_parameters():
                data = params.encode()
                headers = {hdrs.CONTENT_TYPE: _FORM_URLENCODED}

        timeout = _timeout(connect_timeout, read_timeout)
        if self._proxy_headers is not None and url.startswith("http://"):
            # a plain-http request goes to the proxy as it is (no CONNECT): its credentials go with it
            headers = {**(headers or {}), **self._proxy_headers}

        if gate.locked() and pool_timeout is not None:
            try:
                async with asyncio.timeout(pool_timeout):
                    await gate.acquire()
            except TimeoutError as err:
                raise TimedOut(message=_POOL_TIMEOUT_MESSAGE) from err
        else:
            await gate.acquire()
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            ) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            # aiohttp's ServerTimeoutError (connect / socket read) is a TimeoutError too.
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            gate.release()
