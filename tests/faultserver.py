"""A web server on 127.0.0.1 that misbehaves on purpose, for the fault-matrix tests.

Each route maps a path to a ``Reply``, or to a function of (request target, attempt number)
that returns one, so a route can fail first and recover later. Besides ordinary answers a
reply can hang without answering, stall in the middle of its body, close the connection
mid-body, omit Content-Length, or be any bytes at all (a gzip bomb, a mis-declared charset).
Every request is recorded with the time it arrived, for assertions on what the crawler asked.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"
MAX_HANG = 30.0  # seconds a hanging handler waits at most (stop() releases it at once)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False  # accept the request and never answer
    drop: bool = False  # close the connection without answering
    stall_after: int | None = None  # send headers and this many body bytes, then nothing more
    close_after: int | None = None  # send headers (full Content-Length) and this many bytes, then close
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


Route = Reply | Callable[[str, int], Reply]


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


class FaultServer:
    """Serve ``build(base_url)`` (a dict of routes) until stopped. Unknown paths are 404s."""

    def __init__(self, build: Callable[[str], dict[str, Route]], host: str = "127.0.0.1") -> None:
        self._httpd = _Server((host, 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.requests: list[tuple[float, str]] = []  # (time.monotonic(), target) in arrival order
        self.user_agents: set[str] = set()  # the User-Agent headers it was sent
        self._attempts: dict[str, int] = {}
        self.routes = build(self.url)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def start(self) -> FaultServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def targets(self) -> list[str]:
        return [target for _, target in self.requests]

    def hits(self, path: str) -> list[float]:
        """Arrival times of the requests for ``path`` (query ignored)."""
        return [t for t, target in self.requests if urlsplit(target).path == path]

    def reply_for(self, target: str) -> Reply:
        with self._lock:
            self.requests.append((time.monotonic(), target))
            self._attempts[target] = attempt = self._attempts.get(target, 0) + 1
        route = self.routes.get(target) or self.routes.get(urlsplit(target).path)
        if route is None:
            route = next(
                (r for p, r in self.routes.items() if p.endswith("*") and target.startswith(p[:-1])), None
            )
        if route is None:
            return Reply(status=404, body=b"<html><body><h1>Not found</h1></body></html>")
        return route(target, attempt) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.user_agents.add(self.headers.get("User-Agent", ""))
                self._answer(server.reply_for(self.path))

            def _answer(self, reply: Reply) -> None:
                if reply.hang:
                    server._stopping.wait(MAX_HANG)
                    self.close_connection = True
                    return
                if reply.drop:
                    self._hang_up()
                    return
                self.send_response(reply.status)
                headers = dict(reply.headers)
                if reply.content_type:
                    headers.setdefault("Content-Type", reply.content_type)
                if reply.content_length:
                    headers["Content-Length"] = str(len(reply.body))
                else:
                    headers["Connection"] = "close"
                    self.close_connection = True
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                cut = reply.stall_after if reply.stall_after is not None else reply.close_after
                self.wfile.write(reply.body if cut is None else reply.body[:cut])
                self.wfile.flush()
                if reply.stall_after is not None:
                    server._stopping.wait(MAX_HANG)
                    self.close_connection = True
                elif reply.close_after is not None:
                    self._hang_up()

            def _hang_up(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):  # the client may have gone first
                    self.connection.shutdown(socket.SHUT_RDWR)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # a crawler opens many connections at once; 5 (the default) drops SYNs

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up on a huge or broken answer is what these tests provoke."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


# --- pages --------------------------------------------------------------------------------


def article_html(
    title: str,
    paragraphs: list[str],
    *,
    published: str = "2024-03-14",
    head: str = "",
    lang: str = "en",
    links: list[str] | None = None,
) -> str:
    """A blog post as a typical CMS writes it: JSON-LD BlogPosting, og:type article, one <article>."""
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": title,
            "datePublished": published,
        },
        ensure_ascii=False,
    )
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    nav = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links or [])
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}<title>{title}</title>'
        f'<meta property="og:type" content="article">'
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><nav><ul>{nav}</ul></nav><main><article><h1>{title}</h1>"
        f'<time datetime="{published}">{published}</time>{body}</article></main></body></html>'
    )


def filler(topic: str) -> list[str]:
    """Two ordinary paragraphs, so a post reads like one."""
    return [
        f"Many patients ask us about {topic}. Our physiotherapists explain what the research says, "
        "what you can do at home, and when it is worth booking an assessment with the clinic team.",
        "Gentle, regular movement usually helps more than rest. Start with short sessions, increase "
        "them slowly over several weeks, and stop any exercise that makes the pain clearly worse.",
    ]


def small_host_blog(posts: list[str], sitemap_delay: float = 1.0) -> Callable[[str], dict[str, Route]]:
    """A small host's clinic blog: no ETag or Last-Modified (FaultServer sends neither), a home
    page whose "Recent posts" link every post, and a slow sitemap (a plugin building it) whose
    lastmod dates, early 2024, predate any fetch of ours: a recrawl reaches the posts by link
    before the sitemap can say they are unchanged."""

    def build(base: str) -> dict[str, Route]:
        links = "".join(f'<li><a href="{p}">Post {i}</a></li>' for i, p in enumerate(posts))
        urls = "".join(
            f"<url><loc>{base}{p}</loc><lastmod>2024-01-0{i % 9 + 1}</lastmod></url>"
            for i, p in enumerate(posts)
        )

        def slow_sitemap(target: str, attempt: int) -> Reply:
            time.sleep(sitemap_delay)
            body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return Reply(body=body.encode(), content_type="application/xml")

        home = f"<html><body><h1>Clinic</h1><h2>Recent posts</h2><ul>{links}</ul></body></html>"
        return {
            "/": Reply(body=home.encode()),
            "/robots.txt": Reply(
                body=f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), content_type="text/plain"
            ),
            "/sitemap.xml": slow_sitemap,
            **{
                p: Reply(body=article_html(f"Post {i}", filler(f"topic {i}")).encode())
                for i, p in enumerate(posts)
            },
        }

    return build
