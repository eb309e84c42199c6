"""The pure pieces behind the fault matrix, table-driven: charset choice, Retry-After, URL traps,
hostile sitemaps, HTML sniffing, and the archive writer on a disk that fills up."""

from __future__ import annotations

import email.utils
import gzip
import json
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

from crawler.discovery import (
    DecompressionBombError,
    DiscoveryError,
    UrlKind,
    parse_feed,
    parse_sitemap,
    response_kind,
    url_kind,
)
from crawler.fetch.retry import parse_retry_after, retry_wait
from pipelines.archive.jsonl import Archive, ArchiveError, hold_lock
from pipelines.extract.encoding import html_encoding

SMART = "It’s a café — “quoted” naïve"


def html(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/html; charset=utf-8", html(SMART).encode("cp1252"), "cp1252"),  # cp1252 declared as UTF-8
        ("text/html", html(SMART).encode("cp1252"), "cp1252"),  # nothing declared (w3lib guesses cp1250)
        ("text/html", html(SMART).encode(), "utf-8"),
        ("text/html; charset=iso-8859-1", b"\xef\xbb\xbf" + html(SMART).encode(), "utf-8"),  # BOM wins
        ("text/html; charset=iso-8859-1", html(SMART).encode(), "utf-8"),  # UTF-8 declared as Latin-1
        ("text/html", html(SMART, "<meta charset=windows-1252>").encode(), "utf-8"),
        ("text/html", html("肩の痛み", '<meta charset="Shift_JIS">').encode("shift_jis"), "cp932"),
        ("text/html; charset=utf-8", html("肩の痛み", '<meta charset="Shift_JIS">').encode("shift_jis"), "cp932"),
        ("text/html; charset=koi8-r", html("Боль в спине").encode("koi8-r"), "koi8-r"),  # a correct legacy label
        ("text/html; charset=iso-8859-1", b"<html>plain ascii</html>", "cp1252"),
        ("text/html", b"<html><meta charset=utf-16>ascii</html>", "utf-8"),  # UTF-16 without a BOM is a lie
    ],
    ids=[
        "cp1252-as-utf8", "cp1252-undeclared", "utf8-undeclared", "bom", "utf8-as-latin1", "utf8-meta-cp1252",
        "shift-jis-meta", "shift-jis-meta-utf8-header", "koi8-r", "ascii", "meta-utf16",
    ],
)  # fmt: skip
def test_html_encoding(content_type: str, body: bytes, expected: str) -> None:
    assert html_encoding(content_type, body) == expected


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("120", 120.0), (" 5 ", 5.0), ("soon", None), ("", None), (None, None), ("-3", None)],
)
def test_parse_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now=now) == 90
    assert parse_retry_after(email.utils.formatdate(now - 90, usegmt=True), now=now) == 0


@pytest.mark.parametrize(
    ("retry_after", "attempt", "wait"),
    [(120.0, 1, 60.0), (3.0, 2, 3.0), (None, 1, 1.0), (None, 2, 2.0), (None, 3, 4.0), (None, 9, 60.0)],
)
def test_retry_wait_honours_the_server_up_to_a_cap(
    retry_after: float | None, attempt: int, wait: float
) -> None:
    assert retry_wait(retry_after, attempt, backoff=1.0, max_wait=60.0) == wait


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://c.example/events/month/2024-05/", UrlKind.EXCLUDED),
        ("https://c.example/events/list/?tribe-bar-date=2024-05-01", UrlKind.EXCLUDED),
        ("https://c.example/blog/?month=5&year=2024", UrlKind.EXCLUDED),
        ("https://c.example/?ical=1", UrlKind.EXCLUDED),
        ("https://c.example/calendar/2024/05/", UrlKind.EXCLUDED),
        ("https://c.example/blog/2024/05/", UrlKind.LISTING),  # a date archive: bounded by the listing limit
        ("https://c.example/tag/topic-9999/", UrlKind.LISTING),
        ("https://c.example/blog/events-we-ran-in-2024/", UrlKind.CANDIDATE),
    ],
)
def test_calendar_traps_are_excluded(url: str, kind: UrlKind) -> None:
    assert url_kind(url) is kind


