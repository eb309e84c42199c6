"""The crawl's fast paths give what the plain code gave: WARC records gzipped by us, the cached
``clean_url``, ``extract_links`` skipping links it has already sorted, listing pages kept out of
the extraction pool. Behaviour only; ``bench/crawl.py`` measures the speed."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import subprocess
import sys
import zlib
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from warcio.archiveiterator import ArchiveIterator

from crawler.discovery import extract_links
from pipelines.archive.captures import iter_captures, read_capture
from pipelines.archive.warc import WarcCapture
from pipelines.record.models import NotArticle, Page
from pipelines.record.urls import DEFAULT_PORTS, SESSION_IN_PATH, TRACKING_PARAMS, clean_url
from pipelines.scrapy_adapters import ExtractPipeline

# --- WARC records gzipped at our own level ----------------------------------------------------


def capture_some(directory: Path, level: int, n: int = 4) -> tuple[WarcCapture, list]:
    warc = WarcCapture(directory, f"crawl-{level}", {"clinic-archive-sites": "a.example"}, level)
    pointers = [
        warc.capture(
            f"https://a.example/post-{i}/",
            method="GET",
            request_headers=[("User-Agent", "test")],
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")],
            body=f"<html><body><p>post {i}</p>{'<i>padding</i>' * 500 * i}</body></html>".encode(),
            date="2026-01-01T00:00:00Z",
        )
        for i in range(n)
    ]
    warc.close()
    return warc, pointers


@pytest.mark.parametrize("level", [1, 6, 9])
def test_every_record_is_its_own_gzip_member_and_every_digest_holds(tmp_path, level):
    warc, pointers = capture_some(tmp_path, level)
    data = warc.path.read_bytes()
    members, rest = 0, data
    while rest:  # walk the file member by member, as a reader seeking to an offset does
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        inflater.decompress(rest)
        assert inflater.eof
        rest = inflater.unused_data
        members += 1
    assert members == 1 + 2 * len(pointers)  # warcinfo, then a response and a request per capture
    with warc.path.open("rb") as f:
        types = []
        for record in ArchiveIterator(f, check_digests="raise"):
            record.content_stream().read()
            types.append(record.rec_type)
    assert types == ["warcinfo"] + ["response", "request"] * len(pointers)
    assert gzip.decompress(data).count(b"WARC/1.1\r\n") == len(types)


@pytest.mark.parametrize("level", [1, 9])
def test_pointers_resolve_and_warcio_check_passes(tmp_path, level):
    warc, pointers = capture_some(tmp_path, level)
    for i, pointer in enumerate(pointers):
        capture = read_capture(tmp_path, pointer.as_dict())
        assert capture.record_id == pointer.record_id
        assert capture.body.startswith(f"<html><body><p>post {i}</p>".encode())
        assert "transfer-encoding" not in capture.headers
    assert [c.offset for c in iter_captures(warc.path)] == [p.offset for p in pointers]
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(warc.path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest fail" not in checked.stdout
    assert checked.stdout.count("digest pass") == 1 + 2 * len(pointers)  # the warcinfo record's too


def test_a_lower_level_trades_size_for_speed_not_content(tmp_path):
    fast, _ = capture_some(tmp_path / "fast", 1)
    small, _ = capture_some(tmp_path / "small", 9)
    assert fast.path.stat().st_size >= small.path.stat().st_size
    bodies = [[c.body for c in iter_captures(w.path)] for w in (fast, small)]
    assert bodies[0] == bodies[1]


def test_headers_are_stored_as_received_and_odd_ones_do_not_break_the_file(tmp_path):
    """Header values reach the capture decoded as Latin-1 (crawler/fetch/capture.py); the record holds
    the original bytes. A value that is not Latin-1 at all (a caller's own text) is kept as UTF-8."""
    warc = WarcCapture(tmp_path, "odd")
    sent = "Jürgen".encode().decode("latin-1")  # UTF-8 bytes on the wire, as the crawler sees them
    pointers = [
        warc.capture(
            url,
            method="GET",
            request_headers=[("User-Agent", "test")],
            status=status,
            response_headers=[("Content-Type", "text/html"), ("X-Author", value)],
            body=b"<html>x</html>",
            date="2026-01-01T00:00:00Z",
        )
        for url, status, value in [
            ("https://a.example/a", 200, sent),
            ("https://a.example/%C3%BC?q=1", 299, "plain"),
            ("https://a.example/ü", 404, "日本"),
        ]
    ]
    warc.close()
    raw = gzip.decompress(warc.path.read_bytes())
    assert b"X-Author: J\xc3\xbcrgen\r\n" in raw  # the bytes that were sent
    assert read_capture(tmp_path, pointers[0].as_dict()).headers["x-author"] == "Jürgen"
    assert read_capture(tmp_path, pointers[1].as_dict()).status == 299
    assert read_capture(tmp_path, pointers[2].as_dict()).headers["x-author"] == "日本"
    with warc.path.open("rb") as f:
        kinds = [
            r.rec_type for r in ArchiveIterator(f, check_digests="raise") if r.content_stream().read() or 1
        ]
    assert kinds == ["warcinfo"] + ["response", "request"] * 3


@pytest.mark.parametrize("level", [0, 1, 3, 4])
def test_isal_and_zlib_levels_write_the_same_records(tmp_path, level):
    warc, _ = capture_some(tmp_path, level)
    assert [c.body for c in iter_captures(warc.path)] == [
        f"<html><body><p>post {i}</p>{'<i>padding</i>' * 500 * i}</body></html>".encode() for i in range(4)
    ]


# --- clean_url: the cache and the absolute-URL fast path change nothing -------------------------


def clean_url_uncached(url: str, base: str | None = None) -> str | None:
    """``clean_url`` as it was before the fast path and the cache (the reference)."""
    url = (url or "").strip()
    if not url or url.startswith(("#", "mailto:", "tel:", "javascript:", "data:", "sms:", "whatsapp:")):
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = SESSION_IN_PATH.sub("", parts.path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


BASES = [None, "https://clinic.example/blog/post/", "http://127.0.0.1:8000/a/b?x=1", "https://other.example"]
TRICKY = [
    "https:///x",
    "http:///x",
    "https://",
    "http://a.example:99999/",
    "http://[::1/",
    " https://A.example:443/x/../y;jsessionid=9?utm_source=z&b=2#top ",
    "//cdn.example/a.js",
    "?page=2",
    "../up/",
    "HTTPS://Upper.example/",
    "https://a.example/?",
    "https://a.example/a b\tc\n",
    "mailto:x@y.example",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("url", TRICKY)
def test_clean_url_equals_the_uncached_reference(url, base):
    assert clean_url(url, base) == clean_url_uncached(url, base)
    assert clean_url(url, base) == clean_url_uncached(url, base)  # the second call comes from the cache


URL_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "//", "/", "", "../", "?", "#", "https:///"])
URL_TEXT = st.text(alphabet="abc.:/?#&=;%-_ 09[]@", max_size=30)


@given(prefix=URL_PARTS, rest=URL_TEXT, base=st.sampled_from(BASES))
def test_clean_url_equals_the_reference_on_generated_urls(prefix, rest, base):
    url = prefix + rest
    assert clean_url(url, base) == clean_url_uncached(url, base)


# --- extract_links: a link seen before is skipped before its text is read ------------------------


def test_a_link_keeps_the_bucket_of_its_first_appearance():
    page = lxml_html.fromstring(
        """<html><head><link rel="next" href="/blog/page/2/"></head><body>
        <a href="/blog/a/">A post</a> <a href="/blog/a/#comments">Next</a>
        <a href="/blog/page/2/">A long text that is not a page number</a>
        <a href="/blog/page/3/" rel="next">3</a> <a href="/blog/page/3/">ordinary</a>
        <a href="/blog/b/">Older posts</a> <a href="/blog/b/">Post B</a></body></html>"""
    )
    links = extract_links(page, "https://c.example/blog/")
    assert links.next_pages == [
        "https://c.example/blog/page/2/",
        "https://c.example/blog/page/3/",
        "https://c.example/blog/b/",
    ]
    assert links.links == ["https://c.example/blog/a/"]


def test_known_page_links_are_left_out_and_the_rest_sorted_as_without_them():
    """The spider passes the URLs it has requested: for those _follow would do nothing anyway."""
    html = """<html><head><link rel="canonical" href="/blog/a/"><link rel="next" href="/blog/page/2/">
        </head><body><a href="/blog/a/">A post</a> <a href="/blog/page/3/">3</a>
        <a href="/blog/b/">Older posts</a> <a href="/blog/c/">Post C</a> <a href="/blog/c/">Again</a>
        <a>no href</a> <a href="mailto:x@c.example">mail</a></body></html>"""
    base = "https://c.example/blog/a/"
    known = {"https://c.example/blog/a/", "https://c.example/blog/page/2/", "https://c.example/blog/b/"}
    full = extract_links(lxml_html.fromstring(html), base)
    links = extract_links(lxml_html.fromstring(html), base, known=known)
    assert links.canonical == full.canonical == "https://c.example/blog/a/"
    assert links.next_pages == [
        "https://c.example/blog/page/2/",
        "https://c.example/blog/page/3/",
    ]  # <link>s stay
    assert links.links == [u for u in full.links if u not in known] == ["https://c.example/blog/c/"]
    assert full.next_pages == [*links.next_pages, "https://c.example/blog/b/"]


# --- listing pages never travel to an extraction worker ------------------------------------------


class NoPool:
    restarts = 0

    async def build(self, page: Page):
        raise AssertionError(f"{page.url} was sent to the pool")


def test_listing_pages_are_judged_without_the_pool():
    crawler = SimpleNamespace(settings=Settings({"CLINIC_EXTRACT_WORKERS": 1}), spider=None)
    crawler.stats = MemoryStatsCollector(crawler)
    pipeline = ExtractPipeline(crawler)
    pipeline.pool = NoPool()
    url = "https://c.example/blog/page/2/"
    page = Page(url=url, final_url=url, status=200, html="<html></html>", fetched_at="x", listing=True)
    # judged here, with no trip to a worker, and passed on to be listed in skipped.jsonl
    result = asyncio.run(pipeline.process_item(page))
    assert isinstance(result, NotArticle) and result.kind == "listing" and "listing page" in result.reason
    assert result.request_url == url
    assert crawler.stats.get_value("clinic/not_article") == 1


def test_gzip_members_file_reads_as_one_gzip_stream(tmp_path):
    warc, _ = capture_some(tmp_path, 1, n=2)
    with gzip.open(io.BytesIO(warc.path.read_bytes())) as f:
        assert f.read().startswith(b"WARC/1.1\r\nWARC-Type: warcinfo")


# --- reextract: chunks of records per worker task, results still in input order ------------------


def square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("jobs,chunk", [(1, 8), (2, 1), (2, 3), (2, 8)])
def test_ordered_map_keeps_input_order_whatever_the_chunking(jobs, chunk):
    from crawler.reextract import ordered_map

    assert list(ordered_map(square, iter(range(50)), jobs, chunk=chunk)) == [x * x for x in range(50)]
    assert list(ordered_map(square, iter([]), jobs, chunk=chunk)) == []


# --- article records: the shallow field copy equals dataclasses.asdict -------------------------


@given(
    authors=st.lists(st.text(max_size=8), max_size=3),
    year=st.one_of(st.none(), st.integers(1900, 2030)),
    ref=st.one_of(st.none(), st.integers(1, 50)),
    credentials=st.lists(st.text(max_size=5), max_size=2),
)
def test_record_fields_equal_asdict(authors, year, ref, credentials):
    import dataclasses

    from pipelines.archive.jsonl import _fields
    from pipelines.record.models import Author, Citation, Reference

    for obj in (
        Reference(n=1, raw="x", authors=authors, year=year, doi="10.1/x"),
        Citation(marker="(1)", ref=ref, sentence="s"),
        Author(name="A", credentials=credentials),
    ):
        copied = _fields(obj)
        assert copied == dataclasses.asdict(obj)
        for value in copied.values():
            if isinstance(value, list):
                assert all(value is not getattr(obj, f) for f in copied)  # a copy, as asdict's is


# --- reference parsing: patterns skipped when their hint words are absent -----------------------

_FRAGMENTS = [
    "accessed", "Retrieved from", "cited", "viewed", "last updated", "Epub", "PubMed", "PMID: 123",
    "MEDLINE", "PMCID", "PMC12345", "ISBN 978-0-12-345678-9", "ISSN 1234-5678", "(Print)",
    "(Electronic)", "(Linking)", "[pii]", "PII: S0140", "doi: 10.1000/x1", "https://doi.org/10.1/ab",
    "Erratum in:", "Comment on", "Retraction of", "Available from:", "URL: /blog/x", "link: ../a",
    "www.example.org", "http ://x.org/a", "list_uids=42", "10 .1234/abc", "[Google Scholar]",
    "Jan 2020", "2019;31(9):755-760", " ", ". ", "ı", "İ", "ſ", "K", "x", "(", ")", "[", "]", ":",
]  # fmt: skip


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8), st.randoms(use_true_random=False))
def test_a_pattern_never_matches_without_its_hint_words(parts, rnd):
    """The prefilters in identifiers.find_spans and refparse.remove_spans must only ever skip a
    pattern that could not match: every match implies one of its hint words in the folded text."""
    from pipelines.references import identifiers as ids
    from pipelines.references import parse as refparse

    text = "".join(p.upper() if rnd.random() < 0.3 else p for p in parts)
    folded = ids.fold(text)
    checks = [
        (refparse.JUNK_RE, refparse.JUNK_HINTS),
        (ids.URL_RE, ids.URL_HINTS),
        (ids.RELATIVE_URL_RE, ids.RELATIVE_URL_HINTS),
        (ids.PMID_RE, ids.PMID_HINTS),
        (ids.PMCID_RE, ids.PMCID_HINTS),
    ]
    for pattern, hints in checks:
        if pattern.search(text):
            assert any(h in folded for h in hints), (pattern.pattern[:40], text)
    if ids.DOI_SPAN_RE.search(text):
        assert ids.DOI_HINT_RE.search(text)


