"""Incremental recrawls for the clinic_blog spider: a post whose sitemap ``lastmod`` predates our
last fetch is not asked for again, and once discovery is done the archived posts it did not
reach are re-checked (gone: a tombstone; still there: unchanged, or a new version). A mixin of
``ClinicBlogSpider``; conditional request headers are added by crawler/fetch/conditional.py.
"""

from __future__ import annotations

from scrapy.exceptions import DontCloseSpider

from crawler.discovery import modified_before
from crawler.spiders.site_maps import PRIORITY


class RecrawlMixin:
    """Skipping and re-checking archived posts (see the module docstring)."""

    def _unchanged_per_sitemap(self, url: str, lastmod: str | None) -> bool:
        """The sitemap says an archived page has not changed since we fetched it (or already
        said so): no need to ask the server, not even conditionally."""
        page = self.known.get(url)
        if not page or page.removed or not self.trust_lastmod:
            return False
        if page.id in self.confirmed:
            return True
        if modified_before(lastmod, page.fetched_at):
            self.confirmed.add(page.id)
            self._count("skipped/unchanged_lastmod")
            return True
        return False

    def on_idle(self) -> None:
        """Once discovery is done, re-check archived pages it did not reach: a post that left
        the sitemap may be gone (a tombstone) or still there (unchanged, or a new version).
        A distributed worker instead waits until the whole crawl is done."""
        if self.coordinator is not None:
            self.coordinator.on_idle()  # raises DontCloseSpider until nothing is left anywhere
            return
        if self._rechecked:
            return
        self._rechecked = True
        pages = {p.id: p for p in self.known.values()}.values()
        todo = [
            p
            for p in pages
            if not p.removed
            and p.id not in self.confirmed
            and not {p.url, p.canonical_url} & self._requested
            and not (self.since and p.published and p.published < self.since.isoformat())
        ]
        for page in todo:
            if self.max_pages and self._pages_requested >= self.max_pages:
                self._count("skipped/max_pages")
                continue
            self._requested.add(page.url)
            self._pages_requested += 1
            self._count("rechecked")
            self.crawler.engine.crawl(self._page_request(page.url, PRIORITY["link"]))
        if todo:
            raise DontCloseSpider
