"""An HTML page for discovery: what kind of response it is, its parse tree (parsed once, as
Scrapy would), the links it holds (posts, listings, next page), and deduplication by canonical URL."""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from lxml import etree

from crawler.discovery.feeds import FEED_TYPES, looks_like_feed
from crawler.discovery.sitemaps import looks_like_sitemap
from crawler.discovery.urls import PAGE_NUMBER
from pipelines.extract import html_parser
from pipelines.record import clean_url, site_key

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
