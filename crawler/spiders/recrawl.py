"""Incremental recrawls for the clinic_blog spider: a post whose sitemap ``lastmod`` predates our
last fetch is not asked for again, and once discovery is done the archived posts it did not
reach are re-checked (gone: a tombstone; still there: unchanged, or a new version). A mixin of
``ClinicBlogSpider``; conditional request headers are added by crawler/fetch/conditional.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import DontCloseSpider

from crawler.discovery import modified_before
from crawler.spiders.site_maps import PRIORITY
from pipelines.record import site_key


class RecrawlMixin:
    """Skipping and re-checking archived posts (see the module docstring)."""

    def _unchanged_per_sitemap(self, url: str, lastmod: str | None) -> bool:
        """The sitemap says an archived page has not changed since we fetched it (or already
        said so): no need to ask the server, not even conditionally. (Not for a page already
        asked for: what the server answered decides, and nothing was spared.)"""
        page = self.known.get(url)
        if not page or page.removed or not self.trust_lastmod or url in self._requested:
            return False
        if page.id in self.confirmed:
            return True
        if self.coordinator is not None and self.coordinator.maps.confirmed(page.id):
            self.confirmed.add(page.id)  # another worker found it unchanged
            return True
        if modified_before(lastmod, page.fetched_at):
            self.confirmed.add(page.id)
            self._count("skipped/unchanged_lastmod")
            self._seen_unchanged(url)
            return True
        return False

    def _seen_unchanged(self, url: str) -> None:
        """An archived post confirmed unchanged without a new line (a sitemap lastmod, a 304):
        counted for its site (crawler/sites.py)."""
        page = self.known.get(url)
        if self.coordinator is not None and page is not None and not self.coordinator.confirm(page.id):
            return  # another worker confirmed it first (a 304 there, a lastmod here): counted once
        tally = getattr(self.crawler, "site_tally", None)
        if tally is not None:
            tally.article(url, "unchanged")

    def _held_back(self, url: str, priority: int, via: str) -> bool:
        """Hold a page link to an archived post until its site's sitemaps and feeds are read: the
        home page's "Recent posts" reach it first, and only a sitemap's lastmod (or an Atom
        entry's updated) can say it is unchanged on a server that sends no ETag or Last-Modified.
        In a distributed crawl the state is on Redis (crawler/distributed/maps.py)."""
        page = self.known.get(url)
        if page is None or page.removed or not self.trust_lastmod or self._releasing:
            return False
        if via not in ("link", "listing") or page.id in self.confirmed:
            return False
        site = site_key(url)
        if self.coordinator is not None:  # the site's maps may be read by another worker
            if url in self._held_shared:
                return True
            held = self.coordinator.maps.hold(site, (url, priority, via))
            if held:
                self._held_shared.add(url)
            return held
        if site in self._sitemaps_started and site not in self._maps_pending:
            return False  # its sitemaps are read
        self._held.setdefault(site, {}).setdefault(url, (priority, via))
        return True

    def _release_held(self, site: str) -> Iterator[Any]:
        """The held links of a site whose sitemaps are now read, followed as found."""
        yield from self._release(
            (url, priority, via) for url, (priority, via) in self._held.pop(site, {}).items()
        )

    def _release(self, held: Iterable[tuple[str, int, str]]) -> Iterator[Any]:
        """Follow held links now (none is held again), skipping posts found unchanged since."""
        for url, priority, via in held:
            self._held_shared.discard(url)
            self._releasing = True  # read by _held_back: while set, nothing is held
            try:
                output = list(self._follow(url, priority, via=via))  # all now, not between yields
            finally:
                self._releasing = False
            yield from output

    def follow_held(self, held: list[tuple[str, int, str]]) -> None:
        """A distributed worker that found nothing else left: the links held for maps that
        never answered go on (called by the coordinator; crawler/distributed/maps.py)."""
        for output in self._release(held):
            if isinstance(output, scrapy.Request):
                self.crawler.engine.crawl(output)
            else:
                self.logger.warning("not archived at the end of discovery: %r", output)

    def on_idle(self) -> None:
        """Once discovery is done, re-check archived pages it did not reach: a post that left
        the sitemap may be gone (a tombstone) or still there (unchanged, or a new version).
        A distributed worker instead waits until the whole crawl is done."""
        if self.coordinator is not None:
            self.coordinator.on_idle()  # raises DontCloseSpider until nothing is left anywhere
            return
        if self._held:  # sitemaps that never answered (a crawl resumed after they were read)
            released = [r for site in list(self._held) for r in self._release_held(site)]
            requests = [r for r in released if isinstance(r, scrapy.Request)]
            for request in requests:
                self.crawler.engine.crawl(request)
            for other in released:
                if not isinstance(other, scrapy.Request):
                    self.logger.warning("not archived at the end of discovery: %r", other)
            if requests:
                raise DontCloseSpider
        if self._rechecked:
            return
        self._rechecked = True
        if self.recheck_archived(lambda urls: [u in self._requested for u in urls]):
            raise DontCloseSpider

    def recheck_archived(self, reached: Callable[[list[str]], list[bool]]) -> int:
        """Ask again for the archived pages this crawl did not reach (``reached``: whether each
        URL was requested; a distributed crawl asks Redis) and did not find unchanged; returns
        how many were asked for."""
        pages = [
            p
            for p in {p.id: p for p in self.known.values()}.values()
            if not p.removed
            and p.id not in self.confirmed
            and not (self.since and p.published and p.published < self.since.isoformat())
        ]
        if self.coordinator is not None:  # or found unchanged by another worker
            elsewhere = self.coordinator.maps.confirmed_many([p.id for p in pages])
            pages = [p for p, confirmed in zip(pages, elsewhere, strict=True) if not confirmed]
        seen = reached([u for p in pages for u in (p.url, p.canonical_url)])
        todo = [p for i, p in enumerate(pages) if not (seen[2 * i] or seen[2 * i + 1])]
        for page in todo:
            if self.max_pages and self._pages_requested >= self.max_pages:
                self._count("skipped/max_pages")
                continue
            self._requested.add(page.url)
            self._count("rechecked")
            self.crawler.engine.crawl(self._page_request(page.url, PRIORITY["link"]))
        return len(todo)
