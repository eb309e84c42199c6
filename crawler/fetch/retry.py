"""Retries that listen to the server: ``Retry-After`` is honoured and a 429 slows the whole site.

Scrapy's RetryMiddleware retries at once and ignores ``Retry-After``, which hammers a server
that has just asked us to wait. This subclass keeps its budget (``RETRY_TIMES``) and codes
(``RETRY_HTTP_CODES``) but holds each retry back: for ``Retry-After`` seconds when the server
says so (at most ``CLINIC_RETRY_AFTER_MAX``), else ``CLINIC_RETRY_BACKOFF`` doubled per attempt.
A 429, or any answer with ``Retry-After``, also raises the site's download delay (Scrapy's own
per-site slot) to that wait, so the site gets one request per wait instead of a burst when the
wait is over, while other sites carry on; the first ordinary answer from it restores the delay.
Retries stay inside the downloader, so the spider sees only the last answer: a page that fails
three times is still one line in errors.jsonl.
"""

from __future__ import annotations

import email.utils
import logging
import time
from datetime import UTC
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

log = logging.getLogger(__name__)

META_NOT_BEFORE = "clinic_not_before"  # epoch seconds: a retry is not sent before this


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); None if unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def retry_wait(retry_after: float | None, attempt: int, backoff: float, max_wait: float) -> float:
    """How long retry number ``attempt`` (1, 2, ...) waits: what the server asked, else exponential."""
    wait = retry_after if retry_after is not None else backoff * 2 ** (attempt - 1)
    return max(0.0, min(wait, max_wait))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("CLINIC_RETRY_AFTER_MAX", 60.0)
        self.backoff = crawler.settings.getfloat("CLINIC_RETRY_BACKOFF", 1.0)
        # download slot (site) -> (its delay before we raised it, when we raised it)
        self._slowed: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        """A retry waits for its own time (the rest of its site is slowed through its slot)."""
        wait = request.meta.get(META_NOT_BEFORE, 0.0) - time.time()
        if wait > 0:
            await sleep(wait)

    def _slow_down(self, request: Any, delay: float) -> None:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None or slot.delay >= delay:
            return
        self._slowed[key] = (self._slowed.get(key, (slot.delay, 0.0))[0], time.time())
        slot.delay = delay
        self.crawler.stats.inc_value("clinic/retry/site_slowed")

    def _recovered(self, request: Any) -> None:
        """An ordinary answer to a request sent after the slow-down: the site is fine again."""
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        if key not in self._slowed or key not in downloader.slots:
            return
        delay, since = self._slowed[key]
        if time.time() - request.meta.get("download_latency", 0.0) > since:
            downloader.slots[key].delay = delay
            del self._slowed[key]

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            if self._slowed:
                self._recovered(request)
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response  # out of attempts: the spider logs it, once
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        wait = retry_wait(retry_after, retry.meta["retry_times"], self.backoff, self.max_wait)
        retry.meta[META_NOT_BEFORE] = time.time() + wait
        if response.status == 429 or retry_after is not None:
            self._slow_down(request, wait)
        self.crawler.stats.inc_value("clinic/retry/waited_s", round(wait, 2))
        log.info(
            "HTTP %s from %s: retry %d in %.1f s%s",
            response.status,
            request.url,
            retry.meta["retry_times"],
            wait,
            f" (Retry-After: {retry_after:.0f} s)" if retry_after is not None else "",
        )
        return retry
