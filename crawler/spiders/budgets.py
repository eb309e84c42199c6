"""What the clinic_blog spider's budgets still allow: ``--max-pages`` (counted when a page request
is handed to the downloader, so the likeliest posts, which the spider yields first and the
scheduler ranks first, get it rather than the pages found first) and the
per-site budgets and trap checks of crawler/discovery/budgets.py, whose first refusal per site
is one line in errors.jsonl. A mixin of ``ClinicBlogSpider``.
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from crawler.discovery import KINDS
from crawler.fetch import OverBudget
from pipelines.record import PageError, site_key


class BudgetsMixin:
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
