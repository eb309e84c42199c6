"""Discovery, pure: what a URL is (``urls``), robots.txt and sitemaps (``sitemaps``), feeds
(``feeds``), the seeds a crawl starts from (``seeds``), and the links and kind of a fetched page
(``pages``). Nothing here touches Scrapy or the network: plain values in, plain values out, so
the spider stays a thin fetch loop."""

from crawler.discovery.budgets import KINDS, Limits, SiteBudgets, url_trap
from crawler.discovery.feeds import FEED_TYPES, looks_like_feed, parse_feed
from crawler.discovery.pages import PageDedup, PageLinks, extract_links, html_root, response_kind
from crawler.discovery.seeds import SeedError, parse_seeds
from crawler.discovery.sitemaps import (
    DecompressionBombError,
    DiscoveryError,
    LinkEntry,
    Sitemap,
    looks_like_sitemap,
    maybe_gunzip,
    parse_sitemap,
    robots_sitemaps,
)
from crawler.discovery.urls import (
    UrlKind,
    is_listing,
    is_post_sitemap,
    is_taxonomy_sitemap,
    lists_posts,
    modified_before,
    url_kind,
)

__all__ = [
    "FEED_TYPES",
    "KINDS",
    "DecompressionBombError",
    "DiscoveryError",
    "Limits",
    "LinkEntry",
    "PageDedup",
    "PageLinks",
    "SeedError",
    "SiteBudgets",
    "Sitemap",
    "UrlKind",
    "extract_links",
    "html_root",
    "is_listing",
    "is_post_sitemap",
    "is_taxonomy_sitemap",
    "lists_posts",
    "looks_like_feed",
    "looks_like_sitemap",
    "maybe_gunzip",
    "modified_before",
    "parse_feed",
    "parse_seeds",
    "parse_sitemap",
    "response_kind",
    "robots_sitemaps",
    "url_kind",
    "url_trap",
]