def test_fold_maps_every_case_insensitive_match_of_an_ascii_letter_to_it():
    import re
    import string

    from pipelines.references.identifiers import fold

    letters = {c: re.compile(c, re.IGNORECASE) for c in string.ascii_lowercase}
    for cp in [*range(0x80, 0x2000), 0x212A, 0x212B, 0xFB00, 0xFB05, 0xFB06]:
        ch = chr(cp)
        for letter, pattern in letters.items():
            if pattern.fullmatch(ch):
                assert fold(ch) == letter, hex(cp)


@given(st.lists(st.sampled_from(["Ref", "erences", " ", "\n\t ", "x" * 30, "é", ":", "\xa0"]), max_size=12))
def test_short_text_is_text_when_short_and_none_when_long(chunks):
    from pipelines.references.find import _short_text, _text

    markup = "".join(f"<b>{c}</b>" if i % 2 else c for i, c in enumerate(chunks))
    el = lxml_html.fragment_fromstring(f"<p>{markup}</p>")
    full = _text(el)
    for limit in (0, 10, 60):
        assert _short_text(el, limit) == (full if len(full) <= limit else None)


# --- citation markers and sentence ends: the faster patterns find what the old ones found --------

OLD_NUMERIC_MARKER = r"(\[|(?<!\w)\()\s*(\d{1,3}(?:\s*[-–—,]\s*\d{1,3})*)\s*([\])])"
OLD_SENTENCE_END = r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(\[])"
_MARKUP = ["(", "[", "]", ")", "1", "23", "a", " ", ",", "-", "–", "f(1)", "w[4]", "\n", "(12, 3)", "é"]
_PROSE = ["Pain", " ", ".", "!", "?", "”", ")", "\t", "A", "3", "(", "[", "et al", "e.g", "x", "“"]


