"""The ``clinic_blog`` spider: finds every post of a clinic site and fetches it. No extraction.

Discovery order per site: robots.txt (its ``Sitemap:`` lines, or the usual sitemap paths
when it names none), the seed page (its feeds, pagination and links), then whatever those
lead to. robots.txt is fetched once: Scrapy's RobotsTxtMiddleware fetches it to obey it,
and its ``robots_parsed`` signal hands us the parsed file; only when robots.txt is not
obeyed (or an older Scrapy lacks that signal) does the spider request it itself.

Every HTML page goes down the item pipelines as a ``Page``; failures become ``PageError``
items so the archive logs each one exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from itertools import chain
from typing import Any

import scrapy
from scrapy import signals
from scrapy.http import HtmlResponse, Response

from crawler.discovery import (
    Limits,
    PageDedup,
    SeedError,
    SiteBudgets,
    UrlKind,
    extract_links,
    html_root,
    is_listing,
    lists_posts,
    parse_seeds,
    response_kind,
    url_kind,
    url_trap,
)
from crawler.distributed import Coordinator, SharedBudgets
from crawler.fetch import (
    META_FETCHED_AT,
    META_POINTER,
    META_RENDER,
    redirect_chain,
    shell_message,
    unrendered,
)
from crawler.jobledger import JobLedger
from crawler.spiders.budgets import PAGE_LIMITS, BudgetsMixin
from crawler.spiders.errors import ErrorsMixin
from crawler.spiders.recrawl import RecrawlMixin
from crawler.spiders.rendering import RenderMixin
from crawler.spiders.resume import ResumeMixin
from crawler.spiders.site_maps import PRIORITY, SiteMapsMixin
from crawler.spiders.window import SiteWindow
from pipelines.archive import KnownPage, by_url, load_known_pages, new_crawl_id
from pipelines.extract import codec_name, html_encoding
from pipelines.record import (
    NotArticle,
    Page,
    PageError,
    Removal,
    Settled,
    discovery_order,
    parse_date,
    site_key,
    site_root,
    url_score,
    utc_now,
)


class ClinicBlogSpider(
    SiteMapsMixin, RecrawlMixin, ResumeMixin, ErrorsMixin, RenderMixin, BudgetsMixin, scrapy.Spider
):
    name = "clinic_blog"

    def __init__(
        self,
        seeds: str | list[str] | None = None,
        seeds_file: str | None = None,
        since: str | None = None,
        max_pages: str | int | None = None,
        crawl_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seeds = parse_seeds(seeds, seeds_file)
        if not self.seeds:
            raise SeedError("no seeds given: pass -a seeds=https://clinic.example/ (or seeds_file=FILE)")
        self.sites = {site_key(s) for s in self.seeds}
        self.since: date | None = parse_date(since) if since else None
        if since and self.since is None:
            raise ValueError(f"--since: cannot read {since!r} as a date (use YYYY-MM-DD)")
        self.max_pages = int(max_pages) if max_pages else 0
        self.crawl_id = crawl_id
        self._pages_requested = 0  # page downloads counted against --max-pages (admit_page)
        self._likely_posts = 0  # page requests queued whose URL looks like a post's, or not unlike one
        self._pages = PageDedup(self.sites)  # clean URLs and canonicals already yielded as pages
        self._requested: set[str] = set()  # page URLs this run has asked for
        # How each requested page was found, until its response is in: the list is also the
        # request's meta["via"], so a source found later (the feed lists a post the home page
        # linked) still reaches the capture and the classifier (pipelines/extract/classify.py)
        self._pending_via: dict[str, list[str]] = {}
        self.seed_failures: dict[str, str] = {}  # seed URL -> why it could not be fetched
        self.seed_error_kinds: dict[str, str] = {}  # seed URL -> its error kind (crawler/sites.py)
        self.site_window: SiteWindow | None = None  # with more seeds than CLINIC_ACTIVE_SITES
        self._init_site_maps()
        self.limits = Limits()  # per-site discovery limits (crawler/discovery/budgets.py)
        self.budgets = SiteBudgets({})
        self._over_budget: set[str] = set()  # page URLs refused by a budget or as a trap
        self._before_since: set[str] = set()  # URLs a sitemap or feed dated before --since
        self.known: dict[str, KnownPage] = {}  # archived articles of these sites, by URL
        self.confirmed: set[str] = set()  # ids of known pages seen unchanged (304, sitemap lastmod)
        # (crawler/fetch/conditional.py adds the conditional headers to requests for known pages)
        self._rechecked = False
        self.trust_lastmod = True
        self.coordinator: Coordinator | None = None  # set by from_crawler in a distributed worker

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ClinicBlogSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.probe_sitemaps = settings.getlist("CLINIC_PROBE_SITEMAPS")
        spider.probe_feeds = settings.getlist("CLINIC_PROBE_FEEDS")
        spider.max_sitemap_urls = settings.getint("CLINIC_MAX_SITEMAP_URLS", 50_000)
        spider.max_pagination = settings.getint("CLINIC_MAX_PAGINATION", 500)
        spider.max_listing_pages = settings.getint("CLINIC_MAX_LISTING_PAGES", 0)
        spider.limits = limits = Limits(
            sitemaps=settings.getint("CLINIC_MAX_SITEMAPS_PER_SITE", spider.limits.sitemaps),
            sitemap_urls=settings.getint("CLINIC_MAX_SITEMAP_URLS_PER_SITE", spider.limits.sitemap_urls),
            pages=settings.getint("CLINIC_MAX_PAGES_PER_SITE", spider.limits.pages),
            url_length=settings.getint("CLINIC_MAX_URL_LENGTH", spider.limits.url_length),
            path_depth=settings.getint("CLINIC_MAX_PATH_DEPTH", spider.limits.path_depth),
            segment_repeats=settings.getint("CLINIC_MAX_SEGMENT_REPEATS", spider.limits.segment_repeats),
        )
        budget_limits = {
            "sitemaps": limits.sitemaps,
            "sitemap_urls": limits.sitemap_urls,
            "pages": limits.pages,
            "listing_pages": spider.max_listing_pages,
        }
        spider.budgets = SiteBudgets(budget_limits)
        # DOWNLOAD_MAXSIZE, under a name of our own: Scrapy reads a "download_maxsize" spider
        # attribute itself (deprecated, with a warning in every crawl)
        spider.max_body_bytes = settings.getint("DOWNLOAD_MAXSIZE", 0)
        spider.trust_lastmod = settings.getbool("CLINIC_TRUST_LASTMOD", True)
        spider.crawl_id = spider.crawl_id or settings.get("CLINIC_CRAWL_ID") or new_crawl_id()
        spider._setup_rendering(settings)
        spider.ledger = None
        # One worker of a distributed crawl (crawler/distributed/): Redis holds the queue and
        # what each worker has in flight, so it is the ledger, and the seeds come from there.
        spider.coordinator = Coordinator.from_settings(crawler)
        if spider.coordinator is not None:
            spider.ledger = spider.coordinator
            spider.budgets = SharedBudgets(budget_limits, spider.coordinator.server, spider.coordinator.keys)
            spider._rechecked = True  # archived pages are re-checked by single-machine crawls only
            for signal, handler in (
                (signals.item_dropped, spider._item_finished),
                (signals.item_error, spider._item_finished),
                (signals.spider_opened, lambda spider: spider.coordinator.open()),
                (signals.spider_closed, lambda spider, reason: spider.coordinator.close()),
            ):
                crawler.signals.connect(handler, signal=signal, weak=False)
        elif settings.get("JOBDIR"):
            spider.ledger = JobLedger(settings.get("JOBDIR"), on_error=spider._ledger_failed)
            spider.crawl_id = spider.ledger.crawl_id(spider.crawl_id)
            if not spider.ledger.recovery.clean_stop:
                spider.ledger.discard_scrapy_queue()
            elif damage := spider.ledger.rebuild_if_damaged(
                "Lifo" in str(settings.get("SCHEDULER_DISK_QUEUE") or "")
            ):
                spider.logger.warning(
                    "the interrupted job's queue was damaged (%s): rebuilt from its ledger", damage
                )
            for signal, handler in (
                (signals.request_scheduled, spider.ledger.scheduled),
                (signals.request_reached_downloader, spider.ledger.started),
                (signals.item_dropped, spider._item_finished),
                (signals.item_error, spider._item_finished),
                (signals.spider_closed, spider._ledger_closed),
            ):
                crawler.signals.connect(handler, signal=signal)
        output, shard = settings.get("CLINIC_OUTPUT_DIR") or "output", settings.get("CLINIC_SHARD")
        spider._setup_scope(settings)
        if (window := settings.getint("CLINIC_ACTIVE_SITES")) > 0 and len(spider.seeds) > window:
            spider.site_window = SiteWindow(crawler, window)
        known = load_known_pages(output, shard, sites=spider.sites)  # these sites only
        if spider.coordinator is not None:  # and what crawl --redis published from the archive
            known = spider.coordinator.known_pages(known)
        spider.known = by_url(known)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        robots_signal = getattr(signals, "robots_parsed", None)
        spider.robots_via_signal = bool(robots_signal) and settings.getbool("ROBOTSTXT_OBEY")
        if spider.robots_via_signal:
            crawler.signals.connect(spider.on_robots_parsed, signal=robots_signal)
        return spider

    # --- start ------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.coordinator is not None:
            return  # a distributed worker takes its seeds from Redis, one at a time
        for request in self._unfinished_requests():
            yield request
        for seed in self.seeds:
            if self.site_window is not None:
                await self.site_window.room()  # the next seed once a site is done (window.py)
            for request in self.seed_requests(seed):
                yield request

    def seed_requests(self, seed: str) -> Iterator[scrapy.Request]:
        """robots.txt (unless Scrapy's middleware fetches it) and the seed page itself."""
        root = site_root(seed)
        if not self.robots_via_signal:
            yield scrapy.Request(
                f"{root}robots.txt",
                callback=self.parse_robots,
                errback=self.robots_failed,
                priority=PRIORITY["robots"],
                meta={"dont_obey_robotstxt": True, "site_root": root},
                dont_filter=True,
            )
        yield self._page_request(seed, PRIORITY["seed"], meta={"seed": True, "via": ["seed"]})

    def finished(self, *urls: str | None) -> None:
        """A response's work is over (no page item to wait for, or the item is done). Not after
        the archive failed: what was dropped then was not written, and a resume must redo it."""
        if self.ledger and not self.crawler.stats.get_value("clinic/fatal"):
            self.ledger.done(*urls)

    def _item_finished(self, item: Any, **kwargs: Any) -> None:
        if isinstance(item, Page):
            self.finished(item.url, item.final_url)
        elif isinstance(item, PageError):
            self.finished(item.url)

    def _ledger_failed(self, exc: OSError) -> None:
        from pipelines.scrapy_adapters import stop_crawl

        stop_crawl(self.crawler, f"cannot write the crawl's job ledger {self.ledger.path}: {exc.strerror}")

    def _ledger_closed(self, spider: Any, reason: str) -> None:
        self.ledger.closed(reason)
        self.ledger.close()

    def _count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"clinic/{key}", n)

    # --- robots.txt and sitemaps ----------------------------------------------------------

    # --- feeds ----------------------------------------------------------------------------

    # --- pages ----------------------------------------------------------------------------

    # --- incremental recrawl --------------------------------------------------------------

    def _follow(
        self,
        url: str,
        priority: int,
        known_date: date | None = None,
        lastmod: str | None = None,
        via: str = "link",
    ) -> Iterator[Any]:
        """Request a discovered URL if it is on the site, worth fetching and within budget.
        ``known_date`` is what a sitemap or feed says (for --since); ``lastmod`` a sitemap's own;
        ``via`` how it was found (``DISCOVERY_SOURCES``)."""
        pending = self._pending_via.get(url)
        if pending is not None and via not in pending:
            pending.append(via)
        if known_date is None and lastmod is None and url in self._requested:
            return  # most of a page's links (menus, sidebars): decided when first seen, nothing new
        if not self._on_site(url):
            return
        kind = url_kind(url, self.max_pagination)
        if kind is UrlKind.SITEMAP:
            yield from self._sitemap_request(url)
        elif kind is UrlKind.FEED:
            yield from self._feed_request(url)
        elif kind in (UrlKind.ASSET, UrlKind.EXCLUDED):
            self._count(f"skipped/{kind.value}")
        elif self._out_of_scope(url):
            return
        elif self._unchanged_per_sitemap(url, lastmod):
            pass
        elif url in self._before_since or (self.since and known_date and known_date < self.since):
            if url not in self._before_since:
                self._before_since.add(url)
                self._count("skipped/before_since")
        elif url in self._requested or url in self._over_budget or self._held_back(url, priority, via):
            return
        elif trap := url_trap(url, self.limits):
            self._over_budget.add(url)
            yield from self._refused(url, "url_trap", f"not fetched: {trap}, as a link trap makes them")
        elif not self._take_page(url):
            return
        elif (full := self._site_full(url)) is not None:
            self._over_budget.add(url)
            yield from full
        elif limit := self.budgets.take(site_key(url), PAGE_LIMITS[kind is UrlKind.LISTING]):
            self._over_budget.add(url)
            yield from self._refused(url, limit)
        else:
            self._requested.add(url)
            self._likely_posts += url_score(url) >= 0
            listing = kind is UrlKind.LISTING
            found_via = self._pending_via[url] = [via]
            yield self._page_request(
                url, PRIORITY["listing"] if listing else priority, meta={"listing": listing, "via": found_via}
            )

    def _page_output(self, response: Response) -> Iterator[Any]:
        for error in self._unusable(response):
            if response.meta.get("seed"):  # the site's own front page: the site ends here
                self.seed_failures[error.url] = error.message
                self.seed_error_kinds[error.url] = error.error
            yield error
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        kind = response_kind(content_type, response.body)
        if kind == "sitemap":
            yield from self._sitemap_output(response)
            return
        if kind == "feed":
            yield from self._feed_output(response)
            return
        response = self._as_html(response, content_type)
        self._count("pages_html")
        if response.meta.get("seed"):  # robots.txt could not be read at all: still find the sitemaps
            yield from self._start_sitemaps(site_root(response.url), [])
        root = html_root(response.body, response.encoding, lambda: response.text)
        links = extract_links(root, response.url, known=self._requested)
        feeds = links.feeds or (
            [site_root(response.url).rstrip("/") + p for p in self.probe_feeds]
            if response.meta.get("seed")
            else []
        )
        for url in feeds:
            if self._on_site(url):
                yield from self._feed_request(url, probe=not links.feeds)
        via = "listing" if lists_posts(response.url, self.max_pagination) else "link"
        for url in links.next_pages:
            yield from self._follow(url, PRIORITY["listing"], via="listing")
        # likely posts (/blog/slug, dated) first, services and legal pages last: in the priority
        # queue, and in the order yielded (the downloader takes requests as they come while it
        # has room), so that --max-pages buys posts
        scored = sorted(((url_score(url), url) for url in links.links), key=lambda pair: -pair[0])
        for score, url in scored:
            yield from self._follow(url, PRIORITY["link"] + round(10 * score), via=via)
        rendered = bool(response.meta.get(META_RENDER))
        shell = None if rendered else unrendered(root, response.meta.get("via", ()))
        if shell and self.render != "never" and not self.render_missing:
            yield self._render_request(response, shell)  # the page again, through the browser
            return
        # The page goes last: once it is archived its links are already queued, so a crawl
        # killed in between never loses them (the resume ledger counts on it).
        first = response.meta.get("redirect_urls", [response.url])[0]
        self._pending_via.pop(first, None)
        if not self._pages.first_time(response.url, links.canonical):
            self._count("skipped/duplicate_canonical")
            reason = f"its canonical URL {links.canonical or response.url} was already archived"
            yield NotArticle(response.url, reason, "duplicate_canonical", request_url=first)
            return
        yield Page(
            url=first,
            final_url=response.url,
            status=response.status,
            html=response.text,
            fetched_at=response.meta.get(META_FETCHED_AT) or utc_now(),
            headers=response_headers(response),
            crawl_id=self.crawl_id,
            listing=is_listing(response.url, self.max_pagination),
            discovered_via=discovery_order(response.meta.get("via", ())),
            raw=response.meta.get(META_POINTER),
            rendered=rendered,
            unrendered=shell_message(shell, self.render, self.render_missing) if shell else None,
        )

    def _as_html(self, response: Response, content_type: str) -> HtmlResponse:
        """The response as HTML, decoded in the encoding its bytes are really in (a wrong or
        missing charset is common; see pipelines/extract/encoding.py)."""
        encoding = html_encoding(content_type, response.body)
        if isinstance(response, HtmlResponse) and (
            encoding is None or codec_name(encoding) == codec_name(response.encoding)
        ):
            return response
        if isinstance(response, HtmlResponse):
            self.logger.info("%s: decoding as %s, not %s", response.url, encoding, response.encoding)
            self._count("charset_corrected")
        else:
            self._count("html_sniffed")  # HTML served as text/plain
        return response.replace(cls=HtmlResponse, encoding=encoding)

    # --- callbacks: each passes its output on and settles the ledger -----------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        yield from self._settled(response.request, self._robots_output(response))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        output = chain(self._sitemap_output(response), self._sitemap_read(response.request))
        yield from self._settled(response.request, output)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        output = chain(self._feed_output(response), self._sitemap_read(response.request))
        yield from self._settled(response.request, output)

    def parse_page(self, response: Response) -> Iterator[Any]:
        yield from self._settled(response.request, self._page_output(response))

    def _settled(self, request: scrapy.Request, output: Iterator[Any]) -> Iterator[Any]:
        """A request is done when its output has been handled: if it yields a page or error item,
        when that item has been archived or dropped (see _item_finished); else when a final
        ``Settled`` item reaches the archive pipeline. Not when the callback ends: Scrapy reads a
        callback's output ahead of scheduling its requests, and a crawl killed in between
        would have marked the response done with its last links never queued."""
        item = False
        own = {request.url, *request.meta.get("redirect_urls", [])}
        for value in output:
            # an error about another URL (a budget refusal of a link) does not settle this one;
            # a page fetched again through the browser is settled by that fetch
            item = item or (isinstance(value, (Page, PageError, Removal)) and value.url in own)
            item = item or (
                isinstance(value, scrapy.Request) and value.meta.get(META_RENDER) and value.url in own
            )
            yield value
        if not item and self.ledger is not None:
            yield Settled((request.url, *request.meta.get("redirect_urls", [])))

    # --- errors ---------------------------------------------------------------------------

    def _first_url(self, request: scrapy.Request) -> str:
        return redirect_chain(request)[0]

    def _on_site(self, url: str) -> bool:
        return site_key(url) in self.sites


def response_headers(response: Response) -> dict[str, str]:
    """First value of each header, names lower-cased (what the extractor needs: etag, dates)."""
    return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
