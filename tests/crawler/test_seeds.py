"""Every seed is its own crawl: a seed that cannot be crawled ends that site only (issue 22).

A real crawl of a seeds file of sites on their own loopback addresses: two good clinics among
seeds that fail each in its own way (a host that does not resolve, a refused port, robots.txt
disallowing everything, a PDF, a redirect to a parked domain, a home page answering 500). Hosts
are no longer resolved before the crawl starts: each seed is checked as it is crawled.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import crawl, read_jsonl
from faultserver import FaultServer, Reply, article_html, filler, redirect


def clinic(name: str, posts: int):
    def build(base: str) -> dict[str, Reply]:
        links = " ".join(f'<a href="/blog/{name}-{i}/">Post {i}</a>' for i in range(posts))
        pages = {
            f"/blog/{name}-{i}/": Reply(body=article_html(f"{name} post {i}", filler(f"{name} {i}")).encode())
            for i in range(posts)
        }
        return {"/": Reply(body=f"<html><body><h1>{name}</h1>{links}</body></html>".encode()), **pages}

    return build


def refused_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_one_bad_seed_ends_its_own_site_only(tmp_path: Path):
    servers = [
        FaultServer(clinic("alpha", 2), host="127.0.0.2"),
        FaultServer(clinic("beta", 1), host="127.0.0.3"),
        FaultServer(
            lambda b: {"/robots.txt": Reply(body=b"User-agent: *\nDisallow: /\n", content_type="text/plain")},
            host="127.0.0.5",
        ),
        FaultServer(
            lambda b: {"/": Reply(body=b"%PDF-1.4 price list", content_type="application/pdf")},
            host="127.0.0.6",
        ),
        FaultServer(lambda b: {"/": redirect("http://parked-domains.example/clinic")}, host="127.0.0.7"),
        FaultServer(lambda b: {"/": Reply(status=500, body=b"oops")}, host="127.0.0.8"),
    ]
    for server in servers:
        server.start()
    good = [f"{s.url}/" for s in servers[:2]]
    bad = {
        "http://no-such-clinic.invalid/": "dns_error",
        f"http://127.0.0.1:{refused_port()}/": "connection_refused",
        f"{servers[2].url}/": "robots_disallowed",
        f"{servers[3].url}/": "not_html",
        f"{servers[4].url}/": "offsite_redirect",
        f"{servers[5].url}/": "http_500",
    }
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# clinics of one city\n" + "\n".join([good[0], *bad, good[1]]) + "\n")
    try:
        result = crawl([], tmp_path / "out", "--seeds-file", str(seeds))
    finally:
        for server in servers:
            server.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(r["title"] for r in result.articles) == ["alpha post 0", "alpha post 1", "beta post 0"]
    kinds = {e["url"]: e["error"] for e in result.errors}
    for seed, kind in bad.items():
        assert kinds.get(seed) == kind, (seed, kinds)
        assert f"clinic-archive: warning: could not crawl {seed}: " in result.stderr
    assert "Traceback" not in result.stderr and "no site could be crawled" not in result.stderr
    assert urlsplit(good[0]).hostname not in result.stderr
    # one line per site in sites.jsonl, each with its status, and the worst in the summary
    sites = {line["seed"]: line for line in read_jsonl(tmp_path / "out" / "sites.jsonl")}
    statuses = {
        "dns_error": "unreachable",
        "connection_refused": "unreachable",
        "robots_disallowed": "blocked_by_robots",
        "not_html": "not_html",
        "offsite_redirect": "redirected_off_site",
        "http_500": "http_error",
    }
    for seed, kind in bad.items():
        assert sites[seed]["status"] == statuses[kind], sites[seed]
        assert sites[seed]["reason"] and sites[seed]["errors"] == {kind: 1}
    alpha, beta = sites[good[0]], sites[good[1]]
    assert alpha["status"] == beta["status"] == "ok"
    assert alpha["articles"]["new"] == 2 and beta["articles"]["new"] == 1
    assert alpha["pages"] == 3 and alpha["first_fetch"] <= alpha["last_fetch"]
    assert len({line["crawl_id"] for line in sites.values()}) == 1
    assert "Sites: 8, 2 crawled, 6 could not be (see sites.jsonl)" in result.stdout
    table = result.stdout.split("Sites: ", 1)[1]
    assert "blocked_by_robots" in table and "redirected_off_site" in table


def test_when_no_seed_can_be_crawled_the_status_says_so(tmp_path: Path):
    with FaultServer(lambda b: {"/": Reply(status=503, body=b"down")}, host="127.0.0.2") as down:
        result = crawl([f"{down.url}/", f"http://127.0.0.1:{refused_port()}/"], tmp_path / "out")
    assert result.returncode == 3
    assert result.stderr.count("clinic-archive: error: could not crawl") == 2
    assert result.stderr.rstrip().endswith("clinic-archive: error: no site could be crawled")


def mapped_clinic(name: str, posts: int):
    """A small host's clinic blog: robots.txt naming a sitemap with lastmod, a home page linking
    every post, no ETag or Last-Modified on any response (FaultServer sends neither)."""

    def build(base: str) -> dict[str, Reply]:
        routes = clinic(name, posts)(base)
        urls = "".join(
            f"<url><loc>{base}/blog/{name}-{i}/</loc><lastmod>2024-03-0{i + 1}</lastmod></url>"
            for i in range(posts)
        )
        sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        routes["/robots.txt"] = Reply(
            body=f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), content_type="text/plain"
        )
        routes["/sitemap.xml"] = Reply(body=sitemap.encode(), content_type="application/xml")
        return routes

    return build


def test_a_seeds_file_of_twenty_two_sites_crawled_then_recrawled(tmp_path: Path):
    """The done-means crawl of issue 22: 22 seeds on their own loopback hosts (127.0.1.x), of
    which 17 clinics and five that fail each in its own way; then a recrawl on servers with no
    ETag, where the sitemaps' lastmod spares every post of every site."""
    good = [FaultServer(mapped_clinic(f"clinic{i}", 2), host=f"127.0.1.{i + 1}") for i in range(17)]
    failing = [
        FaultServer(
            lambda b: {"/robots.txt": Reply(body=b"User-agent: *\nDisallow: /\n", content_type="text/plain")},
            host="127.0.1.101",
        ),
        FaultServer(
            lambda b: {"/": Reply(body=b"%PDF-1.4 opening hours", content_type="application/pdf")},
            host="127.0.1.102",
        ),
        FaultServer(lambda b: {"/": redirect("http://sold-domain.example/")}, host="127.0.1.103"),
    ]
    servers = good + failing
    for server in servers:
        server.start()
    bad = {
        "http://expired-clinic.invalid/": "unreachable",
        f"http://127.0.1.104:{refused_port()}/": "unreachable",
        f"{failing[0].url}/": "blocked_by_robots",
        f"{failing[1].url}/": "not_html",
        f"{failing[2].url}/": "redirected_off_site",
    }
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        "\n".join([*(f"{s.url}/" for s in good[:9]), *bad, *(f"{s.url}/" for s in good[9:])]) + "\n"
    )
    out = tmp_path / "out"
    try:
        first = crawl([], out, "--seeds-file", str(seeds))
        asked_before = {s.url: len(s.requests) for s in good}
        second = crawl([], out, "--seeds-file", str(seeds))
        asked_again = [t for s in good for _, t in s.requests[asked_before[s.url] :]]
    finally:
        for server in servers:
            server.stop()
    for result in (first, second):
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr
        assert "Sites: 22, 17 crawled, 5 could not be (see sites.jsonl)" in result.stdout, result.stdout[
            -2000:
        ]
    assert len(first.crawls) == 2 and len(second.articles) == 34  # no new line on the recrawl
    assert len({(r["site"], r["title"]) for r in second.articles}) == 34
    assert not [t for t in asked_again if "/blog/" in t], asked_again  # not one post downloaded again
    lines = read_jsonl(out / "sites.jsonl")
    assert len(lines) == 44
    by_crawl: dict[str, dict[str, dict]] = {}
    for line in lines:
        by_crawl.setdefault(line["crawl_id"], {})[line["seed"]] = line
    crawl1, crawl2 = (by_crawl[c["crawl_id"]] for c in first.crawls)
    for seed, status in bad.items():
        assert crawl1[seed]["status"] == crawl2[seed]["status"] == status, crawl1[seed]
    assert "sold-domain.example" in crawl1[f"{failing[2].url}/"]["reason"]
    for server in good:
        before, after = crawl1[f"{server.url}/"], crawl2[f"{server.url}/"]
        assert before["status"] == after["status"] == "ok"
        assert before["errors"] == after["errors"] == {}  # the home page of links is no error
        assert before["articles"]["new"] == 2 and after["articles"] == {
            "new": 0,
            "changed": 0,
            "unchanged": 2,
            "removed": 0,
        }
        assert (
            before["final_host"] == after["final_host"] == f"127.0.1.{good.index(server) + 1}:{server.port}"
        )
    assert second.crawls[-1]["skipped"]["unchanged_lastmod"] == 34


