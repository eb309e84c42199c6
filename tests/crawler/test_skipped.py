"""Nothing fetched is dropped in silence: every HTML page a crawl fetched is an article record, an
error line, or a line of skipped.jsonl that says why it was not archived."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from conftest import SITES, crawl, read_jsonl, run_cli

from crawler.siteserver import SiteServer

DISCOVERY = ("robots.txt", "sitemap", "feed", ".xml", ".xsl", "/wp-content/")


def test_every_fetched_page_is_archived_listed_as_skipped_or_an_error(tmp_path):
    out = tmp_path / "out"
    with SiteServer(SITES / "wp-physio") as server:
        result = crawl([f"{server.url}/"], out)
        fetched = {
            p
            for p in server.paths_requested("GET")
            if not any(d in p for d in DISCOVERY)
            and not 300 <= server.resolve(p)[0] < 400  # a redirect's target counts
        }
    assert result.returncode == 0, result.stderr[-2000:]
    skipped = read_jsonl(out / "skipped.jsonl")
    path = lambda url: urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")  # noqa: E731
    accounted = (
        {path(r["url"]) for r in result.articles}
        | {path(s["url"]) for s in skipped}
        | {path(e["url"]) for e in result.errors}
    )
    assert fetched <= accounted, sorted(fetched - accounted)
    for line in skipped:
        assert line["kind"] in {"not_article", "listing", "before_since", "duplicate_canonical"}
        assert line["reason"] and line["crawl"] == result.crawls[-1]["crawl_id"]
    kinds = Counter(s["kind"] for s in skipped)
    assert kinds["not_article"] + kinds["listing"] == result.crawls[-1]["not_articles"]
    assert kinds["listing"] > 0 and kinds["not_article"] > 0  # tag pages, the about page...
    assert "skipped.jsonl" in result.stdout

    # re-extraction lists the same pages the same way
    warcs = [str(p) for p in (out / "raw").glob("*.warc.gz")]
    again = run_cli("reextract", *warcs, "-o", str(tmp_path / "re"), "--jobs", "1")
    assert again.returncode == 0, again.stderr
    rebuilt = read_jsonl(tmp_path / "re" / "skipped.jsonl")
    assert sorted((path(s["url"]), s["kind"]) for s in rebuilt) == sorted(
        (path(s["url"]), s["kind"]) for s in skipped
    )
