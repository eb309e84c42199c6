"""What a URL is for the crawl, judged before fetching it: a candidate post, a listing page, a feed,
a sitemap, an asset, or excluded (admin, search, calendar traps); and whether a sitemap's lastmod
says a post is unchanged since it was fetched."""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import urlsplit

from pipelines.record import BLOG_SECTION, LISTING_PATH, LISTING_QUERY, clean_url, parse_date, parse_datetime

# --- URLs ---------------------------------------------------------------------------------

ASSET_EXTENSIONS = frozenset(
    (
        "pdf doc docx xls xlsx ppt pptx odt rtf zip rar 7z gz tgz tar jpg jpeg png gif webp svg ico bmp tif "
        "tiff avif heic mp3 mp4 m4a m4v mov avi wmv webm ogg wav flac css js mjs json map woff woff2 ttf eot "
        "otf exe dmg apk ics vcf csv"
    ).split()
)


EXCLUDED_PATH = re.compile(
    r"/(wp-admin|wp-login\.php|wp-json|xmlrpc\.php|wp-includes|wp-content/plugins|wp-content/themes"
    r"|cgi-bin|login|log-in|signin|sign-in|logout|register|my-account|account|cart|checkout|basket"
    r"|search|config|api|cdn-cgi|embed|trackback|comment-page-\d+|print|calendar|events?/\d{4}-\d{2}"
    r"|ical|share|amp)(/|$|\?)",
    re.IGNORECASE,
)


SEARCH_QUERY = re.compile(r"(^|&)(s|q|search|query)=", re.IGNORECASE)


# Calendar widgets link the next month forever: /events/month/2024-05/, ?tribe-bar-date=...,
# ?month=5&year=2024, ?ical=1. Never fetched.
CALENDAR_PATH = re.compile(r"/events?/(month|list|week|day|today|photo|map|community)(/|$)", re.I)


CALENDAR_QUERY = re.compile(
    r"(^|&)(month|year|yr|week|day|date|cal|calendar|tribe-bar-date|eventdisplay|ical|outlook-ical)=",
    re.IGNORECASE,
)


FEED_PATH = re.compile(
    r"(/feed/?(atom|rss2?|rdf)?/?$|/rss/?$|/atom/?$|\.rss$|\.atom$|/blog-feed\.xml$)", re.I
)


SITEMAP_PATH = re.compile(r"sitemap[^/]*\.xml(\.gz)?$", re.IGNORECASE)


PAGE_NUMBER = re.compile(r"(?:/page/|[?&](?:page|paged|pg)=)(\d+)", re.IGNORECASE)


class UrlKind(StrEnum):
    """What a URL is for the crawl, judged before fetching it."""

    CANDIDATE = "candidate"  # may be an article: fetch, extract, classify
    LISTING = "listing"  # index/tag/category/author/date/pagination: fetch for links only
    FEED = "feed"
    SITEMAP = "sitemap"
    ASSET = "asset"  # a binary file: never fetched as a page
    EXCLUDED = "excluded"  # admin, login, search, cart, share links, traps: never fetched


def url_kind(url: str, max_pagination: int = 500) -> UrlKind:
    """Classify a (clean) URL by its shape alone."""
    parts = urlsplit(url)
    path = parts.path
    last = path.rsplit("/", 1)[-1].lower()
    ext = last.rsplit(".", 1)[-1] if "." in last else ""
    if SITEMAP_PATH.search(path):
        return UrlKind.SITEMAP
    if FEED_PATH.search(path):
        return UrlKind.FEED
    if ext in ASSET_EXTENSIONS:
        return UrlKind.ASSET
    if EXCLUDED_PATH.search(path) or SEARCH_QUERY.search(parts.query):
        return UrlKind.EXCLUDED
    if CALENDAR_PATH.search(path) or CALENDAR_QUERY.search(parts.query):
        return UrlKind.EXCLUDED
    page = PAGE_NUMBER.search(url)
    if page and int(page.group(1)) > max_pagination:
        return UrlKind.EXCLUDED
    if LISTING_PATH.search(path) or LISTING_QUERY.search(parts.query):
        return UrlKind.LISTING
    return UrlKind.CANDIDATE


def modified_before(lastmod: str | None, fetched_at: str | None) -> bool:
    """True when a sitemap's ``lastmod`` says the page has not changed since we fetched it.
    A bare date only counts when it is before the day of the fetch (same-day edits are possible)."""
    if not lastmod or not fetched_at:
        return False
    fetched = parse_datetime(fetched_at)
    if fetched is None:
        return False
    if len(lastmod.strip()) <= 10:  # "2024-02-27": no time of day
        day = parse_date(lastmod)
        return day is not None and day < fetched.date()
    modified = parse_datetime(lastmod)
    if modified is None or modified.tzinfo is None or fetched.tzinfo is None:
        return False
    return modified < fetched  # the same second is ambiguous at this resolution: ask the server


def is_listing(url: str, max_pagination: int = 500) -> bool:
    """Tag, category, author, date-archive and pagination pages: crawled for links, never archived.
    Judged on the URL a page was finally served from, by the crawl and by re-extraction alike."""
    return url_kind(clean_url(url) or url, max_pagination) is UrlKind.LISTING


TAXONOMY_SITEMAP = re.compile(
    # Yoast, Rank Math, Wix; then WordPress core
    r"(post_tag|tag|category|categories|author|product_cat|product_tag|format)s?[-_]?sitemap"
    r"|sitemap[-_]?(tags?|categor|authors?)"
    r"|wp-sitemap-(taxonomies|users)-",
    re.IGNORECASE,
)


def is_taxonomy_sitemap(url: str) -> bool:
    """Child sitemaps that list only tag/category/author pages: nothing to archive in them."""
    return bool(TAXONOMY_SITEMAP.search(urlsplit(url).path))


POST_SITEMAP = re.compile(
    # Yoast/Rank Math "post-sitemap.xml", Wix "blog-posts-sitemap.xml", WordPress core
    # "wp-sitemap-posts-post-1.xml", Ghost/others "sitemap-posts.xml", "/blog/sitemap.xml"
    r"(post|blog|article|news)s?[-_]?(posts?[-_]?)?sitemap|sitemap[-_]?(posts?|blogs?|articles?|news)"
    r"|wp-sitemap-posts-post|/(blogs?|news|articles?)/[^/]*sitemap[^/]*$",
    re.IGNORECASE,
)


def is_post_sitemap(url: str) -> bool:
    """A sitemap whose name says it lists posts: its URLs are posts (a classifier signal)."""
    return bool(POST_SITEMAP.search(urlsplit(url).path))


def lists_posts(url: str, max_pagination: int = 500) -> bool:
    """A page whose links are mostly posts: a listing (tag, category, pagination...) or the
    index of a blog section ("/blog", "/news"). Links found on it are discovered "via listing"."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return is_listing(url, max_pagination) or (len(segments) == 1 and bool(BLOG_SECTION.match(segments[0])))