def slow_clinic(name: str, posts: int):
    """A clinic whose pages each take 50 ms: a site stays busy long enough to be seen busy."""

    def build(base: str) -> dict[str, Reply]:
        routes = clinic(name, posts)(base)

        def slowly(reply: Reply):
            def answer(target: str, attempt: int) -> Reply:
                time.sleep(0.05)
                return reply

            return answer

        return {path: slowly(reply) for path, reply in routes.items()}

    return build


def most_sites_at_once(servers: list[FaultServer]) -> int:
    """The most sites whose first-to-last request spans overlapped at one instant."""
    spans = [(min(t for t, _ in s.requests), max(t for t, _ in s.requests)) for s in servers if s.requests]
    return max(sum(1 for a, b in spans if a <= start <= b) for start, _ in spans)


@pytest.mark.parametrize("window", [3, 0])
def test_a_long_seeds_file_is_released_as_sites_finish(tmp_path: Path, window: int):
    """With more seeds than CLINIC_ACTIVE_SITES, the next seed is taken when a site has nothing
    left waiting or downloading (crawler/spiders/window.py): every site is still crawled, and
    only a few at once. (0: every seed at the start, as Scrapy reads start requests.)"""
    servers = [FaultServer(slow_clinic(f"c{i}", 3), host=f"127.0.2.{i + 1}") for i in range(12)]
    for server in servers:
        server.start()
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{s.url}/\n" for s in servers))
    try:
        result = crawl(
            [], tmp_path / "out", "--seeds-file", str(seeds), "-s", f"CLINIC_ACTIVE_SITES={window}"
        )
    finally:
        for server in servers:
            server.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.articles) == 36
    overlap = most_sites_at_once(servers)
    if window:
        assert overlap <= 2 * window, overlap  # a site parsing a page has nothing waiting for a moment
    else:
        assert overlap > 6, overlap  # the control: without the window, all sites start together


def test_only_the_first_failed_seeds_are_named_on_the_terminal(tmp_path: Path):
    with FaultServer(clinic("good", 1), host="127.0.0.2") as good:
        port = refused_port()
        dead = [f"http://127.0.3.{i + 1}:{port}/" for i in range(25)]
        seeds = tmp_path / "seeds.txt"
        seeds.write_text("\n".join([f"{good.url}/", *dead]) + "\n")
        result = crawl([], tmp_path / "out", "--seeds-file", str(seeds))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.count("clinic-archive: warning: could not crawl ") == 20
    assert "clinic-archive: warning: and 5 more seeds could not be crawled (see sites.jsonl)" in result.stderr
    assert len(read_jsonl(tmp_path / "out" / "sites.jsonl")) == 26
