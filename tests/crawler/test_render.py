"""Pages that need JavaScript, rendered in a real browser only when needed (crawler/fetch/render.py).

Real crawls through headless Chromium (Debian's ``chromium``; Playwright's own downloads are never
used) of the ``js-physio`` fixture site, whose blog index and posts exist only once JavaScript
has fetched them from a JSON endpoint (the index behind a "Load more" button), and of small
hostile sites: a page that never finishes, a page that asks the browser for an intranet host, a
subresource robots.txt disallows, images, fonts and trackers. Skipped only when no Chromium or
no scrapy-playwright is installed; the tests of what happens then run everywhere.
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SITES, CrawlResult, crawl, load_expected, read_jsonl
from faultserver import FaultServer, Reply

from crawler.fetch import render_support
from crawler.siteserver import SiteServer

needs_browser = pytest.mark.skipif(
    render_support() is not None, reason=f"cannot render here: {render_support()}"
)
SITE = "js-physio"
# Python run in the crawl's process first: scrapy-playwright is not installed there
WITHOUT_EXTRA = "import sys; sys.modules['scrapy_playwright'] = None"


def paths(result: CrawlResult) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in result.articles)


def warc_records(output: Path) -> bytes:
    data = b"".join(p.read_bytes() for p in sorted((output / "raw").glob("*.warc.gz")))
    return gzip.GzipFile(fileobj=io.BytesIO(data)).read()


@pytest.fixture(scope="module")
def js_site():
    server = SiteServer(SITES / SITE).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rendered(js_site, tmp_path_factory) -> CrawlResult:
    # a fresh browser context every 3 pages: the site is rendered across several
    out = tmp_path_factory.mktemp("auto")
    return crawl([f"{js_site.url}/"], out, "--render", "auto", "-s", "CLINIC_RENDER_RECYCLE=3")


@needs_browser
def test_auto_renders_the_shells_and_archives_every_post(rendered, js_site):
    expected = load_expected(SITE)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert paths(rendered) == sorted(a["path"] for a in expected["articles"])
    for record in rendered.articles:
        assert record["fetch"] == {"rendered": True}
        assert record["word_count"] > 150 and record["authors"] and record["published"]
    with_refs = [r for r in rendered.articles if r["references"]]
    assert len(with_refs) == sum(1 for a in expected["articles"] if a["reference_count"])
    # every page of posts was loaded by clicking "Load more"
    requested = {path for _, path in js_site.requests}
    assert {"/api/posts-1.json", "/api/posts-2.json", "/api/posts-3.json"} <= requested


@needs_browser
def test_only_the_shells_go_through_the_browser(rendered):
    summary = rendered.crawls[-1]
    shells = 1 + len(load_expected(SITE)["articles"])  # the blog index and each post
    assert summary["rendered"] == shells
    assert summary["render"]["requested"] == shells
    assert "failed" not in summary["render"]
    # 8 pages, a new context after every 3 (once the pages still open are done)
    assert summary["render"]["contexts_recycled"] >= 1
    assert f"({shells} rendered in a browser)" in rendered.stdout
    skipped = {urlsplit(s["url"]).path: s for s in read_jsonl(rendered.output / "skipped.jsonl")}
    assert {"/", "/services/", "/contact/", "/privacy-policy/"} <= set(skipped)  # plain pages, judged as ever
    assert all(s["kind"] != "needs_javascript" for s in skipped.values())


@needs_browser
def test_the_warc_keeps_what_the_browser_saw_and_reextract_agrees(rendered, tmp_path):
    records = warc_records(rendered.output)
    assert records.count(b"Clinic-Rendered: true") == rendered.crawls[-1]["rendered"]
    for record in rendered.articles:
        assert record["title"].encode() in records  # in the rendered DOM, not in any plain response
    from conftest import run_cli

    warcs = [str(p) for p in (rendered.output / "raw").glob("*.warc.gz")]
    proc = run_cli("reextract", *warcs, "-o", str(tmp_path / "re"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    again = read_jsonl(tmp_path / "re" / "articles.jsonl")
    assert sorted((r["id"], r["content_hash"], r["fetch"]["rendered"]) for r in again) == sorted(
        (r["id"], r["content_hash"], True) for r in rendered.articles
    )


def test_never_lists_the_shells_as_skipped_with_the_reason(js_site, tmp_path):
    result = crawl([f"{js_site.url}/"], tmp_path / "never", "--render", "never")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.articles == []
    skipped = {urlsplit(s["url"]).path: s for s in read_jsonl(tmp_path / "never" / "skipped.jsonl")}
    shell = skipped["/blog/"]
    assert shell["kind"] == "needs_javascript"
    assert shell["reason"].startswith('the page needs JavaScript (an empty app root <div id="root">')
    assert shell["reason"].endswith("crawl with --render auto to render it in a browser")
    assert result.crawls[-1]["skipped"]["needs_javascript"] >= 1
    assert result.crawls[-1]["rendered"] == 0
    assert "pages need JavaScript and were not rendered: see skipped.jsonl" in result.stdout
    assert b"Clinic-Rendered" not in warc_records(tmp_path / "never")


def test_without_the_extra_always_refuses_and_auto_says_what_to_install(js_site, tmp_path):
    refused = crawl([f"{js_site.url}/"], tmp_path / "always", "--render", "always", prelude=WITHOUT_EXTRA)
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0, refused.stderr  # one line, no traceback
    assert "--render always: the render extra is not installed" in refused.stderr
    assert "clinic-archive[render]" in refused.stderr and "scrapy-playwright" in refused.stderr
    result = crawl([f"{js_site.url}/"], tmp_path / "auto", prelude=WITHOUT_EXTRA)
    assert result.returncode == 0, result.stderr[-2000:]
    skipped = {urlsplit(s["url"]).path: s for s in read_jsonl(tmp_path / "auto" / "skipped.jsonl")}
    assert skipped["/blog/"]["kind"] == "needs_javascript"
    assert "it could not be rendered: the render extra is not installed" in skipped["/blog/"]["reason"]


def test_a_missing_browser_is_named(js_site, tmp_path):
    result = crawl(
        [f"{js_site.url}/"],
        tmp_path / "out",
        "--render",
        "always",
        "-s",
        "CLINIC_CHROMIUM=/nonexistent/chromium",
    )
    assert result.returncode == 2
    assert "no Chromium browser found at /nonexistent/chromium" in result.stderr
    assert "Traceback" not in result.stderr


# --- hostile pages ------------------------------------------------------------------------

APP = """
const root = document.getElementById('root');
fetch('/private-api/extra.json').catch(() => {});
fetch('http://intranet.test:INTRANET/secret.json').catch(() => {});
const s = document.createElement('script'); s.src = 'https://www.google-analytics.com/analytics.js';
document.head.appendChild(s);
fetch('/api/post.json').then(r => r.json()).then(post => {
  document.title = post.title;
  root.innerHTML = '<style>@font-face{font-family:X;src:url(/fonts/x.woff2)} p{font-family:X}</style>' +
    '<article><h1>' + post.title + '</h1><p class="byline">By Dr. Ana Silva, PT</p>' +
    '<time datetime="2024-02-03">February 3, 2024</time><img src="/img/photo.jpg" alt="">' +
    post.paragraphs.map(p => '<p>' + p + '</p>').join('') + '</article>';
});
"""
SHELL = '<!doctype html><html lang="en"><head><title>Clinic</title></head><body><div id="root"></div>{}</body></html>'
POST = {
    "title": "Returning to sport after a hamstring strain",
    "paragraphs": [
        "Hamstring strains are among the most common injuries in running sports, and they recur often "
        "when players return before the muscle has regained its strength and length." * 2
    ]
    * 6,
}


GREEDY = "<script>setTimeout(() => { const a = []; for (;;) a.push(new Array(1e6).fill(Math.random())); }, 50)</script>"


def hostile_site(intranet_port: int):
    def build(base: str) -> dict[str, Reply]:
        links = (
            '<a href="/blog/hamstring/">Hamstring</a> <a href="/blog/frozen/">Frozen</a> '
            '<a href="/blog/greedy/">Greedy</a>'
        )
        return {
            "/": Reply(body=f"<html><body><h1>Clinic</h1><nav>{links}</nav></body></html>".encode()),
            "/robots.txt": Reply(body=b"User-agent: *\nDisallow: /private-api/\n", content_type="text/plain"),
            "/blog/hamstring/": Reply(body=SHELL.format('<script src="/app.js"></script>').encode()),
            "/app.js": Reply(
                body=APP.replace("INTRANET", str(intranet_port)).encode(),
                content_type="application/javascript",
            ),
            "/api/post.json": Reply(body=json.dumps(POST).encode(), content_type="application/json"),
            # a page whose script never lets go of the browser's main thread
            "/blog/frozen/": Reply(
                body=SHELL.format("<script>setTimeout(() => { for (;;) {} }, 50)</script>").encode()
            ),
            # ...and one whose script takes memory until its renderer crashes
            "/blog/greedy/": Reply(body=SHELL.format(GREEDY).encode()),
        }

    return build


@needs_browser
def test_the_browser_obeys_robots_the_address_policy_and_its_time_limit(tmp_path):
    intranet = FaultServer(
        lambda base: {"/*": Reply(body=b"SECRET", content_type="application/json")}, host="127.0.0.3"
    )
    intranet.start()
    site = FaultServer(hostile_site(intranet.port), host="127.0.0.2").start()
    hosts = {"clinic.test": "127.0.0.2", "intranet.test": "127.0.0.3"}
    try:
        result = crawl(
            [f"http://clinic.test:{site.port}/"],
            tmp_path / "out",
            "-s", f"CLINIC_TEST_HOSTS={json.dumps(hosts)}",
            "-s", "CLINIC_TEST_PUBLIC_ADDRESSES=127.0.0.2",
            "-s", "CLINIC_RENDER_TIMEOUT=6",
            "-s", "CLINIC_RENDER_WAIT=1",
        )  # fmt: skip
    finally:
        site.stop()
        intranet.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["title"] for r in result.articles] == [POST["title"]]
    assert result.articles[0]["fetch"]["rendered"] is True
    asked = {urlsplit(target).path for _, target in site.requests}
    assert "/api/post.json" in asked
    assert not asked & {"/private-api/extra.json", "/img/photo.jpg", "/fonts/x.woff2"}
    assert intranet.requests == []
    render = result.crawls[-1]["render"]
    assert render["blocked/robots"] == 1 and render["blocked/address"] == 1
    assert render["blocked/tracker"] == 1 and render["blocked/resource"] >= 1
    frozen = [e for e in result.errors if urlsplit(e["url"]).path == "/blog/frozen/"]
    assert [e["error"] for e in frozen] == ["render_timeout"]
    assert "CLINIC_RENDER_TIMEOUT" in frozen[0]["message"]
    greedy = [e for e in result.errors if urlsplit(e["url"]).path == "/blog/greedy/"]
    assert [e["error"] for e in greedy] == ["render_failed"]
    assert "crashed" in greedy[0]["message"]
    assert render["failed/timeout"] == 1 and render["failed"] == 1 and render["pages"] == 1


@needs_browser
def test_rendered_fetches_keep_the_per_site_delay(tmp_path):
    site = FaultServer(
        lambda base: {
            "/": Reply(body=b'<html><body><a href="/blog/a/">a</a> <a href="/blog/b/">b</a></body></html>'),
            "/robots.txt": Reply(body=b"User-agent: *\n", content_type="text/plain"),
            "/app.js": Reply(body=APP.encode(), content_type="application/javascript"),
            "/api/post.json": Reply(body=json.dumps(POST).encode(), content_type="application/json"),
            "/blog/a/": Reply(body=SHELL.format('<script src="/app.js"></script>').encode()),
            "/blog/b/": Reply(body=SHELL.format('<script src="/app.js"></script>').encode()),
        }
    ).start()
    try:
        result = crawl(
            [f"{site.url}/"],
            tmp_path / "out",
            "-s", "DOWNLOAD_DELAY=1",
            "-s", "DOWNLOAD_DELAY_JITTER=0",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        )  # fmt: skip
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.crawls[-1]["rendered"] == 2
    # what the crawl itself asks for (pages, plain or through the browser), not what a page loads
    pages = [t for t, target in site.requests if target == "/" or target.startswith("/blog/")]
    assert len(pages) == 5  # the home page, and each post plain, then rendered
    gaps = [b - a for a, b in itertools.pairwise(pages)]
    assert min(gaps) >= 0.9, gaps


@needs_browser
def test_a_recrawl_renders_again_and_sees_an_edit_the_shell_does_not_show(tmp_path):
    """The shell's ETag stays the same when the article a script fetches changes: a rendered
    post's record keeps no validators, so the recrawl renders it again and compares content."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SITES / SITE, site)
    post = next(a for a in load_expected(SITE)["articles"] if a["reference_count"])
    slug = post["path"].strip("/").split("/")[-1]
    with SiteServer(site) as server:
        first = crawl([f"{server.url}/"], tmp_path / "out")
        assert first.returncode == 0, first.stderr[-2000:]
        assert all(r["http"]["etag"] is None for r in first.articles)
        posts = len(first.articles)  # (read now: the second crawl appends to the same file)
        data_file = site / "api" / "posts" / f"{slug}.json"
        data = json.loads(data_file.read_text("utf-8"))
        data["html"] = data["html"].replace("</p>", " Updated after a reader's question.</p>", 1)
        data_file.write_text(json.dumps(data), "utf-8")
        second = crawl([f"{server.url}/"], tmp_path / "out")
    assert second.returncode == 0, second.stderr[-2000:]
    assert second.crawls[-1]["articles"] == {
        "new": 0,
        "changed": 1,
        "unchanged": posts - 1,
        "removed": 0,
    }
    latest = {r["url"]: r for r in second.articles}
    changed = [r for r in latest.values() if r["version"] == 2]
    assert [urlsplit(r["url"]).path for r in changed] == [post["path"]]
    assert "Updated after a reader's question." in changed[0]["text"]
