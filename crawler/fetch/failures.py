"""How a failed request reads in errors.jsonl: a short error kind and a message a person can act on.

Scrapy reports failures as exception classes from Twisted and itself (``DownloadFailedError``
wrapping ``ResponseNeverReceived``, ``IgnoreRequest`` for robots.txt and decompression bombs,
...); this module turns each into one stable kind (``timeout``, ``connection_lost``,
``too_large``, ``decompression_bomb``, ``redirect_loop``, ...) and says how hard we tried.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetch.addresses import BlockedAddress, refusal_of
from crawler.fetch.chromium import META_RENDER, RenderTimeout
from crawler.fetch.redirects import OffsiteRedirect, RedirectLoop, TooManyRedirects


def attempts(request: scrapy.Request) -> int:
    """How many times a request was sent (retries included)."""
    return request.meta.get("retry_times", 0) + 1


def _after(request: scrapy.Request) -> str:
    n = attempts(request)
    return f" after {n} attempts" if n > 1 else ""


def http_error_message(response: Response, request: scrapy.Request) -> str:
    """ "HTTP 503 Service Unavailable after 3 attempts (Retry-After: 120)": what and how hard we tried."""
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    message = f"HTTP {response.status} {phrase}".rstrip()
    if request.meta.get("redirect_urls"):
        message += f" at {request.url}"
    message += _after(request)
    retry_after = response.headers.get(b"Retry-After")
    if retry_after:
        message += f" (Retry-After: {retry_after.decode('latin-1').strip()})"
    return message


FAILURE_KINDS = {
    "IgnoreRequest": "ignored",
    "DNSLookupError": "dns_error",
    "CannotResolveHostError": "dns_error",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadTimeoutError": "timeout",
    "ConnectionRefusedError": "connection_refused",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "ResponseFailed": "connection_lost",
    "ResponseDataLossError": "connection_lost",
    "DownloadCancelledError": "too_large",
    "CancelledError": "too_large",
    "DownloadFailedError": "download_failed",
    "RedirectLoop": "redirect_loop",
    "TooManyRedirects": "too_many_redirects",
    "OffsiteRedirect": "offsite_redirect",
    "BlockedAddress": "blocked_address",
}


def describe_failure(failure: Failure, maxsize: int = 0) -> tuple[str, str]:
    """A short error kind and a readable message for a download failure."""
    exc = failure.value
    request = getattr(failure, "request", None)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, IgnoreRequest) and "robots.txt" in detail.lower():
        return "robots_disallowed", "disallowed by the site's robots.txt"
    if isinstance(exc, (RedirectLoop, TooManyRedirects, OffsiteRedirect, BlockedAddress)):
        return FAILURE_KINDS[type(exc).__name__], detail
    if request is not None and request.meta.get(META_RENDER):  # the browser's failures, kind by kind
        return _render_failure(exc)
    host = urlsplit(request.url).hostname if request is not None else None
    if host and (refused := refusal_of(host)):  # the resolver refused it; Twisted says "no results"
        return "blocked_address", refused
    limit = f"DOWNLOAD_MAXSIZE ({maxsize:,} bytes)" if maxsize else "DOWNLOAD_MAXSIZE"
    if type(exc.__cause__).__name__ == "_DecompressionMaxSizeExceeded":
        return "decompression_bomb", f"the compressed body inflates past {limit}; not read"
    name = type(exc).__name__
    if name == "DownloadFailedError" and type(exc.__cause__).__name__ in FAILURE_KINDS:
        name = type(exc.__cause__).__name__  # Scrapy wraps Twisted's ResponseFailed family
    kind = FAILURE_KINDS.get(name, "download_error")
    timeout = request.meta.get("download_timeout") if request is not None else None
    message = _failure_message(name, kind, detail, timeout, limit)
    return kind, message + (_after(request) if request is not None else "")


def _render_failure(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, RenderTimeout):
        return "render_timeout", str(exc)
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if "Timeout" in type(exc).__name__ or "Timeout " in detail:
        return "render_timeout", f"the browser timed out: {detail}"
    return "render_failed", f"the browser could not render the page: {detail}"


def _failure_message(name: str, kind: str, detail: str, timeout: float | None, limit: str) -> str:
    if name == "ResponseNeverReceived":
        return "the server closed the connection without answering"
    if kind == "timeout" and timeout:
        return f"no complete response within {timeout:g} s (DOWNLOAD_TIMEOUT)"
    return {
        "connection_lost": "the server closed the connection before the response was complete",
        "connection_refused": "the server refused the connection",
        "dns_error": "the host name could not be resolved",
        "too_large": f"the body is larger than {limit}; download cancelled",
    }.get(kind, f"{name}: {detail}")
