"""Recrawling into the same archive: unchanged posts cost nothing, changes become versions,
removed posts become tombstones, and nothing is ever deleted from history."""

from __future__ import annotations

import json
import re
import shutil

from conftest import SITES, crawl, edit_post, load_expected, read_jsonl, run_cli

from pipelines.record.validate import record_problems

POSTS = {a["path"]: a for a in load_expected("wp-physio")["articles"]}
CHANGED = "/blog/exercises-for-low-back-pain/"
REMOVED = "/blog/rotator-cuff-shoulder-pain/"


def test_incremental_recrawl(tmp_path, serve):
    site = tmp_path / "site"
    shutil.copytree(SITES / "wp-physio", site)
    server = serve(site)
    out = tmp_path / "out"
    url = f"{server.url}/"

    first = crawl([url], out)
    first_records = first.articles  # read now: CrawlResult reads the (growing) file on access
    assert first.returncode == 0 and len(first_records) == len(POSTS)
    before = (out / "articles.jsonl").read_bytes()

    # 1. Nothing changed: sitemap lastmod and 304s mean no post is downloaded again.
    served = len(server.requests)
    second = crawl([url], out)
    assert second.returncode == 0, second.stderr
    assert (out / "articles.jsonl").read_bytes() == before
    recrawl_paths = [p for _, p in server.requests[served:]]
    downloaded = [p for p in recrawl_paths if p in POSTS and p not in server.not_modified]
    assert downloaded == []
    conditional = [p for p in recrawl_paths if p in POSTS]
    assert set(conditional) <= set(server.not_modified)  # every post asked for was a 304
    summary = second.crawls[-1]
    assert summary["articles"] == {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
    assert summary["skipped"]["unchanged_lastmod"] >= 1  # sitemap lastmod spared requests
    assert "/blog/ankle-sprain-recovery/" in server.not_modified  # feed-only: no lastmod to go by

    # 2. One post edited (and its lastmod bumped, as WordPress does), one post deleted.
    sentence = POSTS[CHANGED]["text_must_contain"][0]
    edit_post(site, CHANGED, sentence, sentence + " (Updated in 2026.)")
    sitemap = site / "post-sitemap.xml"
    xml = sitemap.read_text("utf-8")
    xml = re.sub(rf"<url>\s*<loc>{{{{BASE}}}}{REMOVED}</loc>.*?</url>", "", xml, flags=re.S)
    sitemap.write_text(xml, "utf-8")
    shutil.rmtree(site / REMOVED.strip("/"))

    third = crawl([url], out)
    assert third.returncode == 0, third.stderr
    assert (out / "articles.jsonl").read_bytes().startswith(before)  # history is never rewritten
    new_lines = third.articles[len(first_records) :]
    by_path = {line["url"].split(server.url)[1]: line for line in new_lines}
    assert set(by_path) == {CHANGED, REMOVED}
    assert by_path[CHANGED]["version"] == 2 and "(Updated in 2026.)" in by_path[CHANGED]["text"]
    tombstone = by_path[REMOVED]
    assert tombstone["version"] == 2 and tombstone["http"]["status"] == 404
    assert tombstone["removed_at"] >= first_records[0]["fetched_at"]
    assert "text" not in tombstone
    assert third.crawls[-1]["articles"] == {"new": 0, "changed": 1, "unchanged": 0, "removed": 1}
    assert all(record_problems(r) == [] for r in third.articles)
    assert not [e for e in third.errors if REMOVED in e["url"]]  # a removal is not an error

    # What changed, as a content team reads it and as a tool does.
    report = run_cli("changes", str(out))
    assert report.returncode == 0, report.stderr
    assert "0 new, 1 changed, 1 removed" in report.stdout
    assert "(Updated in 2026.)" in report.stdout and "+3 words" in report.stdout
    as_json = json.loads(run_cli("changes", str(out), "--format", "json").stdout)
    (site_changes,) = as_json["sites"].values()
    assert [e["url"].endswith(CHANGED) for e in site_changes["changed"]] == [True]
    assert site_changes["changed"][0]["diff"]["paragraphs"] == {"edited": 1, "added": 0, "removed": 0}
    assert [e["url"].endswith(REMOVED) for e in site_changes["removed"]] == [True]
    since_start = json.loads(run_cli("changes", str(out), "--since", "2000-01-01", "--format", "json").stdout)
    # over the whole history: every post is new, except the one created and removed since
    assert since_start["totals"] == {"new": len(POSTS) - 1, "changed": 0, "removed": 1}

    latest = tmp_path / "latest.jsonl"
    assert run_cli("export", str(out), "--latest", "-o", str(latest)).returncode == 0
    exported = read_jsonl(latest)
    assert len(exported) == len(POSTS) - 1  # the removed post is left out
    assert {r["id"]: r["version"] for r in exported}[by_path[CHANGED]["id"]] == 2

    # 3. Another crawl adds nothing: the tombstone is not repeated.
    fourth = crawl([url], out)
    assert fourth.returncode == 0
    assert len(fourth.articles) == len(third.articles)

    # 4. Not trusting sitemap lastmod: every archived post is asked about (all 304 here).
    served = len(server.requests)
    distrust = crawl([url], out, "-s", "CLINIC_TRUST_LASTMOD=False")
    assert distrust.returncode == 0 and len(distrust.articles) == len(third.articles)
    asked = {p for _, p in server.requests[served:] if p in POSTS} - {REMOVED}  # still linked: 404 again
    assert asked == set(POSTS) - {REMOVED}
    assert asked <= set(server.not_modified)

    # 5. The raw captures of all five crawls rebuild the same history, tombstone included.
    warcs = sorted(str(p) for p in (out / "raw").glob("*.warc.gz"))
    assert len(warcs) == 5
    proc = run_cli("reextract", *warcs, "-o", str(tmp_path / "rebuilt"))
    assert proc.returncode == 0, proc.stderr
    rebuilt = read_jsonl(tmp_path / "rebuilt" / "articles.jsonl")

    def by_version(records: list[dict]) -> dict:
        return {(r["id"], r["version"]): r for r in records}

    assert len(rebuilt) == len(fourth.articles)
    assert by_version(rebuilt) == by_version(fourth.articles)


def test_a_recrawl_without_etags_downloads_no_unchanged_post(tmp_path):
    """A small host that sends no ETag or Last-Modified, whose home page links every post (so
    links reach the posts before the sitemap is read): the sitemap's lastmod, older than our
    last fetch, spares every request on the recrawl, and the counters say what happened."""
    from faultserver import FaultServer, small_host_blog

    posts = [f"/blog/post-{i}/" for i in range(6)]
    build = small_host_blog(posts)

    with FaultServer(build, host="127.0.0.2") as server:
        first = crawl([f"{server.url}/"], tmp_path / "out")
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(first.articles) == len(posts)
        assert all(r["http"]["etag"] is None and r["http"]["last_modified"] is None for r in first.articles)
        asked_before = len(server.requests)
        second = crawl([f"{server.url}/"], tmp_path / "out")
        asked = [target for _, target in server.requests[asked_before:]]
    assert second.returncode == 0, second.stderr[-2000:]
    assert not set(asked) & set(posts), asked  # not one post downloaded again
    assert len(second.articles) == len(posts)  # no new line
    summary = second.crawls[-1]
    assert summary["skipped"]["unchanged_lastmod"] == len(posts)
    assert summary["articles"] == {"new": 0, "changed": 0, "unchanged": 0, "removed": 0}
    changes = run_cli("changes", str(tmp_path / "out"))
    site = f"127.0.0.2:{server.port}"
    assert changes.returncode == 0, changes.stderr
    assert f"{site}: 0 new, 0 changed, 0 removed, {len(posts)} unchanged" in changes.stdout, changes.stdout
    (line,) = [
        s for s in read_jsonl(tmp_path / "out" / "sites.jsonl") if s["crawl_id"] == summary["crawl_id"]
    ]
    assert line["articles"]["unchanged"] == len(posts) and line["pages"] == 1  # the home page alone


def test_an_atom_feeds_updated_dates_spare_unchanged_posts_too(tmp_path):
    """No sitemap, an Atom feed whose entries say when each post last changed (<updated>, older
    than our last fetch), no ETag: the recrawl downloads no post. A post whose entry says it
    changed since is fetched again."""
    from faultserver import FaultServer, Reply, article_html, filler

    posts = [f"/blog/post-{i}/" for i in range(4)]
    updated = {p: "2024-02-01T10:00:00Z" for p in posts}

    def build(base: str) -> dict[str, Reply]:
        links = "".join(f'<li><a href="{p}">Post {i}</a></li>' for i, p in enumerate(posts))

        def feed(target: str, attempt: int) -> Reply:
            entries = "".join(
                f'<entry><title>Post {i}</title><link rel="alternate" href="{base}{p}"/>'
                f"<published>2024-01-0{i + 1}T09:00:00Z</published><updated>{updated[p]}</updated></entry>"
                for i, p in enumerate(posts)
            )
            body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Clinic</title>{entries}</feed>'
            return Reply(body=body.encode(), content_type="application/atom+xml")

        head = f'<link rel="alternate" type="application/atom+xml" href="{base}/feed.atom">'
        return {
            "/": Reply(body=f"<html><head>{head}</head><body><ul>{links}</ul></body></html>".encode()),
            "/feed.atom": feed,
            **{
                p: Reply(body=article_html(f"Post {i}", filler(f"topic {i}"), head=head).encode())
                for i, p in enumerate(posts)
            },
        }

    with FaultServer(build, host="127.0.0.2") as server:
        first = crawl([f"{server.url}/"], tmp_path / "out")
        assert first.returncode == 0 and len(first.articles) == len(posts), first.stderr[-2000:]
        updated[posts[0]] = "2099-01-01T00:00:00Z"  # edited since (a date after any fetch)
        before = len(server.requests)
        second = crawl([f"{server.url}/"], tmp_path / "out")
        asked = [t for _, t in server.requests[before:]]
    assert second.returncode == 0, second.stderr[-2000:]
    assert [t for t in asked if t in posts] == [posts[0]]
    assert second.crawls[-1]["skipped"]["unchanged_lastmod"] == len(posts) - 1
