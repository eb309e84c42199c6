"""Real crawls of the fixture clinic sites, asserted against each site's hand-written _expected.json.

Each site is served on 127.0.0.1 and crawled once per module by the real CLI in a subprocess;
the tests then read the JSONL archive it wrote.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from urllib.parse import urlsplit

import pytest
from conftest import SITES, CrawlResult, crawl, edit_post, load_expected, read_jsonl

from crawler.fetch import render_support
from crawler.siteserver import SiteServer
from pipelines.record import ARTICLE_SCHEMA
from pipelines.record.validate import record_problems

# every site under tests/fixtures/sites that has an _expected.json: a new fixture site is crawled
# and checked by adding its directory
FIXTURE_SITES = sorted(p.name for p in SITES.iterdir() if (p / "_expected.json").exists())


@pytest.fixture(scope="module", params=FIXTURE_SITES)
def site(request, tmp_path_factory):
    """(name, expected, server, crawl result) for one fixture site, crawled once."""
    name = request.param
    if load_expected(name).get("needs_browser") and (missing := render_support()):
        pytest.skip(f"{name} is built by JavaScript and cannot be rendered here: {missing}")
    server = SiteServer(SITES / name).start()
    try:
        result = crawl([f"{server.url}/"], tmp_path_factory.mktemp(name))
        yield name, load_expected(name), server, result
    finally:
        server.stop()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_crawl_succeeds_and_archives_exactly_the_posts(site):
    _, expected, _, result = site
    assert result.returncode == 0, result.stderr
    assert sorted(result.by_path()) == sorted(a["path"] for a in expected["articles"])
    assert len(result.articles) == len(expected["articles"])  # one line per post, no duplicates


def test_non_articles_never_become_records(site):
    _, expected, _, result = site
    assert not set(expected["non_articles"]) & set(result.by_path())


@pytest.mark.parametrize("field", ["title", "published", "modified", "authors"])
def test_metadata(site, field):
    _, expected, _, result = site
    got = result.by_path()
    for article in expected["articles"]:
        assert got[article["path"]][field] == article[field], article["path"]


def test_site_name_and_language(site):
    _, expected, _, result = site
    for record in result.articles:
        assert record["site_name"] == expected["site_name"]
        assert record["language"] == "en"


def test_references(site):
    _, expected, _, result = site
    got = result.by_path()
    for article in expected["articles"]:
        refs = got[article["path"]]["references"]
        assert len(refs) == article["reference_count"], article["path"]
        assert sorted(r["doi"] for r in refs if r["doi"]) == sorted(article.get("reference_dois", [])), (
            article["path"]
        )
        if "reference_pmids" in article:
            assert sorted(r["pmid"] for r in refs if r["pmid"]) == sorted(article["reference_pmids"]), (
                article["path"]
            )
        assert [r["n"] for r in refs] == list(range(1, len(refs) + 1))


def test_reference_fields_citations_and_unused_entries(site):
    """Each post's references field by field, its in-text markers with the entries they point to,
    the contradictions flagged, and the entries no marker cites, as _expected.json writes them."""
    _, expected, _, result = site
    got = result.by_path()
    keys = ("title", "container", "year", "volume", "issue", "pages", "style")
    for article in expected["articles"]:
        record = got[article["path"]]
        fields = [
            {
                "n": r["n"],
                "first_author": (r["authors"] or [None])[0],
                **{k: r[k] for k in keys},
                # written in _expected.json only where there is one ("Suppl" of "40(Suppl 14)")
                **({"issue_qualifier": r["issue_qualifier"]} if r["issue_qualifier"] else {}),
            }
            for r in record["references"]
        ]
        assert fields == article["reference_fields"], article["path"]
        assert [[c["marker"], c["ref"]] for c in record["citations"]] == article["citations"], article["path"]
        flagged = [
            [c["marker"], c["ref"], c["contradiction"]] for c in record["citations"] if c["contradiction"]
        ]
        assert flagged == article["citation_contradictions"], article["path"]
        assert record["unused_references"] == article["unused_references"], article["path"]
        for citation in record["citations"]:
            assert citation["marker"] in citation["sentence"] and citation["sentence"] in record["text"]


def test_text_keeps_the_article_and_drops_what_is_not(site):
    _, expected, _, result = site
    got = result.by_path()
    for article in expected["articles"]:
        text = got[article["path"]]["text"]
        for needle in article.get("text_must_contain", []):
            assert needle in text, (article["path"], needle)
        for needle in article.get("text_must_not_contain", []):
            assert needle not in text, (article["path"], needle)
        assert "\n\n\n" not in text and text == text.strip()


def test_no_chrome_phrase_reaches_any_text(site):
    _, expected, _, result = site
    allowed = expected.get("chrome_phrase_allowed_in", {})
    got = result.by_path()
    for article in expected["articles"]:
        text = got[article["path"]]["text"]
        for sentence in article.get("text_must_contain", []):
            text = text.replace(sentence, " ")  # a chrome word inside a real sentence is content
        for phrase in expected["chrome_phrases"]:
            if article["path"] in allowed.get(phrase, []):
                continue
            assert phrase.lower() not in text.lower(), (article["path"], phrase)


def test_every_record_matches_the_schema(site):
    _, _, _, result = site
    for record in result.articles:
        assert record_problems(record) == []


def test_no_url_is_fetched_twice(site):
    _, expected, server, _ = site
    counts = Counter(server.paths_requested("GET"))
    if expected.get("needs_browser"):
        # a JavaScript shell is fetched plain, then once more by the browser, which loads the
        # site's scripts and styles for every page it renders (Playwright's routing has no cache)
        shells = {a["path"] for a in expected["articles"]} | set(expected["pagination"])
        counts = Counter({p: n - (p in shells) for p, n in counts.items() if not p.startswith("/static/")})
    assert [p for p, n in counts.items() if n > 1] == []


def test_assets_are_never_fetched_and_dead_links_are_logged(site):
    _, expected, server, result = site
    requested = set(server.paths_requested("GET"))
    for pdf in expected.get("pdf_links", []):
        assert pdf not in requested
    errors = {(path_of(e["url"]), e["stage"], e["error"]) for e in result.errors}
    for missing in expected.get("missing_links", []):
        assert (missing, "fetch", "http_404") in errors
    for line in result.errors:
        assert line["message"] and line["at"] and line["crawl"] == result.crawls[-1]["crawl_id"]


def test_redirected_and_tracking_urls_are_archived_once_under_their_clean_url(site):
    _, expected, _, result = site
    archived = {urlsplit(r["url"]).path for r in result.articles}
    for old, new in expected.get("redirects", {}).items():
        assert old not in archived and new in archived
    for record in result.articles:
        assert "utm_" not in record["url"] and "#" not in record["url"]


def test_robots_disallowed_links_are_counted_not_fetched(site):
    _, expected, server, result = site
    disallowed = expected.get("robots_disallowed_links", [])
    requested = set(server.paths_requested("GET"))
    logged = {path_of(e["url"]) for e in result.errors if e["error"] == "robots_disallowed"}
    for link in disallowed:
        assert link not in requested
        assert link in logged


def test_crawl_summary_counts_match_the_files(site):
    _, _, _, result = site
    (summary,) = result.crawls
    assert summary["articles"]["new"] == len(result.articles)
    assert summary["errors_total"] == len(result.errors)
    assert summary["finish_reason"] == "finished"
    assert "articles written" in result.stdout and "articles.jsonl" in result.stdout
    assert "pages fetched" not in result.stderr  # progress lines go to a terminal only


# --- behaviours that need their own crawl ---------------------------------------------------


def test_recrawl_of_an_unchanged_site_appends_nothing(tmp_path, serve):
    server = serve("wix-dental")
    first = crawl([f"{server.url}/"], tmp_path)
    assert first.returncode == 0 and len(first.articles) == 3
    before = (tmp_path / "articles.jsonl").read_bytes()
    second = crawl([f"{server.url}/"], tmp_path)
    assert second.returncode == 0
    assert (tmp_path / "articles.jsonl").read_bytes() == before
    assert [c["articles"] for c in second.crawls] == [
        {"new": 3, "changed": 0, "unchanged": 0, "removed": 0},
        {"new": 0, "changed": 0, "unchanged": 0, "removed": 0},  # 304s and sitemap lastmod: nothing refetched
    ]


def test_a_changed_post_is_appended_as_a_new_version(tmp_path, serve):
    site = tmp_path / "site"
    shutil.copytree(SITES / "wix-dental", site)
    server = serve(site)
    out = tmp_path / "out"
    assert crawl([f"{server.url}/"], out).returncode == 0
    article = load_expected("wix-dental")["articles"][0]
    sentence = article["text_must_contain"][0]
    edit_post(site, article["path"], sentence, sentence + " We updated this advice in 2025.")
    result = crawl([f"{server.url}/"], out)
    assert result.returncode == 0
    versions = [(urlsplit(r["url"]).path, r["version"]) for r in result.articles]
    assert len(versions) == 4
    assert versions[-1] == (article["path"], 2)
    latest = result.articles[-1]
    assert "We updated this advice in 2025." in latest["text"]
    assert result.crawls[-1]["articles"] == {"new": 0, "changed": 1, "unchanged": 0, "removed": 0}


def test_since_skips_older_posts_without_fetching_them(tmp_path, serve):
    server = serve("wp-physio")
    expected = load_expected("wp-physio")
    result = crawl([f"{server.url}/"], tmp_path, "--since", "2024-01-01")
    assert result.returncode == 0, result.stderr
    wanted = {a["path"] for a in expected["articles"] if a["published"] >= "2024-01-01"}
    assert set(result.by_path()) == wanted
    requested = set(server.paths_requested("GET"))
    # The sitemap dates plantar-heel-pain 2022 and it is linked from nowhere: never fetched.
    assert "/blog/plantar-heel-pain/" not in requested
    assert result.crawls[-1]["skipped"]["before_since"] >= 1


def test_max_pages_bounds_the_crawl(tmp_path, serve):
    server = serve("wp-physio")
    result = crawl([f"{server.url}/"], tmp_path, "--max-pages", "5")
    assert result.returncode == 0, result.stderr
    discovery = re.compile(r"(robots\.txt|sitemap|feed)")
    pages = [p for p in server.paths_requested("GET") if not discovery.search(p)]
    assert len(pages) <= 5
    assert result.crawls[-1]["skipped"]["max_pages"] > 0


def test_scrapy_crawl_from_the_repo_root_writes_a_feed(tmp_path, serve):
    import subprocess
    import sys

    from conftest import FAST, ROOT, read_jsonl

    server = serve("wix-dental")
    feed = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "clinic_blog", "-a", f"seeds={server.url}/", "-O", str(feed),
         "-s", f"CLINIC_OUTPUT_DIR={tmp_path / 'archive'}", *FAST],
        capture_output=True, text=True, cwd=ROOT, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(feed)
    assert len(records) == 3 and all(r["schema"] == ARTICLE_SCHEMA for r in records)
    assert len(CrawlResult(0, "", "", tmp_path / "archive").articles) == 3


def test_demo_command_crawls_the_bundled_site(tmp_path):
    from conftest import run_cli

    from crawler.commands.crawl import demo_site_root

    proc = run_cli("demo", "-o", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = load_expected(demo_site_root())
    result = CrawlResult(0, proc.stdout, proc.stderr, tmp_path)
    assert sorted(result.by_path()) == sorted(a["path"] for a in expected["articles"])
    assert "Serving the demo clinic blog" in proc.stdout and "articles written" in proc.stdout
    # a second run into the same output recrawls the same site: no new site, no new line
    lines = (tmp_path / "articles.jsonl").read_bytes()
    again = run_cli("demo", "-o", str(tmp_path))
    assert again.returncode == 0, again.stderr[-3000:]
    assert (tmp_path / "articles.jsonl").read_bytes() == lines
    sites = read_jsonl(tmp_path / "sites.jsonl")
    assert len({s["site"] for s in sites}) == 1 and len(sites) == 2
    assert sites[-1]["articles"]["unchanged"] == len(expected["articles"])
