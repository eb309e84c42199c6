"""What the clinic_blog spider's budgets and scope still allow: ``--max-pages`` (counted when a
page request is handed to the downloader, so the likeliest posts, which the spider yields first
and the scheduler ranks first, get it rather than the pages found first), ``--max-articles-per-site``,
the per-site budgets and trap checks of crawler/discovery/budgets.py (a site's first refusal of
each kind is one line in errors.jsonl), and the scope: ``--include``/``--exclude`` patterns and
``--allow-host``. A mixin of ``ClinicBlogSpider``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy

from crawler.discovery import KINDS
from crawler.fetch import OverBudget
from pipelines.record import PageError, site_key

# The per-site budget units a page request takes (by whether it is a listing page): checked
# and taken at once, so a refused listing takes no page unit (SiteBudgets.take)
PAGE_LIMITS = {False: ("pages",), True: ("listing_pages", "pages")}


class BudgetsMixin:
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    max_articles_per_site = 0

    def _setup_scope(self, settings: Any) -> None:
        """Patterns, extra hosts and the article limit, from the settings (before the archive's
        known pages are loaded: an allowed host's archived posts are known pages too)."""
        self.include = tuple(re.compile(p) for p in settings.getlist("CLINIC_INCLUDE"))
        self.exclude = tuple(re.compile(p) for p in settings.getlist("CLINIC_EXCLUDE"))
        for host in settings.getlist("CLINIC_ALLOW_HOSTS"):
            self.sites.add(site_key(host if "://" in host else f"http://{host}"))
        self.max_articles_per_site = settings.getint("CLINIC_MAX_ARTICLES_PER_SITE", 0)
        self._sites_full: set[str] = set()

    def _out_of_scope(self, url: str) -> bool:
        """A page URL --include or --exclude rules out (counted)."""
        if (self.include and not any(p.search(url) for p in self.include)) or any(
            p.search(url) for p in self.exclude
        ):
            self._count("skipped/out_of_scope")
            return True
        return False

    def _site_full(self, url: str) -> list[PageError] | None:
        """None while the site may have more pages; once its archived articles reached
        --max-articles-per-site, the refusal's error lines (one for the site's first refusal,
        none after), counted."""
        limit = self.max_articles_per_site
        tally = getattr(self.crawler, "site_tally", None)  # crawler/sites.py counts the articles
        if not limit or tally is None:
            return None
        if tally.line(url).in_archive < limit:
            return None
        self._count("skipped/article_budget")
        tally.limited(url, "max_articles_per_site")
        site = site_key(url)
        if site in self._sites_full:
            return []
        self._sites_full.add(site)
        message = f"{limit} articles of {site} archived (--max-articles-per-site): no more of its pages"
        return [PageError(url, "discover", "article_budget", message)]

    def _refused(self, url: str, limit: str, message: str | None = None) -> Iterator[PageError]:
        """Count a URL a budget (or the trap check) refused; the site's first refusal of each
        kind is also one line in errors.jsonl, naming this URL."""
        kind = KINDS.get(limit, limit)
        self._count(f"skipped/{kind}")
        site = site_key(url)
        if self.budgets.refuse(site, limit):
            yield PageError(url, "discover", kind, message or self.budgets.message(site, limit))

    def _take_page(self, url: str) -> bool:
        """Whether --max-pages may still allow a page request (counted later, by ``admit_page``).
        A distributed crawl counts its pages
        where they leave the shared queue instead, once each, for all workers (Coordinator)."""
        if self.coordinator is not None:
            return True
        if self.max_pages and self._pages_requested >= self.max_pages:
            self._max_pages_refused(url)
            return False
        return True

    def admit_page(self, request: scrapy.Request) -> None:
        """Count a page request against --max-pages as the downloader takes it, or refuse it
        (``OverBudget``); called by ``DiscoveryBudgetMiddleware``. A page fetched again through
        the browser was counted the first time."""
        if not self.max_pages or self.coordinator is not None or request.meta.get("render_again"):
            return
        if self._pages_requested >= self.max_pages:
            self._max_pages_refused(request.url)
            raise OverBudget(request.url, "max_pages")
        self._pages_requested += 1

    def _max_pages_refused(self, url: str) -> None:
        self._count("skipped/max_pages")
        tally = getattr(self.crawler, "site_tally", None)  # crawler/sites.py
        if tally is not None:
            tally.limited(url, "max_pages")

    def admit_download(self, request: scrapy.Request) -> None:
        """Refuse a page request whose site reached --max-articles-per-site while it waited in
        the site's download queue; called by the download handler (crawler/fetch/render.py)."""
        if getattr(request.callback, "__name__", None) != "parse_page" or request.meta.get("render_again"):
            return
        full = self._site_full(request.url)
        if full is not None:  # the site's first refusal brings its one error line
            message = full[0].message if full else None
            raise OverBudget(request.url, "article_budget", first=bool(full), message=message)