def test_a_sitemap_declaring_entities_is_refused() -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://c.example/&b;</loc></url></urlset>"""
    with pytest.raises(DiscoveryError, match=r"declares XML entities \(a, b\)"):
        parse_sitemap(laughs, "https://c.example/sitemap.xml")


@pytest.mark.parametrize(
    "feed",
    [
        # a billion-laughs RSS feed, and an Atom feed whose only link holds an entity (a cut URL)
        b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<rss version="2.0"><channel><item><link>https://c.example/blog/&b;/</link></item></channel></rss>""",
        b"""<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY post "post">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://c.example/blog/&post;-one/"/></entry></feed>""",
    ],
    ids=["rss-laughs", "atom-entity-in-link"],
)
def test_a_feed_declaring_entities_is_refused_as_a_sitemap_is(feed: bytes) -> None:
    with pytest.raises(DiscoveryError, match=r"declares XML entities"):
        parse_feed(feed, "https://c.example/feed/")


def test_a_truncated_sitemap_says_what_broke() -> None:
    sitemap = parse_sitemap(
        b"<urlset><url><loc>https://c.example/a/</loc></url><url><loc>https://c", "https://c/"
    )
    assert [e.url for e in sitemap.entries] == ["https://c.example/a/"]
    assert sitemap.problem and sitemap.problem.startswith("malformed XML at line 1")
    assert (
        parse_sitemap(b"<urlset><url><loc>https://c.example/a/</loc></url></urlset>", "https://c/").problem
        is None
    )


def test_a_gzip_bomb_sitemap_is_not_inflated_past_the_limit() -> None:
    with pytest.raises(DecompressionBombError, match="inflates past 1,000,000 bytes"):
        parse_sitemap(
            gzip.compress(b"\0" * 2_000_000), "https://c.example/sitemap.xml.gz", max_bytes=1_000_000
        )


@pytest.mark.parametrize(
    ("content_type", "body", "kind"),
    [
        ("text/plain; charset=utf-8", b"<!DOCTYPE html><html><body>x</body></html>", "html"),
        ("text/plain", b"\xef\xbb\xbf\n<!-- generated --><html lang=en>", "html"),
        ("", b"<html><body>x</body></html>", "html"),
        ("text/plain", b"Just some notes. <html> is a tag.", "other"),
        ("application/json", b"<html></html>", "other"),
        ("application/pdf", b"%PDF-1.4 <html>", "other"),
        ("image/png", b"\x89PNG\r\n", "other"),
    ],
)
def test_html_is_sniffed_only_behind_text_plain(content_type: str, body: bytes, kind: str) -> None:
    assert response_kind(content_type, body) == kind


def test_an_archive_opened_under_a_held_lock_shares_it(tmp_path) -> None:
    lock = hold_lock(tmp_path)
    try:
        Archive(tmp_path, crawl_id="c1").close()  # the crawl command holds it; the pipeline shares it
        with pytest.raises(ArchiveError, match="another crawl"):
            hold_lock(tmp_path)
    finally:
        lock.release()
    Archive(tmp_path, crawl_id="c2").close()


def test_a_disk_that_fills_mid_record_leaves_only_whole_lines(tmp_path) -> None:
    """The writer under a real file size limit (EFBIG, as ENOSPC on a full disk): the record that
    does not fit is cut back out, the error says so, and every line left parses."""
    script = textwrap.dedent(
        f"""
        import resource
        from pipelines.archive.jsonl import ArchiveError, JsonlWriter
        resource.setrlimit(resource.RLIMIT_FSIZE, (2500, 2500))
        writer = JsonlWriter({str(tmp_path / "x.jsonl")!r})
        try:
            for i in range(100):
                writer.append({{"i": i, "text": "x" * 200}})
        except ArchiveError as exc:
            print(exc)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "cannot write to" in proc.stdout and "the partial line was removed" in proc.stdout
    raw = (tmp_path / "x.jsonl").read_bytes()
    assert raw.endswith(b"\n")
    assert [json.loads(line)["i"] for line in raw.splitlines()] == list(range(len(raw.splitlines())))
