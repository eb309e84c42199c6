"""Downloader middleware that asks the spider, before a sitemap, feed or page is downloaded,
whether the crawl's budgets still allow it: a site's sitemap budget (CLINIC_MAX_SITEMAPS_PER_SITE),
or ``--max-pages``, spent on the page requests the downloader takes (the likeliest posts first),
after which more discovery is of no use either. A sitemap index lists
its children all at once, so this is the one place that sees each just before it would cost a
download."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest


class OverBudget(IgnoreRequest):
    """The request is refused by a budget: ``limit`` names it; ``first`` when this is the site's
    first refusal for it (to be reported once)."""

    def __init__(self, url: str, limit: str, first: bool = False, message: str | None = None) -> None:
        super().__init__(f"{url}: over the {limit} budget")
        self.limit = limit
        self.first = first
        self.message = message  # the error line's message, when not the budgets' own


class DiscoveryBudgetMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiscoveryBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        spider = self.crawler.spider
        if request.meta.get("discovery"):
            admit = getattr(spider, "admit_discovery", None)
        elif getattr(request.callback, "__name__", None) == "parse_page":
            admit = getattr(spider, "admit_page", None)  # --max-pages, counted at the download
        else:
            return
        if admit is not None:
            admit(request)  # raises OverBudget