@given(st.lists(st.sampled_from(_MARKUP), max_size=14))
def test_numeric_marker_pattern_matches_as_before(parts):
    import re

    from pipelines.references.markers import NUMERIC_MARKER

    text = "".join(parts)
    old = [(m.span(), m.groups()) for m in re.finditer(OLD_NUMERIC_MARKER, text)]
    assert [(m.span(), m.groups()) for m in NUMERIC_MARKER.finditer(text)] == old


@given(st.lists(st.sampled_from(_PROSE), max_size=16))
def test_sentence_ends_are_found_as_before(parts):
    import re

    from pipelines.references.markers import SENTENCE_END

    text = "".join(parts)
    old = [m.span() for m in re.finditer(OLD_SENTENCE_END, text)]
    assert [(m.start() + 1, m.end()) for m in SENTENCE_END.finditer(text)] == old


@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r.é\u00a0\u200b\u2003e\u0301")), max_size=20))
def test_clean_line_ascii_fast_path_matches_the_general_path(line):
    import unicodedata

    from pipelines.record.normalize import INVISIBLE, SPACES, clean_line

    assert clean_line(line) == SPACES.sub(" ", INVISIBLE.sub("", unicodedata.normalize("NFC", line))).strip()


def test_the_crawl_process_runs_without_the_extractor_or_redis_and_workers_preload_it(serve, tmp_path):
    """The main process only fetches and hands pages to the extraction workers: a whole crawl
    (listing pages included) runs without importing trafilatura, the extractor or redis-py;
    the fork server preloads the extractor for the workers."""
    from conftest import crawl

    server = serve("wp-physio")
    report = tmp_path / "modules.json"
    pooled = ["-s", "CLINIC_EXTRACT_WORKERS=2"]  # the default on one CPU is inline
    watch = (
        "import atexit, json, sys\n"
        "heavy = ('trafilatura', 'pipelines.extract.article', 'pipelines.references.parse', 'redis', 'scrapy_redis')\n"
        f"atexit.register(lambda: open({str(report)!r}, 'w').write(json.dumps([m for m in heavy if m in sys.modules])))"
    )
    out = crawl([server.url], tmp_path / "out", *pooled, prelude=watch)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.articles, "the crawl archived nothing"
    assert json.loads(report.read_text()) == []
    from pipelines.extract.pool import WORKER_MODULES

    assert "trafilatura" in WORKER_MODULES and "pipelines.extract.article" in WORKER_MODULES


