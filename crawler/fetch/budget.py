"""Downloader middleware that asks the spider, before a sitemap or feed is downloaded, whether
the crawl's budgets still allow it: a site's sitemap budget (CLINIC_MAX_SITEMAPS_PER_SITE), or
``--max-pages`` already spent, after which more discovery is of no use. A sitemap index lists
its children all at once, so this is the one place that sees each just before it would cost a
download."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest


class OverBudget(IgnoreRequest):
    """The request is refused by a budget: ``limit`` names it; ``first`` when this is the site's
    first refusal for it (to be reported once)."""

    def __init__(self, url: str, limit: str, first: bool = False) -> None:
        super().__init__(f"{url}: over the {limit} budget")
        self.limit = limit
        self.first = first


class DiscoveryBudgetMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DiscoveryBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        if request.meta.get("discovery"):
            admit = getattr(self.crawler.spider, "admit_discovery", None)
            if admit is not None:
                admit(request)  # raises OverBudget
