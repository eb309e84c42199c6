"""One line per site per crawl in ``OUTPUT/sites.jsonl``: how each seed's crawl went, on its own.

A broad crawl of hundreds of clinics needs more than totals: which sites could not be crawled
and why (unreachable, blocked by robots.txt, redirected to another site, not HTML, an error page),
how many pages and articles each gave, which limit stopped it, when it was first and last
fetched. ``SiteTally`` counts as the crawl goes (responses by the ``response_received`` signal,
archive outcomes from the archive pipeline, refusals from the budgets); ``SitesReport`` writes
the lines when the crawl closes and hands the worst sites to the end-of-crawl summary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals

from pipelines.archive import ArchiveError, append_site_lines
from pipelines.record import site_key

log = logging.getLogger(__name__)

# The seed's error kind -> the site's status
STATUS_OF = {
    "dns_error": "unreachable",
    "connection_refused": "unreachable",
    "connection_lost": "unreachable",
    "timeout": "unreachable",
    "download_error": "unreachable",
    "download_failed": "unreachable",
    "robots_disallowed": "blocked_by_robots",
    "offsite_redirect": "redirected_off_site",
    "not_html": "not_html",
    "empty_body": "not_html",
    "blocked_address": "blocked_address",
    "redirect_loop": "redirect_loop",
    "too_many_redirects": "redirect_loop",
}
# error kinds that say a budget or the trap check stopped part of a site
LIMIT_KINDS = ("sitemap_budget", "sitemap_url_budget", "page_budget", "listing_limit", "url_trap")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class SiteLine:
    """What one site's crawl came to."""

    site: str
    seed: str | None = None
    final_host: str | None = None
    status: str = "ok"
    reason: str | None = None
    pages: int = 0  # responses to page requests (plain or rendered), not robots/sitemaps/feeds
    articles: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("new", "changed", "unchanged", "removed"), 0)
    )
    not_articles: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    limits: list[str] = field(default_factory=list)
    first_fetch: str | None = None
    last_fetch: str | None = None

    @property
    def in_archive(self) -> int:
        """Its articles this crawl archived or confirmed (new, changed, unchanged)."""
        return self.articles["new"] + self.articles["changed"] + self.articles["unchanged"]

    def as_dict(self, crawl_id: str) -> dict[str, Any]:
        return {
            "crawl_id": crawl_id,
            "site": self.site,
            "seed": self.seed,
            "final_host": self.final_host,
            "status": self.status,
            "reason": self.reason,
            "pages": self.pages,
            "articles": self.articles,
            "not_articles": self.not_articles,
            "errors": dict(sorted(self.errors.items())),
            "errors_total": sum(self.errors.values()),
            "limits": sorted(set(self.limits)),
            "first_fetch": self.first_fetch,
            "last_fetch": self.last_fetch,
        }


class SiteTally:
    """Counters per site, kept by the parts of the crawl that see each event."""

    def __init__(self) -> None:
        self.sites: dict[str, SiteLine] = {}

    def line(self, url: str) -> SiteLine:
        site = site_key(url)
        if site not in self.sites:
            self.sites[site] = SiteLine(site)
        return self.sites[site]

    def fetched(self, url: str) -> None:
        line = self.line(url)
        line.pages += 1
        line.last_fetch = _now()
        line.first_fetch = line.first_fetch or line.last_fetch

    def article(self, url: str, status: str) -> None:
        articles = self.line(url).articles
        articles[status] = articles.get(status, 0) + 1

    def not_article(self, url: str) -> None:
        self.line(url).not_articles += 1

    def error(self, url: str, kind: str) -> None:
        line = self.line(url)
        line.errors[kind] = line.errors.get(kind, 0) + 1
        if kind in LIMIT_KINDS:
            line.limits.append(kind)

    def limited(self, url: str, limit: str) -> None:
        self.line(url).limits.append(limit)

    def finish(
        self, seeds: list[str], failures: dict[str, str], seed_errors: dict[str, str]
    ) -> list[SiteLine]:
        """The lines of this crawl's sites, seeds first, each with its status."""
        for seed in seeds:
            line = self.line(seed)
            line.seed = line.seed or seed
            if seed in failures:
                kind = seed_errors.get(seed, "")
                line.status = STATUS_OF.get(
                    kind, "http_error" if kind.startswith("http_") else kind or "failed"
                )
                line.reason = failures[seed]
        return sorted(self.sites.values(), key=lambda s: (s.seed is None, s.site))


def worst(lines: list[SiteLine], n: int = 10) -> list[SiteLine]:
    """The sites that fared worst: failed ones first, then by errors, then by fewest articles."""

    def badness(line: SiteLine) -> tuple[int, int, int]:
        return (line.status != "ok", sum(line.errors.values()), -line.in_archive)

    bad = [s for s in lines if s.status != "ok" or s.errors or s.limits]
    return sorted(bad, key=badness, reverse=True)[:n]


class SitesReport:
    """The Scrapy extension: one tally per crawl (``crawler.site_tally``), written at the end."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.output = crawler.settings.get("CLINIC_OUTPUT_DIR")
        self.tally = crawler.site_tally = SiteTally()
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SitesReport:
        return cls(crawler)

    def response_received(self, response: Any, request: Any, spider: Any) -> None:
        if getattr(request.callback, "__name__", None) == "parse_page":
            self.tally.fetched(request.url)
            if request.meta.get("seed"):
                self.tally.line(request.url).final_host = site_key(response.url)

    def spider_closed(self, spider: Any, reason: str) -> None:
        seeds = list(getattr(spider, "seeds", []))
        lines = self.tally.finish(
            seeds, dict(getattr(spider, "seed_failures", {})), dict(getattr(spider, "seed_error_kinds", {}))
        )
        self.crawler.clinic_sites = lines  # for the end-of-crawl summary
        records = [line.as_dict(spider.crawl_id) for line in lines]
        try:
            append_site_lines(self.output, records, self.crawler.settings.get("CLINIC_SHARD") or None)
        except ArchiveError as exc:
            log.error("could not write the per-site report: %s", exc)


def sites_table(lines: list[SiteLine], n: int = 10) -> str:
    """The end-of-crawl summary's per-site part: totals, and the worst sites (at most ``n``)."""
    failed = sum(1 for s in lines if s.status != "ok")
    text = [f"Sites: {len(lines)}, {len(lines) - failed} crawled, {failed} could not be (see sites.jsonl)"]
    shown = worst(lines, n)
    if shown:
        text.append(f"  {'site':<32} {'status':<20} {'pages':>5} {'articles':>8} {'errors':>6}  why")
    for s in shown:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(s.errors.items()))
        why = s.reason or errors or ", ".join(sorted(set(s.limits)))
        counts = f"{s.pages:>5} {s.in_archive:>8} {sum(s.errors.values()):>6}"
        text.append(f"  {s.site[:32]:<32} {s.status:<20} {counts}  {why}")
    return "\n".join(text)
