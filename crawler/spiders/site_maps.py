"""robots.txt, sitemaps and feeds for the clinic_blog spider: where a site says its posts are.

A mixin of ``ClinicBlogSpider`` (crawler/spiders/clinic_blog.py): its methods use the spider's
``_follow``, ``_count``, ``_on_site``, ``_first_url`` and callbacks. The parsing itself is pure
and lives in ``crawler.discovery``; here each result becomes requests, follow-ups or errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.discovery import (
    DecompressionBombError,
    DiscoveryError,
    is_post_sitemap,
    is_taxonomy_sitemap,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.fetch import OverBudget
from pipelines.record import PageError, clean_url, site_key, site_root

# Higher runs first: read the site's own maps before wandering its links.
PRIORITY = {"robots": 100, "sitemap": 90, "feed": 80, "seed": 70, "post": 50, "listing": 20, "link": 0}


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class SiteMapsMixin:
    """Discovery from robots.txt, sitemaps and feeds (see the module docstring)."""

    def _init_site_maps(self) -> None:
        self._sitemaps_started: set[str] = set()  # sites whose sitemap discovery has begun
        self._sitemaps_requested: set[str] = set()  # sitemap and feed URLs asked for (each once)
        self._maps_pending: dict[str, int] = {}  # site -> its sitemap and feed requests not answered
        # site -> {archived URL: (priority, via)}: page links to archived posts, held until the
        # site's sitemaps are read, so a lastmod can spare the request (crawler/spiders/recrawl.py)
        self._held: dict[str, dict[str, tuple[int, str]]] = {}
        self._held_shared: set[str] = set()  # links this worker held on Redis (distributed/maps.py)
        self._releasing = False  # following released links: none is held again

    def admit_discovery(self, request: scrapy.Request) -> None:
        """Raise ``OverBudget`` for a sitemap or feed the budgets no longer allow; called by
        ``DiscoveryBudgetMiddleware`` just before the download."""
        enough = max(self._pages_requested, self._likely_posts)  # spent, or enough posts waiting
        if self.max_pages and self.coordinator is None and enough >= self.max_pages:
            self._count("skipped/discovery_after_max_pages")
            raise OverBudget(request.url, "max_pages")
        if request.meta.get("discovery") != "sitemap":
            return
        site = site_key(request.url)
        if self.budgets.take(site, ("sitemaps",)) is None:
            return
        self._count("skipped/sitemap_budget")
        raise OverBudget(request.url, "sitemaps", first=self.budgets.refuse(site, "sitemaps"))

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Scrapy parsed a site's robots.txt: start its sitemaps from the ``Sitemap:`` lines."""
        if not self._on_site(request.url):
            return
        protego = getattr(robotparser, "rp", None)
        sitemaps = [u for u in (clean_url(s, request.url) for s in getattr(protego, "sitemaps", [])) if u]
        for sitemap_request in self._start_sitemaps(site_root(request.url), sitemaps):
            self.crawler.engine.crawl(sitemap_request)

    def _robots_output(self, response: Response) -> Iterator[Any]:
        body = response.body.decode("utf-8", "replace")
        yield from self._start_sitemaps(response.meta["site_root"], robots_sitemaps(body, response.url))

    def robots_failed(self, failure: Failure) -> Iterator[Any]:
        yield from self._settled(failure.request, self._start_sitemaps(failure.request.meta["site_root"], []))

    def _start_sitemaps(self, root: str, sitemaps: list[str]) -> Iterator[scrapy.Request]:
        """The sitemaps robots.txt names, or the usual locations when it names none. Once per site."""
        site = site_key(root)
        if site in self._sitemaps_started:
            return
        self._sitemaps_started.add(site)
        for url in sitemaps:
            if not self._on_site(url):  # allowed (a CDN may hold it), read for this site's URLs only
                self._count("offsite_sitemaps")
            yield from self._sitemap_request(url, site=site)
        if not sitemaps:
            for path in self.probe_sitemaps:
                yield from self._sitemap_request(root.rstrip("/") + path, probe=True, site=site)

    def _sitemap_request(
        self, url: str, probe: bool = False, parents: list[str] | None = None, site: str | None = None
    ) -> Iterator[scrapy.Request]:
        """A sitemap's request, once per URL, counted as pending for the site whose posts it lists
        (``site``; a CDN's sitemap reads for the seed's site) until its answer has been read."""
        site = self._map_pending(url, site)
        if site is None:
            return
        meta: dict[str, Any] = {"probe": probe, "stage": "discover", "discovery": "sitemap", "map_site": site}
        if parents:
            meta["sitemap_parents"] = parents  # the indexes that led here, to see a loop coming
        yield scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_error,
            priority=PRIORITY["sitemap"],
            meta=meta,
            # once per URL by _map_pending; a distributed crawl's shared duplicate filter still sees
            # them (its workers share no set)
            dont_filter=self.coordinator is None,
        )

    def _map_pending(self, url: str, site: str | None = None) -> str | None:
        """The site a sitemap or feed URL is read for, now pending until its answer is read; None
        when the URL was asked for already (each once: every one is then answered and counted
        off, which Scrapy's duplicate filter, dropping repeats silently, would not allow)."""
        key = clean_url(url) or url
        if key in self._sitemaps_requested:
            return None
        self._sitemaps_requested.add(key)
        site = site or site_key(url)
        if self.coordinator is not None:  # pending crawl-wide, once per URL across the workers
            return site if self.coordinator.maps.asked(key, site) else None
        self._maps_pending[site] = self._maps_pending.get(site, 0) + 1
        return site

    def _sitemap_read(self, request: scrapy.Request) -> Iterator[Any]:
        """A sitemap or feed request is answered (or failed): when it was its site's last, the
        page links held back for it go on (crawler/spiders/recrawl.py)."""
        site = request.meta.get("map_site")
        if site is not None and self.coordinator is not None:  # the links any worker held for it
            first = self._first_url(request)
            yield from self._release(self.coordinator.map_read(clean_url(first) or first, site))
            return
        if site is None or site not in self._maps_pending:
            return
        self._maps_pending[site] -= 1
        if self._maps_pending[site] <= 0:
            del self._maps_pending[site]
            yield from self._release_held(site)

    def _sitemap_output(self, response: Response) -> Iterator[Any]:
        try:
            sitemap = parse_sitemap(
                response.body, response.url, self.max_sitemap_urls, self.max_body_bytes or 50 * 1024**2
            )
        except DiscoveryError as exc:
            if response.meta.get("probe"):
                self._count("probe_not_sitemap")
                return
            kind = "decompression_bomb" if isinstance(exc, DecompressionBombError) else "bad_sitemap"
            yield PageError(self._first_url(response.request), "discover", kind, str(exc))
            return
        self._count("sitemaps")
        if sitemap.is_index:
            yield from self._sitemap_children(response, sitemap.entries)
        else:
            entries = [e for e in sitemap.entries if self._on_site(e.url)]  # the protocol's scope
            if len(entries) < len(sitemap.entries):
                self._count("skipped/offsite_sitemap_urls", len(sitemap.entries) - len(entries))
            sitemap.entries = entries
            # the budget of the site the URLs belong to (a sitemap may live on a CDN's host)
            site = site_key(entries[0].url) if entries else site_key(response.url)
            taken = self.budgets.use(site, "sitemap_urls", len(sitemap.entries))
            if taken < len(sitemap.entries):
                self._count("skipped/sitemap_url_budget", len(sitemap.entries) - taken)
                if self.budgets.refuse(site, "sitemap_urls", len(sitemap.entries) - taken):
                    yield PageError(
                        self._first_url(response.request),
                        "discover",
                        "sitemap_url_budget",
                        self.budgets.message(site, "sitemap_urls"),
                    )
            via = "post_sitemap" if is_post_sitemap(response.url) else "sitemap"
            for entry in sitemap.entries[:taken]:
                yield from self._follow(
                    entry.url, PRIORITY["post"], known_date=entry.date, lastmod=entry.stamp, via=via
                )
        if sitemap.problem:  # after the entries: they are queued before the error is archived
            yield PageError(
                self._first_url(response.request),
                "discover",
                "bad_sitemap",
                f"{sitemap.problem}; used the "
                f"{plural(len(sitemap.entries), 'complete entry', 'complete entries')} before it",
            )

    def _sitemap_children(self, response: Response, entries: list[Any]) -> Iterator[Any]:
        """Child sitemaps of an index, except taxonomy ones and any that lead back up the chain."""
        parents = [*response.meta.get("sitemap_parents", []), clean_url(response.url) or response.url]
        looped = []
        for entry in entries:
            if not self._on_site(entry.url):
                continue
            if entry.url in parents:
                looped.append(entry.url)
            elif is_taxonomy_sitemap(entry.url):
                self._count("skipped/taxonomy_sitemap")
            else:
                yield from self._sitemap_request(
                    entry.url, parents=parents, site=response.meta.get("map_site")
                )
        if looped:
            what = "itself" if looped == parents[-1:] else ", ".join(looped) + " (an index above it)"
            yield PageError(
                self._first_url(response.request),
                "discover",
                "sitemap_loop",
                f"the sitemap index lists {what}; not followed again",
            )

    def _feed_request(self, url: str, probe: bool = False) -> Iterator[scrapy.Request]:
        """A feed's request, once per URL, pending for its site like a sitemap (an Atom entry's
        ``updated`` spares an archived post as a sitemap's lastmod does)."""
        site = self._map_pending(url)
        if site is None:
            return
        yield scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.on_error,
            priority=PRIORITY["feed"],
            meta={"probe": probe, "stage": "discover", "discovery": "feed", "map_site": site},
            dont_filter=self.coordinator is None,  # once per URL by _map_pending, as sitemaps
        )

    def _feed_output(self, response: Response) -> Iterator[Any]:
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            if response.meta.get("probe"):
                self._count("probe_not_feed")
                return
            yield PageError(self._first_url(response.request), "discover", "bad_feed", str(exc))
            return
        self._count("feeds")
        for entry in entries:
            yield from self._follow(
                entry.url, PRIORITY["post"], known_date=entry.date, lastmod=entry.stamp, via="feed"
            )
