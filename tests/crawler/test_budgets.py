"""Discovery budgets: no site can hold a crawl with sitemaps, link traps or endless pages.

Each trap is a real site served by tests/faultserver.py and crawled by the real CLI; the
assertions count what the server was asked for and read errors.jsonl and the crawl summary.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from conftest import crawl
from faultserver import FaultServer, Reply, article_html, filler

from crawler.discovery.budgets import Limits, SiteBudgets, url_trap

XML = "application/xml"


@pytest.mark.parametrize(
    "url",
    [
        "https://c.example/a/a/a/a/",
        "https://c.example/blog/x/y/x/y/x/y/x/y/",
        "https://c.example/" + "/".join(f"s{i}" for i in range(17)) + "/",
        "https://c.example/blog/" + "p" * 1100,
        "https://c.example/%61/%61/%61/%61/",  # the same segment, percent-encoded
    ],
)
def test_generated_urls_are_traps(url):
    assert url_trap(url, Limits()) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://c.example/blog/2024/05/12/category/sub/dry-needling-for-back-pain/",
        "https://c.example/blog/a/b/a/",  # a repeat or two is ordinary
        "https://c.example/news/news/news/",
        "https://c.example/?p=12345",
    ],
)
def test_ordinary_urls_are_not(url):
    assert url_trap(url, Limits()) is None


def test_site_budgets_count_per_site_and_report_the_first_refusal_once():
    budgets = SiteBudgets({"pages": 2})
    assert budgets.use("a", "pages") == 1 and budgets.use("a", "pages") == 1
    assert not budgets.allows("a", "pages") and budgets.allows("b", "pages")
    assert budgets.refuse("a", "pages") is True
    assert budgets.refuse("a", "pages") is False
    assert budgets.use("b", "pages", 5) == 2  # up to the cap
    assert SiteBudgets({"pages": 0}).allows("a", "pages")  # 0: no limit
    assert "CLINIC_MAX_PAGES_PER_SITE" in budgets.message("a", "pages")


def test_a_page_request_takes_its_budget_units_all_or_none():
    """A listing page takes a listing unit and a page unit; refused by either, it takes neither."""
    budgets = SiteBudgets({"pages": 3, "listing_pages": 1})
    assert budgets.take("a", ("listing_pages", "pages")) is None
    assert budgets.take("a", ("listing_pages", "pages")) == "listing_pages"
    assert budgets.used[("a", "pages")] == 1  # the refused listing took no page unit
    assert budgets.take("a", ("pages",)) is None and budgets.take("a", ("pages",)) is None
    assert budgets.take("a", ("pages",)) == "pages"
    assert SiteBudgets({}).take("a", ("listing_pages", "pages")) is None  # no limits


def post(i: int) -> Reply:
    return Reply(body=article_html(f"Post {i}", filler(f"topic {i}")).encode())


def sitemap_index(base: str, children: int) -> dict[str, Reply]:
    """robots.txt -> an index of ``children`` child sitemaps, each listing one post."""
    index = "".join(f"<sitemap><loc>{base}/sitemaps/{i}.xml</loc></sitemap>" for i in range(children))

    def child(target: str, attempt: int) -> Reply:
        i = int(urlsplit(target).path.rsplit("/", 1)[-1].split(".")[0])
        return Reply(
            body=f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/blog/post-{i}/</loc></url></urlset>'.encode(),
            content_type=XML,
        )

    def any_post(target: str, attempt: int) -> Reply:
        return post(int(urlsplit(target).path.strip("/").rsplit("-", 1)[-1]))

    return {
        "/": Reply(body=b"<html><body><h1>Clinic</h1></body></html>"),
        "/robots.txt": Reply(body=f"Sitemap: {base}/sitemap_index.xml\n".encode(), content_type="text/plain"),
        "/sitemap_index.xml": Reply(
            body=f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>'.encode(),
            content_type=XML,
        ),
        "/sitemaps/*": child,
        "/blog/*": any_post,
    }


def fetched(server: FaultServer, prefix: str) -> int:
    return sum(1 for _, target in server.requests if target.startswith(prefix))


def test_max_pages_stops_discovery_not_only_pages(tmp_path):
    """--max-pages 5 with a 10,000-sitemap index: a handful of sitemaps fetched, not 10,000."""
    with FaultServer(lambda base: sitemap_index(base, 10_000)) as server:
        result = crawl([f"{server.url}/"], tmp_path / "out", "--max-pages", "5")
        sitemaps = fetched(server, "/sitemaps/")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.articles) <= 5
    assert sitemaps < 100, f"{sitemaps} child sitemaps fetched for --max-pages 5"
    assert result.crawls[-1]["skipped"]["discovery_after_max_pages"] > 9_000


def test_a_site_gets_at_most_its_sitemap_budget_and_one_line_saying_so(tmp_path):
    with FaultServer(lambda base: sitemap_index(base, 2_000)) as server:
        result = crawl(
            [f"{server.url}/"], tmp_path / "out", "-s", "CLINIC_MAX_SITEMAPS_PER_SITE=20", timeout=300
        )
        sitemaps = fetched(server, "/sitemaps/") + fetched(server, "/sitemap_index.xml")
    assert result.returncode == 0, result.stderr[-2000:]
    assert sitemaps == 20  # the index counts as one
    budget = [e for e in result.errors if e["error"] == "sitemap_budget"]
    assert len(budget) == 1 and "CLINIC_MAX_SITEMAPS_PER_SITE" in budget[0]["message"]
    assert len(result.articles) == 19
    assert result.crawls[-1]["skipped"]["sitemap_budget"] == 2_000 + 1 - 20


def nested_site(base: str) -> dict[str, Reply]:
    """A page that links to ``a/`` under itself: ``/a/``, ``/a/a/``, ``/a/a/a/``... forever."""

    def nested(target: str, attempt: int) -> Reply:
        return Reply(body=article_html("Nested", filler("nesting"), links=["a/"]).encode())

    return {
        "/": Reply(body=b'<html><body><a href="/a/">start</a></body></html>'),
        "/robots.txt": Reply(body=b"", content_type="text/plain"),
        "/a/*": nested,
    }


def generator_site(base: str) -> dict[str, Reply]:
    """A calendar-like generator whose URLs never grow: ``/gen/?id=N`` links to ten more ids."""

    def generator(target: str, attempt: int) -> Reply:
        n = int(target.rsplit("=", 1)[-1])
        links = [f"/gen/?id={n * 10 + k}" for k in range(1, 11)]
        return Reply(body=article_html(f"Generated {n}", filler(f"id {n}"), links=links).encode())

    return {
        "/": Reply(body=b'<html><body><a href="/gen/?id=1">start</a></body></html>'),
        "/robots.txt": Reply(body=b"", content_type="text/plain"),
        "/gen/*": generator,
    }


def test_a_growing_link_trap_stops_at_its_shape_with_one_line(tmp_path):
    with FaultServer(nested_site) as server:
        result = crawl([f"{server.url}/"], tmp_path / "out", timeout=300)
        nested = fetched(server, "/a/")
    assert result.returncode == 0, result.stderr[-2000:]
    assert nested == Limits().segment_repeats  # /a/, /a/a/, /a/a/a/; /a/a/a/a/ is a trap
    (trap,) = [e for e in result.errors if e["error"] == "url_trap"]
    assert trap["url"].endswith("/a/a/a/a/") and "repeated 4 times" in trap["message"]


def test_a_trap_that_does_not_grow_stops_at_the_page_budget_with_one_line(tmp_path):
    with FaultServer(generator_site) as server:
        result = crawl(
            [f"{server.url}/"], tmp_path / "out", "-s", "CLINIC_MAX_PAGES_PER_SITE=60", timeout=300
        )
        generated = fetched(server, "/gen/")
    assert result.returncode == 0, result.stderr[-2000:]
    assert generated == 60  # discovered pages; the seed itself is not counted
    (budget,) = [e for e in result.errors if e["error"] == "page_budget"]
    assert "CLINIC_MAX_PAGES_PER_SITE" in budget["message"]
    assert result.crawls[-1]["skipped"]["page_budget"] > 0


def test_max_pages_goes_to_posts_first_and_the_summary_says_it_stopped_the_crawl(tmp_path):
    """--max-pages 6 on a 7-post clinic whose home page links its service and legal pages before
    its posts: the budget buys the home page and five posts, not the privacy policy."""
    from faultserver import Reply, article_html, filler

    others = ["/privacy-policy/", "/services/", "/contact-us/", "/about/", "/book-online/"]
    posts = [f"/blog/post-{i}/" for i in range(7)]

    def build(base: str) -> dict[str, Reply]:
        links = "".join(f'<a href="{p}">{p}</a> ' for p in [*others, *posts])
        pages = {
            p: Reply(body=f"<html><body><h1>{p}</h1><p>Call us.</p></body></html>".encode()) for p in others
        }
        pages |= {p: Reply(body=article_html(f"Post {p}", filler(p)).encode()) for p in posts}
        return {"/": Reply(body=f"<html><body><nav>{links}</nav></body></html>".encode()), **pages}

    with FaultServer(build) as server:
        result = crawl([f"{server.url}/"], tmp_path / "out", "--max-pages", "6")
        asked = {target for _, target in server.requests}
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.articles) == 5
    assert not asked & set(others)
    assert result.crawls[-1]["max_pages"] == 6
    assert "Stopped at --max-pages 6: " in result.stdout


def backlog_prelude(report: str) -> str:
    """Python run in the crawl process first: records the most responses Scrapy's scraper held
    at once (waiting for their callback, extraction and the archive)."""
    return (
        "import atexit, json\n"
        "from scrapy.core import scraper\n"
        "peak = [0]\n"
        "add = scraper.Slot.add_response_request\n"
        "def counted(self, result, request):\n"
        "    deferred = add(self, result, request)\n"
        "    peak[0] = max(peak[0], len(self.active))\n"
        "    return deferred\n"
        "scraper.Slot.add_response_request = counted\n"
        f"atexit.register(lambda: open({report!r}, 'w').write(json.dumps(peak[0])))\n"
        "import os\nos.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
    )


@pytest.mark.parametrize("cost", [None, "0"])
def test_small_pages_waiting_for_extraction_are_bounded_by_what_they_cost(tmp_path, cost):
    """Fetching 600 small posts outruns one extraction worker on one CPU: the pages wait in
    Scrapy's scraper. Counted at their real cost (crawler/extensions.py: ScraperBacklog), at
    most SCRAPER_SLOT_MAX_ACTIVE_SIZE / 32 KB of them wait at once (plus what the downloader
    has in flight); counted by their bodies, twice as many did."""
    posts = 600

    def build(base: str) -> dict[str, Reply]:
        links = "".join(f'<a href="/blog/post-{i}/">{i}</a>' for i in range(posts))
        pages = {
            f"/blog/post-{i}/": Reply(body=article_html(f"Post {i}", filler(f"sprain {i}") * 20).encode())
            for i in range(posts)
        }
        return {"/": Reply(body=f"<html><body>{links}</body></html>".encode()), **pages}

    report = tmp_path / "peak.json"
    settings = ["-s", "CLINIC_EXTRACT_WORKERS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=64"]
    settings += ["-s", "SCRAPER_SLOT_MAX_ACTIVE_SIZE=2000000"]  # 2 MB: ~280 of these 7 KB posts
    if cost is not None:
        settings += ["-s", f"CLINIC_SCRAPER_RESPONSE_COST={cost}"]
    with FaultServer(build, host="127.0.0.2") as server:
        result = crawl([f"{server.url}/"], tmp_path / "out", *settings, prelude=backlog_prelude(str(report)))
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.articles) == posts, (len(result.articles), result.stderr[-1500:])
    peak = int(report.read_text())
    bound = 2_000_000 // (32 * 1024) + 64 + 1  # the budget, plus what the downloader already had in flight
    if cost is None:
        assert 0 < peak <= bound, peak
    else:
        assert peak > bound, (
            f"fetching did not outrun extraction ({peak} pages waited at most): the test proves nothing"
        )
