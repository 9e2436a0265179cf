"""Small proxies on loopback for the transport's tests: an HTTP proxy (``CONNECT`` tunnels and absolute-form
requests), a SOCKS5 proxy, and a TLS front for the sandbox (so that ``CONNECT`` carries real https)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import ssl
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    await asyncio.gather(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))


@dataclass
class Proxy:
    """A running proxy and what it was asked for (``"CONNECT host:port"``, ``"GET http://..."``, ``"SOCKS5 h:p"``)."""

    seen: list[str] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    server: asyncio.Server | None = None
    port: int = 0

    def serving(self, server: asyncio.Server) -> Proxy:
        self.server, self.port = server, int(server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)


async def http_proxy() -> Proxy:
    """``CONNECT host:port`` opens a tunnel; ``GET http://host:port/path`` is forwarded (one request per
    connection: the answer goes back, then both ends close)."""
    proxy = Proxy()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        proxy.seen.append(f"{method} {target}")
        proxy.auth.append(headers.get("proxy-authorization"))
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await asyncio.open_connection(host, int(port))
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
            return
        # absolute form: http://host:port/path -> origin form to host:port
        rest = target.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        up_reader, up_writer = await asyncio.open_connection(host, int(port or 80))
        kept = [line for line in lines[1:] if line and not line.lower().startswith(("proxy-", "connection:"))]
        up_writer.write(f"{method} /{path} HTTP/1.1\r\n".encode() + "\r\n".join([*kept, "Connection: close"]).encode())
        up_writer.write(b"\r\n\r\n")
        length = int(headers.get("content-length", "0"))
        if length:
            up_writer.write(await reader.readexactly(length))
        await up_writer.drain()
        answer = await up_reader.read()  # Connection: close: the whole answer
        writer.write(answer)
        await writer.drain()
        writer.close()
        up_writer.close()

    return proxy.serving(await asyncio.start_server(handle, "127.0.0.1", 0))


async def socks5_proxy(username: str | None = None, password: str | None = None) -> Proxy:
    """RFC 1928 CONNECT (no authentication, or RFC 1929 user/password when ``username`` is given)."""
    proxy = Proxy()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        assert version == 5
        if username is not None:
            assert 2 in methods
            writer.write(b"\x05\x02")
            await reader.readexactly(1)
            user = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            secret = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            proxy.auth.append(f"{user}:{secret}")
            ok = (user, secret) == (username, password)
            writer.write(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                writer.close()
                return
        else:
            writer.write(b"\x05\x00")
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        elif kind == 3:
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        else:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        assert command == 1
        proxy.seen.append(f"SOCKS5 {host}:{port}")
        upstream = await asyncio.open_connection(host, port)
        writer.write(b"\x05\x00\x00\x01" + bytes(4) + b"\x00\x00")
        await writer.drain()
        await _splice((reader, writer), upstream)

    return proxy.serving(await asyncio.start_server(handle, "127.0.0.1", 0))


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (Debian's openssl)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


async def tls_front(port: int, cert: Path, key: Path) -> Proxy:
    """https on a port of its own, forwarded as plain http to ``port`` (the sandbox)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    front = Proxy()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        front.seen.append("TLS")
        upstream = await asyncio.open_connection("127.0.0.1", port)
        await _splice((reader, writer), upstream)

    return front.serving(await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context))


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