def test_without_isal_records_are_gzipped_by_zlib(tmp_path, monkeypatch):
    """isal ships wheels for the usual platforms; where it is missing, zlib writes the same records."""
    from pipelines.archive import warc as warc_module

    monkeypatch.setattr(warc_module, "_isal_zlib", None)
    warc, _ = capture_some(tmp_path, 1)
    assert [c.body for c in iter_captures(warc.path)] == [
        f"<html><body><p>post {i}</p>{'<i>padding</i>' * 500 * i}</body></html>".encode() for i in range(4)
    ]
    with warc.path.open("rb") as f:
        assert (
            sum(1 for r in ArchiveIterator(f, check_digests="raise") if r.content_stream().read() or 1) == 9
        )


def test_requests_serialise_for_the_disk_queue_as_scrapy_does(tmp_path):
    """crawler/queues.py names callbacks without scanning the spider: the same dictionaries as
    Scrapy's ``to_dict(spider=...)`` for every kind of request the spider makes, the same
    refusal for a callback that is not a spider method, and requests read back intact."""
    import scrapy
    from scrapy.utils.request import request_from_dict
    from scrapy.utils.test import get_crawler

    from crawler.queues import PickleLifoDiskQueue, request_to_dict
    from crawler.spiders.clinic_blog import ClinicBlogSpider

    crawler = get_crawler(ClinicBlogSpider, settings_dict={"CLINIC_OUTPUT_DIR": str(tmp_path / "out")})
    spider = ClinicBlogSpider.from_crawler(crawler, seeds="https://clinic.example/")
    crawler.spider = spider
    requests = [
        spider._page_request("https://clinic.example/blog/a/", 50, meta={"listing": False}),
        *spider._sitemap_request("https://clinic.example/sitemap.xml", probe=True),
        *spider._feed_request("https://clinic.example/feed/"),
        scrapy.Request(
            "https://clinic.example/robots.txt", callback=spider.parse_robots, errback=spider.robots_failed
        ),
        scrapy.Request("https://clinic.example/no-callback"),
    ]
    for request in requests:
        assert request_to_dict(request, spider) == request.to_dict(spider=spider)
    stranger = scrapy.Request("https://clinic.example/x", callback=lambda response: None)
    with pytest.raises(ValueError, match="not an instance method"):
        request_to_dict(stranger, spider)

    queue = PickleLifoDiskQueue.from_crawler(crawler, str(tmp_path / "q"))
    for request in requests:
        queue.push(request)
    for request in reversed(requests):
        back = queue.pop()
        assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
        assert back.callback == request.callback and back.errback == request.errback
    queue.close()
    assert (
        request_from_dict(request_to_dict(requests[0], spider), spider=spider).callback == spider.parse_page
    )


