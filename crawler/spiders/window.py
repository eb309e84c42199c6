"""Seeds released as sites finish: a broad crawl works on at most ``CLINIC_ACTIVE_SITES`` sites
at once, and takes the next seed when one of them has nothing left waiting or under way.

Scrapy reads a spider's start requests as fast as it can schedule them. With 100,000 seeds that
put 100,000 sites into the scheduler at once: its downloader-aware queue keeps one queue per site
and looks at every one of them for each request it hands out, so the crawl fetched nothing in its
first 85 s and grew to 575 MB. A window of active sites keeps both bounded by the window, not by
the seeds file, while still giving the downloader more sites than it can fetch from at once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import signals

from pipelines.record import site_key

COUNTED = "window_counted"  # request meta: counted as waiting for its site until it is dequeued


class SiteWindow:
    """How many sites have requests waiting in the scheduler or in the downloader."""

    def __init__(self, crawler: Any, size: int) -> None:
        self.crawler = crawler
        self.size = size
        self.waiting: dict[str, int] = {}  # site -> its requests in the scheduler
        crawler.signals.connect(self.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.dequeued, signal=signals.request_dropped)

    def scheduled(self, request: Any, spider: Any = None) -> None:
        site = site_key(request.url)
        self.waiting[site] = self.waiting.get(site, 0) + 1
        request.meta[COUNTED] = True

    def dequeued(self, request: Any, spider: Any = None) -> None:
        """Out of the scheduler: into the downloader (WindowMiddleware), or dropped as a duplicate."""
        if not request.meta.pop(COUNTED, False):
            return  # never scheduled (robots.txt fetched by Scrapy's middleware), or counted already
        site = site_key(request.url)
        left = self.waiting.get(site, 0) - 1
        if left > 0:
            self.waiting[site] = left
        else:
            self.waiting.pop(site, None)

    def active(self) -> int:
        """Sites with a request waiting or downloading (a cheap upper bound while far from full)."""
        downloading = self.crawler.engine.downloader.active
        if len(self.waiting) + len(downloading) < self.size:
            return len(self.waiting) + len(downloading)
        return len(self.waiting.keys() | {site_key(r.url) for r in downloading})

    async def room(self) -> None:
        """Return once fewer than ``size`` sites are active."""
        while self.active() >= self.size:
            await asyncio.sleep(0.1)


class WindowMiddleware:
    """First of the downloader middlewares: a request taken from the scheduler no longer waits
    there (whatever a later middleware does with it: robots.txt, budgets, the address policy)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> WindowMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        window = getattr(self.crawler.spider, "site_window", None)
        if window is not None:
            window.dequeued(request)
