"""Downloader middleware that writes every response, as received, to the crawl's WARC file.

It sits next to the downloader (priority 950), so it sees bodies still content-encoded,
redirects before they are followed, and robots.txt, sitemaps and feeds as well as pages.
The capture's pointer and time go into ``request.meta`` for the spider to put on the Page.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.fetch.chromium import META_RENDER
from pipelines.archive import DEFAULT_COMPRESS_LEVEL, WarcCapture
from pipelines.record import discovery_order, utc_now
from pipelines.scrapy_adapters import stop_crawl

log = logging.getLogger(__name__)

META_POINTER = "clinic_raw"
META_FETCHED_AT = "clinic_fetched_at"


class WarcCaptureMiddleware:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        if not settings.getbool("CLINIC_RAW_CAPTURE"):
            raise NotConfigured("raw capture is off (--no-raw)")
        self.crawler = crawler
        self.max_bytes = settings.getint("CLINIC_RAW_MAX_BYTES")
        self.compress_level = settings.getint("CLINIC_RAW_COMPRESS_LEVEL", DEFAULT_COMPRESS_LEVEL)
        self.output = settings.get("CLINIC_OUTPUT_DIR")
        self.capture: WarcCapture | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcCaptureMiddleware:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        info = {
            "robots": "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            # what re-extraction needs to make the crawl's own decisions again
            "clinic-archive-sites": " ".join(sorted(spider.sites)),
            "clinic-archive-since": spider.since.isoformat() if spider.since else "",
            "clinic-archive-max-pagination": spider.max_pagination,
            # whether shells were re-fetched through a browser (reextract skips their plain captures)
            "clinic-archive-render": spider.render,
            "clinic-archive-render-missing": spider.render_missing or "",
        }
        shard = self.crawler.settings.get("CLINIC_SHARD")  # a distributed worker: its own WARC file
        self.capture = WarcCapture(self.output, spider.crawl_id, info, self.compress_level, shard)
        log.info("raw captures go to %s", self.capture.path)

    def spider_closed(self, spider: Any) -> None:
        if self.capture:
            self.capture.close()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        fetched_at = utc_now()
        request.meta[META_FETCHED_AT] = fetched_at
        if self.capture is None:
            return response
        if len(response.body) > self.max_bytes:
            self.crawler.stats.inc_value("clinic/raw/skipped_too_large")
            return response
        try:
            pointer = self.capture.capture(
                response.url,
                method=request.method,
                request_headers=_pairs(request.headers),
                status=response.status,
                response_headers=_pairs(response.headers),
                body=response.body,
                date=fetched_at,
                discovered_via=discovery_order(request.meta.get("via", ())),
                rendered=bool(request.meta.get(META_RENDER)),
            )
        except OSError as exc:  # disk full, quota, permissions: stop, as the archive itself would
            stop_crawl(self.crawler, f"cannot write raw captures to {self.capture.path}: {exc.strerror}")
            self.capture = None
            return response
        request.meta[META_POINTER] = pointer.as_dict()
        self.crawler.stats.inc_value("clinic/raw/captured")
        return response


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]
