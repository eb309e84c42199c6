"""Pure discovery helpers: URL cleaning and classification, robots/sitemap/feed parsing, links.

Nothing here touches Scrapy or the network: each function takes plain values (strings,
bytes, an lxml tree) and returns plain values, so the spider stays a thin fetch loop.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree

from pipelines.extract.htmltree import html_parser
from pipelines.record.normalize import parse_date, parse_datetime
from pipelines.record.urls import DEFAULT_PORTS, clean_url, site_key, site_root  # noqa: F401 (re-exported)

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
LISTING_PATH = re.compile(
    r"/(tag|tags|category|categories|topics?|author|authors|archive|archives)/"
    r"|/(page|p)/\d+/?$"
    r"|/\d{4}/?$|/\d{4}/\d{2}/?$|/\d{4}/\d{2}/\d{2}/?$",
    re.IGNORECASE,
)
LISTING_QUERY = re.compile(r"(^|&)(page|paged|offset|pg|start|cat|tag|author|m)=", re.IGNORECASE)
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


# --- robots.txt ---------------------------------------------------------------------------

ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def robots_sitemaps(robots_txt: str, robots_url: str) -> list[str]:
    """Absolute URLs of the ``Sitemap:`` lines of a robots.txt, in order, without repeats."""
    found: list[str] = []
    for match in ROBOTS_SITEMAP.finditer(robots_txt):
        url = clean_url(match.group(1), robots_url)
        if url and url not in found:
            found.append(url)
    return found


# --- Sitemaps and feeds -------------------------------------------------------------------


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read (malformed, too big, not XML)."""


class DecompressionBombError(DiscoveryError):
    """A gzip body that would inflate past the size limit."""


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """A URL found in a sitemap or feed, with the date the source gives for it (a sitemap's
    ``lastmod``, a feed's publication date) as written, and as a calendar date."""

    url: str
    date: date | None = None
    stamp: str | None = None


@dataclass(slots=True)
class Sitemap:
    is_index: bool
    entries: list[LinkEntry] = field(default_factory=list)
    problem: str | None = None  # broken XML the parser read around: the entries are what was complete


# Entities are never resolved and no network is touched: a "billion laughs" sitemap stays inert.
_XML_PARSER_ARGS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)
GZIP_MAGIC = b"\x1f\x8b"


def maybe_gunzip(body: bytes, max_size: int) -> bytes:
    """Decompress a gzip body (``sitemap.xml.gz``) without ever inflating past ``max_size``."""
    if not body.startswith(GZIP_MAGIC):
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            while chunk := f.read(65536):
                out.write(chunk)
                if out.tell() > max_size:
                    raise DecompressionBombError(
                        f"the gzip body ({len(body):,} bytes) inflates past {max_size:,} bytes; not read"
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise DiscoveryError(f"broken gzip body: {exc}") from exc
    return out.getvalue()


def _xml_root(body: bytes) -> tuple[etree._Element, str | None]:
    """The root element, and what was wrong with the XML if the parser had to recover."""
    if not body.strip():
        raise DiscoveryError("empty body")
    parser = etree.XMLParser(**_XML_PARSER_ARGS)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"malformed XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not XML")
    errors = parser.error_log
    problem = f"malformed XML at line {errors[0].line}: {errors[0].message}" if len(errors) else None
    return root, problem


def declared_entities(root: etree._Element) -> list[str]:
    """Entities a document's internal DTD declares (never expanded here, but a sign of an attack)."""
    dtd = root.getroottree().docinfo.internalDTD
    return [entity.name for entity in dtd.iterentities()] if dtd is not None else []


