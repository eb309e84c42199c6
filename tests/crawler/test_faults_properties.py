"""Property tests: parsing and extraction never raise on any input, and their outputs keep the
schema. Inputs are random tag soup, random bytes and real fixture pages mutated at random
(cut, duplicated, shuffled, noise spliced in). ``extract_article`` catches everything by design,
so its property is stronger: no input may even reach that safety net (``extractor_exception``).
Reference *entries* are covered by tests/references/test_refparse.py; here the reference *lists* are found
in whole pages.
"""

from __future__ import annotations

import codecs

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discovery import (
    DiscoveryError,
    UrlKind,
    extract_links,
    parse_feed,
    parse_sitemap,
    response_kind,
    url_kind,
)
from pipelines.archive.jsonl import article_record
from pipelines.extract.article import extract_article
from pipelines.extract.encoding import html_encoding
from pipelines.record import clean_url
from pipelines.record.models import Article, NotArticle, PageError
from pipelines.record.validate import record_problems

SITES = FIXTURES / "sites"
PAGES = sorted(SITES.glob("*/blog/*/index.html")) + sorted(SITES.glob("*/blog/*.html"))
REAL_PAGES = [p.read_text("utf-8") for p in PAGES[:6]]
URL = "https://clinic.example/blog/post/"

TAGS = [
    "<html>", "</html>", "<head>", "</head>", "<body>", "<p>", "</p>", "<div>", "</div>", "<article>", "<h1>",
    "</h1>", "<h2>References</h2>", "<ol>", "<li>", "</li>", "</ol>", "<sup>1</sup>", "<br>", "<table><tr><td>",
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#x0;", "&#xD800;",
    "&nbsp;", "<meta charset='shift_jis'>", '<meta property="og:type" content="article">', '<link rel="canonical" href="',
    '<a href="', '">', "javascript:alert(1)", "http://[::1", "https://c.example/a b", "\x00", "\ufeff", "\u202e",
    '<script type="application/ld+json">{"@type": "BlogPosting", "datePublished": "', '"}</script>',
    '{"@graph": [', "]}", "doi:10.1000/xyz", "PMID: 12345", "(1)", "[2]", "2023;31(9):755-60.",
]  # fmt: skip
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
SOUP = st.lists(st.one_of(st.sampled_from(TAGS), WORDS), max_size=80).map("".join)


@st.composite
def mutated(draw: st.DrawFn, originals: list[str]) -> str:
    """A real document cut, duplicated, shuffled or spliced with noise a few times."""
    text = draw(st.sampled_from(originals))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 2000)))
        op = draw(st.sampled_from(("cut", "dup", "noise", "swap")))
        if op == "cut":
            text = text[:i] + text[j:]
        elif op == "dup":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "noise":
            text = text[:i] + draw(SOUP) + text[j:]
        else:
            text = text[i:j] + text[:i] + text[j:]
    return text


def assert_well_formed(result: Article | NotArticle | PageError) -> None:
    assert isinstance(result, (Article, NotArticle, PageError))
    if isinstance(result, PageError):
        assert result.error != "extractor_exception", result.message
        assert result.url and result.stage and result.error and result.message
    elif isinstance(result, NotArticle):
        assert result.reason
    else:
        assert record_problems(article_record(result, 1, "20260101T000000Z-0000")) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(SOUP, WORDS))
def test_extraction_never_raises_on_tag_soup(html: str) -> None:
    assert_well_formed(extract_article(html, URL, fetched_at="2026-01-01T00:00:00Z"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(REAL_PAGES), st.booleans())
def test_extraction_never_raises_on_mutated_real_pages(html: str, as_bytes: bool) -> None:
    page = html.encode("utf-8", "surrogatepass") if as_bytes else html
    assert_well_formed(extract_article(page, URL, fetched_at="2026-01-01T00:00:00Z"))


SITEMAP = (
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://c.example/a/</loc><lastmod>2024-01-01</lastmod></url>"
    b"<url><loc>/relative/</loc></url></urlset>"
)
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><item><link>/blog/a/</link></item>'
    b"<item><guid>https://c.example/b/</guid><pubDate>Tue, 14 Mar 2023 10:00:00 +0000</pubDate></item>"
    b'</channel></rss><feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="x"/></entry></feed>'
)
XML_NOISE = [
    "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>",
    "&a;",
    "<sitemapindex>",
    "<loc>",
    "</loc>",
    "\x1f\x8b",
    "<url>",
]


@st.composite
def mutated_xml(draw: st.DrawFn) -> bytes:
    text = draw(mutated([SITEMAP.decode(), FEED.decode(), *XML_NOISE]))
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None)
@given(st.one_of(mutated_xml(), st.binary(max_size=300)))
def test_sitemap_and_feed_parsing_raise_only_discovery_errors(body: bytes) -> None:
    for parse in (parse_sitemap, parse_feed):
        try:
            result = parse(body, "https://c.example/sitemap.xml")
        except DiscoveryError:
            continue
        entries = result.entries if hasattr(result, "entries") else result
        assert all(e.url.startswith(("http://", "https://")) for e in entries)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["", "text/html", "text/html; charset=utf-8",
       "text/html; charset=bogus", "text/html; charset=utf-16", "text/plain; charset=shift_jis"]))  # fmt: skip
def test_encoding_choice_never_raises_and_decodes(body: bytes, content_type: str) -> None:
    encoding = html_encoding(content_type, body)
    if encoding is not None:
        codecs.lookup(encoding)
        body.decode(encoding, "replace")
    assert response_kind(content_type, body) in ("html", "sitemap", "feed", "other")


@settings(max_examples=200, deadline=None)
@given(st.one_of(WORDS, st.sampled_from(TAGS)), st.sampled_from([None, URL]))
def test_url_helpers_never_raise(text: str, base: str | None) -> None:
    url = clean_url(text, base)
    if url is not None:
        assert url.startswith(("http://", "https://"))
        assert url_kind(url) in set(UrlKind)


@settings(max_examples=100, deadline=None)
@given(SOUP)
def test_link_extraction_never_raises(html: str) -> None:
    from parsel import Selector

    links = extract_links(Selector(text=html or "<html></html>", type="html").root, URL)
    assert all(u.startswith(("http://", "https://")) for u in [*links.links, *links.next_pages, *links.feeds])
