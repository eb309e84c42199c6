"""The classifier in real crawls: discovery context as evidence, every page not archived listed
with its score and signals, --keep-non-articles, and re-extraction weighing the same evidence.

The site is written per test: a clinic whose posts sit under /services/ (a real layout: some
practices file their articles under the service they are about), in plain HTML with no article
markup, no date and og:type website on every page, so the URL says "service page" and nothing on
the page says "post". Only how the crawl found each page can tell them apart: the feed lists the
posts, the home page links the service pages.

(Here the posts are reachable through the feed alone. A post the home page also links may be
fetched before the feed is read, and is then judged without that signal: reading a site's
sitemaps and feeds before following its page links is issue 22's "discovery first".)
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from conftest import crawl, read_jsonl, run_cli

from pipelines.record.validate import record_problems

PROSE = (
    "<p>Sports massage is a hands-on treatment that works on the muscles and soft tissues most loaded "
    "by training. Most athletes use it between hard sessions, and many find it helps them feel ready "
    "for the next one, although the research on recovery is mixed.</p>"
    "<p>A typical session lasts forty-five minutes. We start with a short conversation about your "
    "training week, any niggles, and what you want from the session, then work through the legs, "
    "hips and back with a mix of long strokes and more focused pressure.</p>"
    "<p>If you are new to massage, expect to feel some tenderness for a day or two. Drink water, keep "
    "moving gently, and let us know how you felt so we can adjust next time.</p>"
)


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head>"
        f"<title>{title} | Harbour Physio</title><meta property='og:type' content='website'>"
        "<meta property='og:site_name' content='Harbour Physio'>"
        "<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head><body>"
        "<nav><a href='/'>Home</a><a href='/services/'>Services</a><a href='/contact/'>Contact</a></nav>"
        f"<main><h1>{title}</h1>{body}</main><footer><p>Harbour Physio, 1 Quay St</p></footer></body></html>"
    )


POSTS = {
    "/services/sports-massage-what-to-expect/": "Sports Massage: What to Expect",
    "/services/foam-rolling-before-a-run/": "Foam Rolling Before a Run",
}
SERVICES = {
    "/services/dry-needling/": "Dry Needling",
    "/services/hydrotherapy/": "Hydrotherapy",
}


def write_site(root: Path) -> Path:
    def put(path: str, text: str) -> None:
        file = root / path.strip("/") / "index.html" if path.endswith("/") else root / path.strip("/")
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, "utf-8")

    links = "".join(f"<p><a href='{p}'>{t}</a></p>" for p, t in SERVICES.items())
    put("/", page("Harbour Physio", "<p>Physiotherapy on the harbour since 2009.</p>" + links))
    put("/contact/", page("Contact", "<p>Call us on 555 0100.</p>"))
    put("/services/", page("Services", "<ul>" + links + "</ul>"))
    for path, title in {**POSTS, **SERVICES}.items():
        put(path, page(title, PROSE))
    items = "".join(
        f"<item><title>{t}</title><link>{{{{BASE}}}}{p}</link><pubDate>Tue, 05 Mar 2024 09:00:00 +0000</pubDate></item>"
        for p, t in POSTS.items()
    )
    put(
        "/feed.xml",
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Blog</title>{items}</channel></rss>",
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return root


def paths(records: list[dict]) -> set[str]:
    return {urlsplit(r["url"]).path for r in records}


def test_the_feed_tells_posts_from_service_pages(tmp_path, serve):
    server = serve(write_site(tmp_path / "site"))
    result = crawl([f"{server.url}/"], tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert paths(result.articles) == set(POSTS)
    for record in result.articles:
        assert record["page_type"] == "article"
        assert "listed in the site's feed (+4)" in record["classification"]["signals"]
        assert record_problems(record) == []

    skipped = read_jsonl(tmp_path / "out" / "skipped.jsonl")
    by_path = {urlsplit(s["url"]).path: s for s in skipped}
    # every fetched HTML page not archived is listed, with the decision's score and signals
    assert set(by_path) == {"/", "/contact/", "/services/", *SERVICES}
    for path in SERVICES:
        line = by_path[path]
        assert line["kind"] == "not_article" and line["score"] < 0
        assert line["reason"].startswith("not an article (score ")
        assert "a /services page (-3)" in line["signals"]
    assert "the site's home page (-6)" in by_path["/"]["signals"]
    (summary,) = result.crawls
    assert summary["not_articles"] == len(skipped)


def test_keep_non_articles_archives_them_with_their_page_type(tmp_path, serve):
    server = serve(write_site(tmp_path / "site"))
    result = crawl([f"{server.url}/"], tmp_path / "out", "--keep-non-articles")
    assert result.returncode == 0, result.stderr
    types = {urlsplit(r["url"]).path: r["page_type"] for r in result.articles}
    assert types == {
        **{p: "article" for p in POSTS},
        **{p: "service" for p in SERVICES},
        "/services/": "service",
        "/contact/": "service",
        "/": "home",
    }
    for record in result.articles:
        assert record_problems(record) == []
        assert isinstance(record["classification"]["score"], (int, float))


def test_reextract_weighs_the_discovery_the_crawl_recorded(tmp_path, serve):
    """The WARC keeps how each page was found, so re-extraction decides as the crawl did."""
    server = serve(write_site(tmp_path / "site"))
    live = crawl([f"{server.url}/"], tmp_path / "live")
    assert live.returncode == 0, live.stderr
    warcs = sorted(str(p) for p in (tmp_path / "live" / "raw").glob("*.warc.gz"))
    proc = run_cli("reextract", *warcs, "-o", str(tmp_path / "re"))
    assert proc.returncode == 0, proc.stderr
    again = read_jsonl(tmp_path / "re" / "articles.jsonl")
    assert paths(again) == set(POSTS)
    assert [r["classification"] for r in again] == [r["classification"] for r in live.articles]


def test_the_report_says_how_many_pages_were_not_articles(tmp_path, serve):
    """The report counts posts only, and points at skipped.jsonl for the rest, also when the
    non-articles were kept in the archive."""
    server = serve(write_site(tmp_path / "site"))
    out = tmp_path / "out"
    assert crawl([f"{server.url}/"], out, "--keep-non-articles").returncode == 0
    crawl_again = crawl([f"{server.url}/"], tmp_path / "plain")
    assert crawl_again.returncode == 0
    for archive, kept in ((out, 5), (tmp_path / "plain", 0)):
        proc = run_cli("report", str(archive), "--format", "json", "-o", str(archive / "report.json"))
        assert proc.returncode == 0, proc.stderr
        report = json.loads((archive / "report.json").read_text("utf-8"))
        assert report["posts"] == len(POSTS) and report["kept_non_articles"] == kept
        assert report["skipped"] == ({} if kept else {"not_article": 5})
    proc = run_cli("report", str(tmp_path / "plain"), "-o", str(tmp_path / "plain" / "report.html"))
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "plain" / "report.html").read_text("utf-8")
    assert "5 pages judged not articles" in html and "skipped.jsonl" in html


def test_a_sitemap_of_posts_is_evidence_too(tmp_path, serve):
    """Posts listed only in a Yoast-style post-sitemap.xml carry that signal into their record;
    the pages of page-sitemap.xml do not get it."""
    root = write_site(tmp_path / "site")
    (root / "feed.xml").unlink()
    for html in root.rglob("index.html"):
        html.write_text(
            html.read_text("utf-8").replace(
                "<link rel='alternate' type='application/rss+xml' href='/feed.xml'>", ""
            ),
            "utf-8",
        )
    urls = "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>" for p in POSTS)
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    (root / "post-sitemap.xml").write_text(
        f"<?xml version='1.0'?><urlset xmlns='{ns}'>{urls}</urlset>", "utf-8"
    )
    pages = "".join(f"<url><loc>{{{{BASE}}}}{p}</loc></url>" for p in SERVICES)
    (root / "page-sitemap.xml").write_text(
        f"<?xml version='1.0'?><urlset xmlns='{ns}'>{pages}</urlset>", "utf-8"
    )
    (root / "robots.txt").write_text(
        "User-agent: *\nAllow: /\nSitemap: {{BASE}}/post-sitemap.xml\nSitemap: {{BASE}}/page-sitemap.xml\n",
        "utf-8",
    )
    server = serve(root)
    result = crawl([f"{server.url}/"], tmp_path / "out", "--keep-non-articles")
    assert result.returncode == 0, result.stderr
    signals = {urlsplit(r["url"]).path: r["classification"]["signals"] for r in result.articles}
    for path in POSTS:
        assert "listed in a sitemap of posts (+2)" in signals[path]
    for path in SERVICES:
        assert not any("sitemap" in s for s in signals[path])
