"""A small static site server on 127.0.0.1 for the demo and the tests.

It serves a directory the way a typical blog host does (``/blog/post/`` ->
``blog/post/index.html``, ``/blog/post`` -> ``blog/post.html``) and reads an optional
``_routes.json`` in the site root for what files alone cannot express::

    {"/old-post/": {"status": 301, "redirect": "/blog/new-post/"},
     "/blog/?page=2": {"file": "blog/page-2.html"},
     "/broken/": {"status": 500},
     "/guide": {"file": "files/guide.pdf", "content_type": "application/pdf"}}

A route key with a query string matches that exact query; otherwise the query is ignored,
as most servers do. A route with ``"gzip": true`` serves its file gzip-compressed (a
``.xml.gz`` sitemap). In text files (HTML, XML, robots.txt) the marker ``{{BASE}}`` is
replaced by the server's own base URL, so fixtures can hold absolute URLs although the
port is random. Files are served with ETag and Last-Modified (unless ``etags=False``) and
answer conditional requests with 304. Every request is recorded in ``SiteServer.requests`` for assertions.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import mimetypes
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "text/xsl",
    ".gz": "application/gzip",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
}
TEMPLATED_SUFFIXES = {".html", ".htm", ".xml", ".txt", ".rss", ".atom", ".json"}
NOT_FOUND = b"<!doctype html><html><head><title>Not found</title></head><body><h1>404</h1></body></html>"


class SiteServer:
    """Serve ``root`` on 127.0.0.1 (a free port by default) in a background thread."""

    def __init__(
        self,
        root: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
        etags: bool = True,
        poll_interval: float = 0.5,
    ) -> None:
        self.root = Path(root).resolve()
        self.delay = delay  # seconds before each answer: a slow site, for interrupting crawls
        self.etags = etags  # False: no ETag or Last-Modified, as many small hosts (bench/broad.py)
        # how often the idle server thread wakes to check for stop(): a thousand servers in one
        # process (bench/broad.py) wake less often, or their polling competes with the crawl
        self.poll_interval = poll_interval
        routes_file = self.root / "_routes.json"
        self.routes: dict[str, dict] = json.loads(routes_file.read_text()) if routes_file.exists() else {}
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self.request_times: list[float] = []  # time.monotonic() of each request's arrival
        self.in_flight = 0  # requests being answered now, and the most there ever were at once
        self.max_in_flight = 0
        self._count_lock = threading.Lock()
        self.not_modified: list[str] = []  # paths answered 304 to a conditional request
        self._httpd = _QuietServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SiteServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": self.poll_interval}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Release the socket of a server that was never started (``resolve`` used alone)."""
        self._httpd.server_close()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def paths_requested(self, method: str = "GET") -> list[str]:
        return [p for m, p in self.requests if m == method]

    def resolve(self, target: str) -> tuple[int, dict[str, str], bytes]:
        """Map a request target to (status, headers, body)."""
        parts = urlsplit(target)
        route = self.routes.get(target) or self.routes.get(parts.path)
        if route is not None:
            return self._from_route(route)
        file = self._find_file(parts.path)
        if file is None:
            return 404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND
        body = self._read(file)
        extra = validators(body, file.stat().st_mtime) if self.etags else {}
        return 200, {"Content-Type": _content_type(file), **extra}, body

    def _from_route(self, route: dict) -> tuple[int, dict[str, str], bytes]:
        headers = dict(route.get("headers", {}))
        status = int(route.get("status", 200))
        if "redirect" in route:
            headers["Location"] = route["redirect"]
            return status if 300 <= status < 400 else 301, headers, b""
        body = b""
        if "file" in route:
            file = self.root / route["file"]
            body = self._read(file)
            if route.get("gzip"):
                body = gzip.compress(body)
                headers.setdefault("Content-Type", "application/gzip")
            headers.setdefault("Content-Type", route.get("content_type") or _content_type(file))
        elif "body" in route:
            body = route["body"].encode("utf-8")
            headers.setdefault("Content-Type", route.get("content_type", "text/html; charset=utf-8"))
        elif status == 404:
            body = NOT_FOUND
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        return status, headers, body

    def _read(self, file: Path) -> bytes:
        body = file.read_bytes()
        if file.suffix.lower() in TEMPLATED_SUFFIXES:
            body = body.replace(b"{{BASE}}", self.url.encode("ascii"))
        return body

    def _find_file(self, path: str) -> Path | None:
        rel = path.lstrip("/")
        candidate = (self.root / rel).resolve()
        if self.root not in candidate.parents and candidate != self.root:
            return None  # path traversal
        if candidate.is_dir():
            candidate = candidate / "index.html"
        elif not candidate.exists() and not candidate.suffix:
            candidate = candidate.with_suffix(".html")
        if candidate.name.startswith("_") or not candidate.is_file():
            return None
        return candidate

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._respond(send_body=True)

            def do_HEAD(self) -> None:
                self._respond(send_body=False)

            def _respond(self, send_body: bool) -> None:
                with server._count_lock:
                    server.requests.append((self.command, self.path))
                    server.request_times.append(time.monotonic())
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    self._answer(send_body)
                finally:
                    with server._count_lock:
                        server.in_flight -= 1

            def _answer(self, send_body: bool) -> None:
                if server.delay:
                    time.sleep(server.delay)
                status, headers, body = server.resolve(self.path)
                if status == 200 and not_modified(self.headers, headers):
                    server.not_modified.append(self.path)
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def validators(body: bytes, mtime: float) -> dict[str, str]:
    """ETag and Last-Modified as a typical web server sends them for a static file."""
    return {
        "ETag": f'"{hashlib.sha1(body).hexdigest()[:16]}"',
        "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
    }


def not_modified(request_headers: Any, response_headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    etag = response_headers.get("ETag")
    if_none_match = request_headers.get("If-None-Match")
    if if_none_match is not None:
        return etag is not None and etag in [t.strip() for t in if_none_match.split(",")]
    since = request_headers.get("If-Modified-Since")
    modified = response_headers.get("Last-Modified")
    if since and modified:
        try:
            return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


class _QuietServer(ThreadingHTTPServer):
    # A crawler opens many connections at once; with the default backlog of 5 the kernel drops
    # SYNs, and the client sees a connect timeout that the site never caused.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-answer (a killed crawl) is normal here, not worth a traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _content_type(file: Path) -> str:
    return (
        CONTENT_TYPES.get(file.suffix.lower())
        or mimetypes.guess_type(file.name)[0]
        or "application/octet-stream"
    )
