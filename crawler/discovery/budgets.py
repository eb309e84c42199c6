"""Discovery budgets: how much of one site a crawl may discover and fetch, so that no site (a
10,000-sitemap index, a ``/a/a/a/...`` link trap, an endless ``?id=`` generator) can hold a crawl.

Each limit is a setting with a default (crawler/settings.py). ``SiteBudgets`` counts what each
site used and was refused; the first refusal for a site and limit becomes one ``errors.jsonl``
line, later ones are only counted in the crawl summary.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-site limits; 0 switches one off."""

    sitemaps: int = 500  # sitemap files fetched (an index and its children)
    sitemap_urls: int = 200_000  # URLs taken from all of a site's sitemaps together
    pages: int = 20_000  # page requests (posts, listings, links): a clinic blog has 100-1,000 posts
    url_length: int = 1024  # characters; a longer URL is a generated one
    path_depth: int = 16  # path segments: real blog URLs have 1-7
    segment_repeats: int = 3  # the same segment more often than this ("/a/a/a/a/") is a loop


# the error kind of each limit, in errors.jsonl and the crawl summary
KINDS = {
    "sitemaps": "sitemap_budget",
    "sitemap_urls": "sitemap_url_budget",
    "pages": "page_budget",
    "listing_pages": "listing_limit",  # the name the crawl summary has always used
}
SETTINGS = {
    "sitemaps": "CLINIC_MAX_SITEMAPS_PER_SITE",
    "sitemap_urls": "CLINIC_MAX_SITEMAP_URLS_PER_SITE",
    "pages": "CLINIC_MAX_PAGES_PER_SITE",
    "listing_pages": "CLINIC_MAX_LISTING_PAGES",
}


def url_trap(url: str, limits: Limits) -> str | None:
    """Why a URL looks machine-generated (a link trap), or None. By its shape alone: too long,
    too deep, or one path segment repeated ("/blog/a/a/a/a/", "/x/y/x/y/x/y/x/y/")."""
    if limits.url_length and len(url) > limits.url_length:
        return f"URL of {len(url):,} characters (CLINIC_MAX_URL_LENGTH {limits.url_length:,})"
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    if limits.path_depth and len(segments) > limits.path_depth:
        return f"path {len(segments)} segments deep (CLINIC_MAX_PATH_DEPTH {limits.path_depth})"
    if limits.segment_repeats and segments:
        segment, count = Counter(segments).most_common(1)[0]
        if count > limits.segment_repeats:
            return (
                f"path segment {segment[:40]!r} repeated {count} times "
                f"(CLINIC_MAX_SEGMENT_REPEATS {limits.segment_repeats})"
            )
    return None


@dataclass
class SiteBudgets:
    """Counts per (site, limit): what was used, and what was refused."""

    limits: dict[str, int]
    used: Counter[tuple[str, str]] = field(default_factory=Counter)
    refused: Counter[tuple[str, str]] = field(default_factory=Counter)

    def allows(self, site: str, limit: str) -> bool:
        cap = self.limits.get(limit, 0)
        return not cap or self.used[(site, limit)] < cap

    def use(self, site: str, limit: str, n: int = 1) -> int:
        """Take up to ``n``; returns how many were granted (``refuse`` the rest)."""
        cap = self.limits.get(limit, 0)
        granted = n if not cap else max(0, min(n, cap - self.used[(site, limit)]))
        self.used[(site, limit)] += granted
        return granted

    def take(self, site: str, limits: tuple[str, ...]) -> str | None:
        """One unit of each of ``limits`` for a page request, all or none: the first limit the
        site has reached, or None when each was taken."""
        for limit in limits:
            if not self.allows(site, limit):
                return limit
        for limit in limits:
            self.used[(site, limit)] += 1
        return None

    def refuse(self, site: str, limit: str, n: int = 1) -> bool:
        """Count ``n`` refused; True the first time for this site and limit (report it once)."""
        first = self.refused[(site, limit)] == 0
        self.refused[(site, limit)] += n
        return first

    def message(self, site: str, limit: str) -> str:
        """The one line a site gets when it first reaches a limit."""
        cap = self.limits.get(limit, 0)
        what = {
            "sitemaps": "sitemap files",
            "sitemap_urls": "URLs from sitemaps",
            "pages": "pages",
            "listing_pages": "tag, category, author, date and pagination pages",
        }[limit]
        return (
            f"{site} reached its budget of {cap:,} {what} ({SETTINGS[limit]}); "
            "the rest are not fetched and are counted in the crawl summary"
        )