def _local(tag: object) -> str:
    """Lower-case local name of an element tag; "" for comments, entities and broken names."""
    if not isinstance(tag, str):
        return ""
    try:
        return etree.QName(tag).localname.lower()
    except ValueError:  # a recovered parse can produce names like ":" that QName rejects
        return ""


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def parse_sitemap(
    body: bytes, base_url: str, max_urls: int = 50_000, max_bytes: int = 50 * 1024 * 1024
) -> Sitemap:
    """Read a sitemap (``urlset``) or sitemap index (``sitemapindex``), gzip or not.
    A sitemap that declares XML entities is refused: no real one does, and a "billion laughs"
    file does (the entities are never expanded either way; a URL cut at one would be wrong)."""
    body = maybe_gunzip(body, max_size=max_bytes)
    root, recovered = _xml_root(body)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    entities = declared_entities(root)
    if entities:
        raise DiscoveryError(
            f"declares XML entities ({', '.join(entities[:3])}{', ...' if len(entities) > 3 else ''}), "
            "as an entity-expansion attack does; not read"
        )
    sitemap = Sitemap(is_index=kind == "sitemapindex", problem=recovered)
    for el in root:
        if _local(el.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(el, "loc") or ""
        if recovered and f"{loc}</".encode() not in body:
            continue  # cut off mid-URL in a truncated file: a guess, not a URL
        url = clean_url(loc, base_url)
        if url:
            lastmod = _child_text(el, "lastmod")
            sitemap.entries.append(LinkEntry(url, parse_date(lastmod), lastmod))
        if len(sitemap.entries) >= max_urls:
            break
    return sitemap


HTML_TYPES = ("text/html", "application/xhtml+xml")
# A whole HTML document, from its first bytes (after a BOM and white space).
HTML_DOCUMENT = re.compile(rb"^(\xef\xbb\xbf)?\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S)


def response_kind(content_type: str, body: bytes) -> str:
    """ "sitemap", "feed", "html" or "other", from the Content-Type and the first bytes.
    A sitemap or feed served with a wrong type is still read as one. HTML is sniffed in one
    case only: a ``text/plain`` (or missing) type on a body that starts as an HTML document,
    a misconfigured server's answer for a real page; a PDF, image or JSON never looks like that."""
    content_type = content_type.lower()
    head = body[:4096]
    if "html" not in content_type:
        if looks_like_sitemap(head):
            return "sitemap"
        if looks_like_feed(head):
            return "feed"
    if any(t in content_type for t in HTML_TYPES):
        return "html"
    mime = content_type.split(";")[0].strip()
    if mime in ("text/plain", "") and HTML_DOCUMENT.match(head):
        return "html"
    return "other"


class PageDedup:
    """The first page served under a URL or canonical URL wins; later ones are duplicates.
    One rule for the crawl and for re-extraction, so both archive the same pages."""

    def __init__(self, sites: set[str]) -> None:
        self.sites = sites
        self._seen: set[str] = set()

    def first_time(self, url: str, canonical: str | None) -> bool:
        page_key = clean_url(url) or url
        canonical = canonical if canonical and site_key(canonical) in self.sites else page_key
        if page_key in self._seen or canonical in self._seen:
            return False
        self._seen.update({page_key, canonical})
        return True


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def looks_like_sitemap(body: bytes) -> bool:
    head = body[:2048].lower()
    return body.startswith(GZIP_MAGIC) or b"<urlset" in head or b"<sitemapindex" in head


def parse_feed(body: bytes, base_url: str) -> list[LinkEntry]:
    """Post links and dates from an RSS 2.0, RSS 1.0 (RDF) or Atom feed; relative links resolved."""
    root, _ = _xml_root(body)
    kind = _local(root.tag)
    if kind not in ("rss", "feed", "rdf"):
        raise DiscoveryError(f"not a feed (root element <{kind}>)")
    base = root.get("{http://www.w3.org/XML/1998/namespace}base") or base_url
    entries: list[LinkEntry] = []
    for item in root.iter():
        name = _local(item.tag)
        if name not in ("item", "entry"):
            continue
        link = None
        if name == "entry":  # Atom: <link rel="alternate" href="..."/>
            for child in item:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
        else:
            link = _child_text(item, "link") or _child_text(item, "guid")
        url = clean_url(link or "", urljoin(base_url, base))
        if not url:
            continue
        when = None
        for date_field in ("pubdate", "published", "date", "issued", "updated"):
            when = parse_date(_child_text(item, date_field))
            if when:
                break
        entries.append(LinkEntry(url, when))
    return entries


# --- Links in an HTML page ----------------------------------------------------------------

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
NEXT_TEXT = re.compile(
    r"^\s*(older posts?|older entries|next page|next|more posts|load more|»|›|→|>)\s*[»›→>]*\s*$", re.I
)


@dataclass(slots=True)
class PageLinks:
    """Links of one HTML page, sorted by what the crawl does with them."""

    canonical: str | None = None
    feeds: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


_TEXT = etree.XPath("string()")  # compiled once: el.xpath("string()") compiles it per link
# parsel's HTML parser settings, built once (parsel builds one per page: ~2% of a crawl's reactor).
# Not shared between threads: pages are parsed in the reactor thread only. See pipelines/extract/htmltree.py.
_HTML_PARSER = html_parser(recover=True, encoding="utf-8", huge_tree=True)
# What str.strip() strips from an ASCII string (bytes.strip() leaves \x1c-\x1f).
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_ASCII = bytes(range(128))


def html_root(body: bytes, encoding: str, text: Callable[[], str]) -> etree._Element:
    """The tree ``parsel.Selector(text=text()).root`` gives for a page whose ``text()`` is ``body``
    decoded as ``encoding``. parsel encodes the text back to UTF-8 for lxml; an ASCII body without
    NULs already is that UTF-8 (in any ASCII-compatible encoding), so it is parsed as it came,
    without decoding and re-encoding it. Anything else takes parsel's way."""
    if body.isascii() and b"\x00" not in body and _ascii_compatible(encoding):
        data = body.strip(_ASCII_SPACE) or b"<html/>"
    else:
        data = text().strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(data, parser=_HTML_PARSER)
    return root if root is not None else etree.fromstring(b"<html/>", parser=_HTML_PARSER)


@lru_cache(maxsize=64)
def _ascii_compatible(encoding: str) -> bool:
    try:
        return _ASCII.decode(encoding) == _ASCII.decode("ascii")
    except (LookupError, UnicodeError):
        return False


def extract_links(root: etree._Element, base_url: str, known: Container[str] = ()) -> PageLinks:
    """Canonical, feed, pagination and ordinary links of a parsed HTML page (absolute, clean).

    Runs on every page in the reactor thread, so a link is sorted once: a URL seen earlier on the
    page keeps the bucket of its first appearance, and a page link (``<a href>``) whose URL is in
    ``known`` is left out before its text is read (a crawl passes the URLs it has requested
    already: most of a page's ~70 links are its menu, sidebar and tag cloud, which the previous
    pages had too)."""
    base_href = root.xpath("string(//head/base/@href)")
    base = urljoin(base_url, base_href) if base_href else base_url
    found = PageLinks()
    seen: set[str] = set()
    for el in root.xpath("//link[@href]"):
        rel = (el.get("rel") or "").lower().split()
        url = clean_url(el.get("href"), base)
        if not url:
            continue
        if "canonical" in rel and found.canonical is None:
            found.canonical = url
        elif "alternate" in rel and (el.get("type") or "").lower() in FEED_TYPES:
            _add(found.feeds, seen, url)
        elif "next" in rel:
            _add(found.next_pages, seen, url)
    for el in root.iter("a"):  # document order, as //a[@href]; a tag-filtered walk is cheaper
        href = el.get("href")
        url = clean_url(href, base) if href is not None else None
        if not url or url in seen or url in known:
            continue
        seen.add(url)
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            found.next_pages.append(url)
            continue
        text = " ".join(_TEXT(el).split())
        if NEXT_TEXT.match(text) or (len(text) < 12 and PAGE_NUMBER.search(url)):
            found.next_pages.append(url)
        else:
            found.links.append(url)
    return found


def _add(bucket: list[str], seen: set[str], url: str) -> None:
    if url not in seen:
        seen.add(url)
        bucket.append(url)


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