HTML_BITS = st.sampled_from(
    [
        "<!DOCTYPE html>", "<!doctype html/>", "<html>", "<html/>", "<html lang=en />", "<head>",
        "<body>", "<p>", "</p>", "<div class=a>", "</div>", "text", "é", "\n", "\t", "\r", "\x00",
        "\x01", "\x0b", "\x1f", "\x7f", "\ufffe", "\uffff", "\ud800", "\U0001f600", "&amp;",
        '<?xml version="1.0" encoding="utf-8"?>', "<!-- c -->", "<script>x<1</script>",
    ]
)  # fmt: skip


@given(st.lists(HTML_BITS, max_size=25).map("".join))
def test_load_html_builds_the_tree_trafilatura_does(html):
    """pipelines.extract.article._load_html skips trafilatura's control-character regex when the page has
    none: the tree (or None) must be exactly trafilatura.utils.load_html's."""
    from lxml import etree
    from trafilatura.utils import INVALID_XML_CHARS, load_html

    from pipelines.extract.article import _load_html, has_invalid_xml_chars

    assert has_invalid_xml_chars(html) == bool(INVALID_XML_CHARS.search(html))
    ours, theirs = _load_html(html), load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert etree.tostring(ours) == etree.tostring(theirs)


def test_load_html_matches_trafilatura_on_every_fixture_page():
    from conftest import ROOT
    from lxml import etree
    from trafilatura.utils import load_html

    from pipelines.extract.article import _load_html

    pages = sorted((ROOT / "tests" / "fixtures").rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_bytes().decode("utf-8", "replace")
        assert etree.tostring(_load_html(html)) == etree.tostring(load_html(html)), page


# --- element classes picked in C (pipelines/extract/htmltree.py) --------------------------------------

FORM_PAGE = (
    "<html><head><title>T</title><!-- c --></head><body><form action='/s'><label for=q>Q</label>"
    "<input name=q value=1><select name=s><option>a</option></select><textarea>t</textarea></form>"
    "<p>Some <b>text</b> here.</p></body></html>"
)


def test_html_parser_gives_html_elements_without_a_python_lookup():
    """Every element is an HtmlElement (form controls too, which lxml.html would make InputElement
    and the like), the tree is lxml.html's, and HtmlElement's helpers work on it."""
    from copy import deepcopy

    from lxml import etree

    from pipelines.extract.htmltree import html_parser

    parser = html_parser(remove_comments=False)
    ours = etree.fromstring(FORM_PAGE, parser=parser)
    theirs = etree.fromstring(FORM_PAGE, parser=lxml_html.HTMLParser(remove_comments=False))
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert type(theirs.find(".//input")) is lxml_html.InputElement  # what the Python lookup picks
    assert {type(el) for el in ours.iter(etree.Element)} == {lxml_html.HtmlElement}
    assert {type(el) for el in ours.iter(etree.Comment)} == {lxml_html.HtmlComment}
    assert ours.find(".//p").text_content() == "Some text here."
    ours.find(".//form").drop_tree()
    assert ours.find(".//input") is None and ours.find(".//p") is not None
    copied = deepcopy(ours)  # trafilatura copies the tree before it cleans it
    assert {type(el) for el in copied.iter(etree.Element)} == {lxml_html.HtmlElement}


def test_extraction_and_link_trees_are_made_by_c_lookup_parsers():
    from crawler.discovery.pages import _HTML_PARSER
    from pipelines.extract.article import HTML_PARSER, _load_html

    page = _load_html(FORM_PAGE)
    assert type(page.find(".//input")) is lxml_html.HtmlElement
    assert HTML_PARSER.makeelement("x").__class__ is lxml_html.HtmlElement
    assert _HTML_PARSER.makeelement("input").__class__ is lxml_html.HtmlElement


# --- html_root: the reactor parses an ASCII page as it came ------------------------------------

ASCII_BITS = st.sampled_from(
    [
        "<!DOCTYPE html>", "<html>", "</html>", "<head>", "<base href='/x/'>", "<body>", "<p>", "</p>",
        '<a href="/a">A</a>', "<a href='b' rel=next>Older posts</a>", '<link rel="canonical" href="/c">',
        "text", " ", "\n", "\t", "\x0b", "\x1c", "\x1f", "&amp;", "&eacute;", "<!-- c -->", "<script>a<b</script>",
        "<br/>", "<![CDATA[x]]>", "<?php ?>", "<", ">",
    ]
)  # fmt: skip


@given(
    st.lists(ASCII_BITS, max_size=30).map("".join), st.sampled_from(["utf-8", "cp1252", "latin-1", "ascii"])
)
def test_html_root_builds_the_tree_scrapy_selector_does(text, encoding):
    from lxml import etree
    from scrapy.http import HtmlResponse

    from crawler.discovery import html_root

    response = HtmlResponse("https://c.example/blog/p/", body=text.encode(encoding), encoding=encoding)
    ours = html_root(response.body, response.encoding, lambda: response.text)
    assert etree.tostring(ours) == etree.tostring(response.selector.root)


def test_html_root_takes_parsel_s_way_for_other_bodies():
    from lxml import etree
    from scrapy.http import HtmlResponse

    from crawler.discovery import html_root

    for body, encoding in [
        ("<p>café</p>".encode(), "utf-8"),
        ("<p>café</p>".encode("cp1252"), "cp1252"),
        (b"<p>a\x00b</p>", "utf-8"),
        ("<p>x</p>".encode("utf-16"), "utf-16"),
        (b"", "utf-8"),
        (b"   ", "utf-8"),
    ]:
        response = HtmlResponse("https://c.example/", body=body, encoding=encoding)
        ours = html_root(response.body, response.encoding, lambda response=response: response.text)
        assert etree.tostring(ours) == etree.tostring(response.selector.root), body


# --- citation patterns skipped when the text cannot hold a match --------------------------------

CITATION_TEXT = st.lists(
    st.sampled_from(["19", "20", "2019", "1998a", "n.", "n. d.", "n.d.", "in press", "In press", "d.", " ",
                     "Smith", "et al.", "and", "(", ")", "a", "the", "study", "published in", "9", "0", "1", "2"]),
    max_size=20,
).map("".join)  # fmt: skip


@given(CITATION_TEXT)
def test_year_key_hint_is_necessary(text):
    from pipelines.references.authoryear import HAS_YEAR_KEY, _may_hold_year_key

    assert _may_hold_year_key(text) or not HAS_YEAR_KEY.search(text)


@given(CITATION_TEXT)
def test_year_cues_need_a_year_prefix(text):
    from pipelines.references.contradictions import YEAR_CUES

    if any(cue.search(text) for cue in YEAR_CUES):
        assert "19" in text or "20" in text


def test_every_profile_marker_contains_one_of_its_hints():
    """detect_profiles skips a profile whose hints are all absent: only right if each marker holds one."""
    from pipelines.extract.profiles import PROFILES

    for profile in PROFILES:
        for marker in profile.markers:
            assert not profile.hints or any(hint in marker for hint in profile.hints), (profile.name, marker)


@pytest.mark.parametrize("tables", [True, False])
@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("url", ["https://c.example/blog/a/", None, "https://c.example/caf\udce9/"])
def test_extraction_options_equal_the_ones_bare_extraction_builds(url, tables, fast):
    from trafilatura.settings import Extractor

    from pipelines.extract.maintext import extraction_options

    built = Extractor(  # what bare_extraction() makes of our keyword arguments
        output_format="python", fast=fast, precision=False, recall=False, comments=False,
        formatting=None, links=False, images=False, tables=tables, dedup=False, lang=None,
        url=url, with_metadata=False, only_with_metadata=False,
    )  # fmt: skip
    ours = extraction_options(url, tables, fast)
    assert {s: getattr(ours, s) for s in Extractor.__slots__} == {
        s: getattr(built, s) for s in Extractor.__slots__
    }
    assert extraction_options("https://other.example/", tables, fast).url == "https://other.example/"
    assert ours.url == url  # each call gets its own copy


CHROME_LINE = st.lists(
    st.sampled_from(["book", "now", "book now", "call", "us", "text us", "skip to content", "share", "_", "-",
                     "|", " ", "  ", "(555) 123-4567", "+1 503 555 0100", "12", "x", "pain", "e_mail", "’", "»",
                     "don't", "don", "t", "Book Now!", "café", "\u00a0"]),
    max_size=12,
).map("".join)  # fmt: skip


@given(
    CHROME_LINE, st.lists(st.sampled_from(["book now", "e_mail us", "don't miss", "café menu"]), max_size=3)
)
def test_chrome_filter_word_check_agrees_with_the_phrase_pattern(line, extra):
    """ChromeFilter skips the phrase pattern when a word of the line is in no phrase: the verdict
    must be the one the pattern alone gives."""
    from pipelines.extract.chrome import DEFAULT_CHROME_PHRASES, NOISE, PHONE, ChromeFilter, _key

    chrome = ChromeFilter(phrases=(*DEFAULT_CHROME_PHRASES, *extra))
    key = _key(line)
    if key and len(key) <= 200:
        text = PHONE.sub(" ", key)
        assert chrome._only_phrases(text) == (not NOISE.sub("", chrome._phrases.sub(" ", text)))
