"""Downloader middleware for incremental recrawls: every request for an archived page (also
one reached by a redirect) carries If-None-Match / If-Modified-Since from its last capture,
and a redirect to a page already confirmed unchanged in this crawl is not followed."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest

from pipelines.record import clean_url


class AlreadyConfirmed(IgnoreRequest):
    """The target is an archived page this crawl already knows to be unchanged."""


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        spider = self.crawler.spider
        page = getattr(spider, "known", {}).get(clean_url(request.url) or request.url)
        if page is None or page.removed:
            return
        if request.meta.get("redirect_urls") and page.id in spider.confirmed:
            self.crawler.stats.inc_value("clinic/skipped/unchanged_redirect_target")
            raise AlreadyConfirmed(f"{request.url} is archived and unchanged")
        if page.etag and b"If-None-Match" not in request.headers:
            request.headers["If-None-Match"] = page.etag
        if page.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers["If-Modified-Since"] = page.last_modified
