"""Rendering in a browser, only for the requests that ask for it (``--render``).

``RenderHandler`` is Scrapy's HTTP/1.1 download handler for http and https. A request whose meta
has ``playwright`` set (the key scrapy-playwright reads) goes instead to a headless Chromium driven
by scrapy-playwright (crawler/fetch/browser.py), started at the first such request: a crawl that
renders nothing never starts a browser. Either way the request passes the same downloader
middlewares and download slots first, so robots.txt, delays, per-site concurrency, the address
policy and the WARC capture apply to rendered fetches exactly as to plain ones.

scrapy-playwright and a Chromium binary are optional (``pip install 'clinic-archive[render]'``,
Debian's ``chromium``): ``render_support`` (crawler/fetch/chromium.py) says what is missing. With
``--render auto`` a missing browser only means shells are listed as skipped, saying so;
``--render always`` refuses to start.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from crawler.fetch.chromium import META_RENDER


class RenderHandler(HTTP11DownloadHandler):
    """Plain requests as Scrapy fetches them; ``meta["playwright"]`` ones through the browser."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self.browser: Any = None  # crawler.fetch.browser.BrowserHandler, once started
        self._starting: asyncio.Lock | None = None
        # robots.txt as Scrapy parsed it, per host: the browser's own requests obey it too
        self.robots: dict[str, Any] = {}
        robots_signal = getattr(signals, "robots_parsed", None)
        if robots_signal is not None:
            crawler.signals.connect(self._robots_parsed, signal=robots_signal)

    def _robots_parsed(self, robotparser: Any, request: Any) -> None:
        self.robots[urlsplit(request.url).netloc] = robotparser

    async def download_request(self, request: Any) -> Any:
        # the last moment before the network: a limit reached while the request waited in its
        # site's download queue still stops it (the spider's admit_download raises OverBudget)
        admit = getattr(self.crawler.spider, "admit_download", None)
        if admit is not None:
            admit(request)
        if not request.meta.get(META_RENDER):
            return await super().download_request(request)
        browser = await self._browser()
        started = time.monotonic()
        try:
            return await browser.render(request)
        finally:
            self._site_touched(request, time.monotonic() - started)

    def _site_touched(self, request: Any, seconds: float) -> None:
        """The site's delay counts from the end of a rendering, not its start: the browser was
        still loading the page's scripts and data from the site until now. (Scrapy counts from
        when a request leaves its download slot, its ``lastseen``, which for a plain request is
        when it is sent: that moment is moved on by the time the browser took.)"""
        downloader = getattr(self.crawler.engine, "downloader", None)
        slot = getattr(downloader, "slots", {}).get(request.meta.get("download_slot"))
        if slot is not None and hasattr(slot, "lastseen"):
            slot.lastseen += seconds

    async def _browser(self) -> Any:
        if self.browser is None:
            self._starting = self._starting or asyncio.Lock()
            async with self._starting:
                if self.browser is None:
                    from crawler.fetch.browser import BrowserHandler  # scrapy-playwright: the extra

                    browser = BrowserHandler(self.crawler, self.robots)
                    await browser.start()
                    self.browser = browser
        return self.browser

    async def close(self) -> None:
        await super().close()
        if self.browser is not None:
            await self.browser.close()
