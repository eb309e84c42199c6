"""A minimal HTTP/1.1 server over asyncio that serves a dict of in-memory pages on 127.0.0.1.

Benchmarks need a server that is never the bottleneck: ``http.server`` manages a few hundred
requests a second, this one several thousand (``load_test`` measures it). It speaks just
enough HTTP for Scrapy: GET/HEAD, keep-alive, Content-Length; unknown paths are 404.
It runs its own event loop in a daemon thread, so the bench process stays free.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

Route = tuple[str, list[bytes]]  # content type, body chunks
NOT_FOUND: Route = ("text/html; charset=UTF-8", [b"<html><body><h1>404</h1></body></html>"])


class _HttpProtocol(asyncio.Protocol):
    def __init__(self, routes: dict[str, Route], counter: list[int]) -> None:
        self.routes = routes
        self.counter = counter
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            self._respond(head)

    def _respond(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        method, target, _ = [*lines[0].split(b" ", 2), b"", b""][:3]
        path = target.split(b"?", 1)[0].decode("latin-1")
        found = self.routes.get(path)
        status, (ctype, chunks) = ("200 OK", found) if found else ("404 Not Found", NOT_FOUND)
        close = any(line.lower() == b"connection: close" for line in lines[1:])
        header = (
            f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {sum(map(len, chunks))}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        ).encode()
        self.counter[0] += 1
        assert self.transport is not None
        self.transport.writelines([header] if method == b"HEAD" else [header, *chunks])
        if close:
            self.transport.close()


class FastServer:
    """``FastServer()`` binds a free port at once (so pages can embed the URL); ``start(routes)`` serves."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.routes: dict[str, Route] = {}
        self.counter = [0]  # requests served
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self, routes: dict[str, Route]) -> FastServer:
        self.routes = routes
        factory: Callable[[], asyncio.Protocol] = lambda: _HttpProtocol(self.routes, self.counter)  # noqa: E731
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._serve(factory), self.loop)
        self.server = future.result(timeout=10)
        return self

    async def _serve(self, factory: Callable[[], asyncio.Protocol]) -> asyncio.Server:
        return await self.loop.create_server(factory, sock=self.sock, backlog=1024)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


# --- load test (runs in its own process: the client must not share the server's GIL) ---------


async def _client(host: str, port: int, paths: list[str], done: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for path in paths:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
        await reader.readexactly(length)
        done[0] += 1
    writer.close()


async def _load(url: str, paths: list[str], connections: int) -> tuple[int, float]:
    host, port = url.rsplit("/", 1)[-1].rsplit(":", 1)
    done = [0]
    started = time.perf_counter()
    share = [paths[i::connections] for i in range(connections)]
    await asyncio.gather(*(_client(host, int(port), s, done) for s in share))
    return done[0], time.perf_counter() - started


def load_test(url: str, paths: list[str], connections: int = 16) -> tuple[int, float]:
    """(requests answered, seconds) for GETs of ``paths`` over ``connections`` keep-alive sockets."""
    return asyncio.run(_load(url, paths, connections))
