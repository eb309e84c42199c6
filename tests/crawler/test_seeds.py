"""Every seed is its own crawl: a seed that cannot be crawled ends that site only (issue 22).

A real crawl of a seeds file of sites on their own loopback addresses: two good clinics among
seeds that fail each in its own way (a host that does not resolve, a refused port, robots.txt
disallowing everything, a PDF, a redirect to a parked domain, a home page answering 500). Hosts
are no longer resolved before the crawl starts: each seed is checked as it is crawled.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

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
