"""Scope and identity a user can steer (issue 22): --include, --exclude, --allow-host, --depth,
--user-agent, --max-articles-per-site, checked on real crawls of local sites."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from conftest import crawl, read_jsonl
from faultserver import FaultServer, Reply, article_html, filler


def post(title: str, links: list[str] | None = None) -> Reply:
    return Reply(body=article_html(title, filler(title), links=links).encode())


def test_include_exclude_and_another_host_of_the_same_clinic(tmp_path: Path):
    """The clinic's blog lives on blog.clinic.test; only /blog/ pages and that host are wanted,
    one post is excluded, and every request names the researcher's crawler."""
    blog = FaultServer(lambda base: {"/post-x/": post("Post on the blog host")}, host="127.0.0.3").start()
    blog_url = f"http://blog.clinic.test:{blog.port}"

    def build(base: str) -> dict[str, Reply]:
        links = ["/blog/a/", "/blog/b/", "/news/c/", "/services/", f"{blog_url}/post-x/"]
        nav = " ".join(f'<a href="{u}">{u}</a>' for u in links)
        return {
            "/": Reply(body=f"<html><body><h1>Clinic</h1>{nav}</body></html>".encode()),
            "/blog/a/": post("Post A"),
            "/blog/b/": post("Post B"),
            "/news/c/": post("Post C"),
            "/services/": Reply(body=b"<html><body><h1>Services</h1></body></html>"),
        }

    site = FaultServer(build, host="127.0.0.2").start()
    hosts = {"clinic.test": "127.0.0.2", "blog.clinic.test": "127.0.0.3"}
    agent = "AuditBot/1.0 (+mailto:research@university.example)"
    try:
        result = crawl(
            [f"http://clinic.test:{site.port}/"],
            tmp_path / "out",
            "--include", "/blog/", "--include", "/post-x/",
            "--exclude", r"/blog/b/$",
            "--allow-host", f"blog.clinic.test:{blog.port}",
            "--user-agent", agent,
            "-s", f"CLINIC_TEST_HOSTS={json.dumps(hosts)}",
        )  # fmt: skip
    finally:
        site.stop()
        blog.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(r["title"] for r in result.articles) == ["Post A", "Post on the blog host"]
    asked = {urlsplit(t).path for _, t in site.requests}
    assert "/blog/a/" in asked and not asked & {"/blog/b/", "/news/c/", "/services/"}
    assert result.crawls[-1]["skipped"]["out_of_scope"] == 3
    assert site.user_agents == {agent} and blog.user_agents == {agent}


def test_depth_limits_hops_from_the_seed(tmp_path: Path):
    def build(base: str) -> dict[str, Reply]:
        return {
            "/": Reply(body=b'<html><body><a href="/blog/near/">near</a></body></html>'),
            "/blog/near/": post("Near", links=["/blog/far/"]),
            "/blog/far/": post("Far"),
        }

    with FaultServer(build) as site:
        result = crawl([f"{site.url}/"], tmp_path / "out", "--depth", "1")
        asked = {t for _, t in site.requests}
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["title"] for r in result.articles] == ["Near"]
    assert "/blog/far/" not in asked


def test_max_articles_per_site_stops_a_site_and_says_so(tmp_path: Path):
    posts = [f"/blog/post-{i}/" for i in range(12)]

    def build(base: str) -> dict[str, Reply]:
        nav = " ".join(f'<a href="{p}">{p}</a>' for p in posts)
        return {"/": Reply(body=f"<html><body>{nav}</body></html>".encode()), **{p: post(p) for p in posts}}

    with FaultServer(build) as site:
        result = crawl(
            [f"{site.url}/"], tmp_path / "out", "--max-articles-per-site", "2",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "--delay", "0.2",  # a polite pace: each post is archived before the next is fetched
        )  # fmt: skip
        asked = [t for _, t in site.requests if t.startswith("/blog/")]
    assert result.returncode == 0, result.stderr[-2000:]
    # a page already downloading when the second article was archived still finishes
    assert 2 <= len(result.articles) <= 3 and len(asked) <= 3
    (line,) = [e for e in result.errors if e["error"] == "article_budget"]
    assert "--max-articles-per-site" in line["message"]
    (site_line,) = read_jsonl(tmp_path / "out" / "sites.jsonl")
    assert site_line["limits"] == ["max_articles_per_site"]


def test_a_bad_pattern_or_proxy_is_refused_in_one_line(tmp_path: Path):
    from conftest import run_cli

    bad = run_cli("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path), "--include", "(unclosed")
    assert bad.returncode == 2 and "--include '(unclosed': not a regular expression" in bad.stderr
    proxy = run_cli("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path), "--proxy", "socks://x")
    assert proxy.returncode == 2 and "--proxy 'socks://x': expected http://host:port" in proxy.stderr
