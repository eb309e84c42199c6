"""Distributed crawls: real redis-server, real worker processes, real fixture sites.

Each test starts its own ``redis-server`` on a free 127.0.0.1 port (no persistence) and stops
it afterwards. Without a redis-server binary these tests skip, saying so; `.ci/run` installs one.
"""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import FAST, ROOT, SITES, crawl, read_jsonl, run_cli

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None,
    reason="redis-server not found: install it (apt-get install redis-server) to run the distributed tests",
)
WORKER_FAST = [*FAST, "-s", "CLINIC_REDIS_HEARTBEAT=0.3"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    import redis

    port = free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


def start_worker(redis_url: str, crawl: str, output: Path, worker: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "worker", "--redis", redis_url, "--crawl", crawl,
         "-o", str(output), "--worker-id", worker, *WORKER_FAST, *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def finish(workers: list[subprocess.Popen[str]], timeout: float = 150) -> list[tuple[int, str, str]]:
    results = []
    for proc in workers:
        out, err = proc.communicate(timeout=timeout)
        results.append((proc.returncode, out, err))
    return results


def shard_articles(output: Path) -> list[dict[str, Any]]:
    return [r for path in sorted(output.glob("articles-*.jsonl")) for r in read_jsonl(path)]


def page_set(records: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """(path, content hash) of each record: the server's port differs between crawls."""
    return Counter((urlsplit(r["canonical_url"]).path, r["content_hash"]) for r in records)


def merge(inputs: list[Path], output: Path) -> list[dict[str, Any]]:
    proc = run_cli("merge", *map(str, inputs), "-o", str(output))
    assert proc.returncode == 0, proc.stderr
    return read_jsonl(output / "articles.jsonl")


def status(redis_url: str, crawl: str) -> dict[str, Any]:
    proc = run_cli("crawl-status", "--redis", redis_url, "--crawl", crawl, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def single_machine(serve: Any, tmp_path: Path) -> Counter[tuple[str, str]]:
    """What a one-machine crawl of wp-physio archives."""
    site = serve("wp-physio")
    result = crawl([f"{site.url}/"], tmp_path / "single", "--no-raw")
    assert result.returncode == 0, result.stderr
    assert len(result.articles) >= 8
    return page_set(result.articles)


def test_two_workers_archive_what_one_machine_archives(
    serve: Any, redis_url: str, tmp_path: Path, single_machine: Counter[tuple[str, str]]
) -> None:
    site = serve("wp-physio")
    queued = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "two")
    assert queued.returncode == 0, queued.stderr
    assert "Queued crawl 'two'" in queued.stdout

    out = tmp_path / "shards"
    few = ("-s", "CONCURRENT_REQUESTS=2")  # neither worker takes the whole (small) queue at once
    results = finish([start_worker(redis_url, "two", out, f"w{i}", *few) for i in (1, 2)])
    for code, stdout, stderr in results:
        assert code == 0, stderr
        assert "finished" in stdout

    # Each worker wrote only its own files.
    assert sorted(p.name for p in out.glob("*.jsonl")) == [
        "articles-w1.jsonl", "articles-w2.jsonl", "crawls-w1.jsonl", "crawls-w2.jsonl",
        "errors-w1.jsonl", "errors-w2.jsonl", "sites-w1.jsonl", "sites-w2.jsonl",
        "skipped-w1.jsonl", "skipped-w2.jsonl",
    ]  # fmt: skip
    assert len(list((out / "raw").glob("*-w1.warc.gz"))) == 1
    assert len(list((out / "raw").glob("*-w2.warc.gz"))) == 1
    summaries = [read_jsonl(out / f"crawls-w{i}.jsonl")[0] for i in (1, 2)]
    assert len({s["crawl_id"] for s in summaries}) == 1  # one crawl, two shards
    assert all(s["responses"] > 0 for s in summaries), "both workers fetched pages"

    merged = merge([out], tmp_path / "merged")
    assert page_set(merged) == single_machine
    assert all(n == 1 for n in page_set(merged).values())
    # Every raw pointer of the merged archive resolves to its capture.
    for record in merged:
        assert (tmp_path / "merged" / record["raw"]["warc"]).exists()

    state = status(redis_url, "two")
    assert state["finished"] and state["queued"] == 0 and state["in_flight"] == 0
    assert state["requeued"] == 0 and state["dead_workers"] == 0


def test_a_killed_worker_loses_nothing(
    serve: Any, redis_url: str, tmp_path: Path, single_machine: Counter[tuple[str, str]]
) -> None:
    import redis

    from crawler.distributed import Keys
    from crawler.siteserver import SiteServer

    slow = SiteServer(SITES / "wp-physio", delay=0.2).start()
    try:
        assert run_cli("crawl", f"{slow.url}/", "--redis", redis_url, "--crawl", "kill").returncode == 0
        out = tmp_path / "shards"
        timeout = ["-s", "CLINIC_WORKER_TIMEOUT=2"]
        victim = start_worker(redis_url, "kill", out, "w1", *timeout)
        client = redis.Redis.from_url(redis_url)
        inflight = Keys("kill").inflight("w1")
        deadline = time.monotonic() + 60
        while client.hlen(inflight) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.hlen(inflight) >= 2, "the worker never took requests"
        others = [start_worker(redis_url, "kill", out, f"w{i}", *timeout) for i in (2, 3)]
        time.sleep(0.3)
        held = client.hlen(inflight)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert held > 0
        results = finish(others)
    finally:
        slow.stop()
    for code, _, stderr in results:
        assert code == 0, stderr

    state = status(redis_url, "kill")
    assert state["finished"]
    assert state["dead_workers"] == 1 and state["requeued"] >= 1
    assert [w["worker"] for w in state["workers"]] == []  # all left (w1 was removed as dead)
    # w1's politeness leases were freed with its requests, not left to expire.
    client = redis.Redis.from_url(redis_url)
    assert not client.exists(Keys("kill").leases_of("w1"))
    for key in client.scan_iter(match="clinic-archive:kill:slot:*:leases"):
        assert not [t for t in client.zrange(key, 0, -1) if t.startswith(b"w1:")]
    # Every post exactly once after merging, whatever w1 had written before it died.
    merged = merge([out], tmp_path / "merged")
    assert page_set(merged) == single_machine
    # Every line any shard holds parses (the kill tore nothing).
    for path in out.glob("articles-*.jsonl"):
        for line in path.read_text("utf-8").splitlines():
            json.loads(line)


def polite_crawl(
    redis_url: str, tmp_path: Path, name: str, site: Any, *settings: str
) -> list[dict[str, Any]]:
    """Crawl ``site`` with two workers and these crawl settings; the workers' crawl summaries."""
    queued = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", name, *settings)
    assert queued.returncode == 0, queued.stderr
    out = tmp_path / name
    # Two requests at a time per worker, so that neither takes the whole (small) queue at once.
    few = ("-s", "CONCURRENT_REQUESTS=2")
    results = finish([start_worker(redis_url, name, out, f"w{i}", *few) for i in (1, 2)])
    for code, _, stderr in results:
        assert code == 0, stderr
    summaries = [read_jsonl(out / f"crawls-w{i}.jsonl")[0] for i in (1, 2)]
    assert all(s["responses"] > 0 for s in summaries), "both workers fetched from the site"
    return summaries


def test_the_delay_between_requests_holds_across_workers(redis_url: str, tmp_path: Path) -> None:
    from crawler.siteserver import SiteServer

    interval = 0.25
    with SiteServer(SITES / "wix-dental") as site:
        summaries = polite_crawl(
            redis_url, tmp_path, "delay", site,
            "-s", "CLINIC_SITE_CONCURRENCY=1", "-s", f"CLINIC_SITE_INTERVAL={interval}",
        )  # fmt: skip
    times = sorted(site.request_times)
    assert len(times) >= 10
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Two workers together, as one would: a request, a pause, the next (a few ms of jitter).
    assert min(gaps) >= interval - 0.03, sorted(gaps)[:5]
    # Leases are taken with the request when the site may start (one Redis round trip, not
    # two); the seed's lease went to the robots.txt request Scrapy makes for it on the way.
    figures = [s["distributed"] for s in summaries]
    assert sum(f.get("leases_with_request", 0) for f in figures) >= 1, figures
    assert sum(f.get("leases_passed_on", 0) for f in figures) >= 1, figures


def test_the_concurrency_limit_holds_across_workers(redis_url: str, tmp_path: Path) -> None:
    from crawler.siteserver import SiteServer

    # Each worker would open 8 connections to the site (FAST); the crawl as a whole gets 2.
    with SiteServer(SITES / "wix-dental", delay=0.1) as site:
        polite_crawl(redis_url, tmp_path, "conc", site, "-s", "CLINIC_SITE_CONCURRENCY=2")
    assert site.max_in_flight == 2


def test_crawl_names_status_and_clean(serve: Any, redis_url: str, tmp_path: Path) -> None:
    site = serve("squarespace-chiro")
    assert run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "audit").returncode == 0
    # The same name again: refused, and told how to clear it.
    again = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "audit")
    assert again.returncode == 2
    assert "already exists" in again.stderr and "crawl-clean" in again.stderr

    waiting = status(redis_url, "audit")
    assert waiting["seeds_waiting"] == 1 and not waiting["finished"]
    text = run_cli("crawl-status", "--redis", redis_url)
    assert "audit" in text.stdout and "waiting for workers" in text.stdout

    out = tmp_path / "shard"
    [(code, _, stderr)] = finish([start_worker(redis_url, "audit", out, "solo")])
    assert code == 0, stderr
    assert read_jsonl(out / "articles-solo.jsonl")
    assert status(redis_url, "audit")["finished"]

    cleaned = run_cli("crawl-clean", "--redis", redis_url, "--crawl", "audit")
    assert cleaned.returncode == 0, cleaned.stderr
    gone = run_cli("crawl-status", "--redis", redis_url, "--crawl", "audit")
    assert gone.returncode == 2 and "no crawl named 'audit'" in gone.stderr
    # With its duplicate filter gone, a new crawl of that name fetches every page again.
    assert run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "audit").returncode == 0
    out2 = tmp_path / "shard2"
    [(code, _, stderr)] = finish([start_worker(redis_url, "audit", out2, "solo")])
    assert code == 0, stderr
    assert len(read_jsonl(out2 / "articles-solo.jsonl")) == len(read_jsonl(out / "articles-solo.jsonl"))


def test_clear_errors_without_a_crawl_or_a_server(redis_url: str, tmp_path: Path) -> None:
    missing = run_cli("worker", "--redis", redis_url, "--crawl", "nope", "-o", str(tmp_path))
    assert missing.returncode == 2
    assert "no crawl named 'nope'" in missing.stderr and "Traceback" not in missing.stderr

    down = run_cli("crawl-status", "--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert down.returncode == 2 and "cannot reach Redis" in down.stderr

    bad = run_cli("crawl", "http://127.0.0.1:9/", "--redis", redis_url, "--crawl", "bad name!")
    assert bad.returncode == 2 and "bad crawl name" in bad.stderr

    orphan = run_cli("crawl", "http://127.0.0.1:9/", "--crawl", "x", "-o", str(tmp_path))
    assert orphan.returncode == 2 and "use it with --redis" in orphan.stderr


def test_a_worker_that_loses_redis_stops_with_a_clear_message(redis_url: str, tmp_path: Path) -> None:
    import redis

    from crawler.siteserver import SiteServer

    with SiteServer(SITES / "wp-physio", delay=0.2) as slow:
        assert run_cli("crawl", f"{slow.url}/", "--redis", redis_url, "--crawl", "lost").returncode == 0
        worker = start_worker(redis_url, "lost", tmp_path, "w1")
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while not client.hlen("clinic-archive:lost:inflight:w1") and time.monotonic() < deadline:
            time.sleep(0.02)
        client.shutdown(nosave=True)  # Redis goes away mid-crawl
        [(code, _, stderr)] = finish([worker], timeout=60)
    assert code == 1
    assert "lost the connection to Redis" in stderr
    assert "Traceback" not in stderr
    # What it archived before is intact.
    for line in (tmp_path / "articles-w1.jsonl").read_text("utf-8").splitlines():
        json.loads(line)


def test_a_stopped_worker_hands_back_its_requests(
    redis_url: str, tmp_path: Path, single_machine: Counter[tuple[str, str]]
) -> None:
    import redis

    from crawler.distributed import Keys
    from crawler.siteserver import SiteServer

    keys = Keys("stop")
    with SiteServer(SITES / "wp-physio", delay=0.2) as slow:
        assert run_cli("crawl", f"{slow.url}/", "--redis", redis_url, "--crawl", "stop").returncode == 0
        out = tmp_path / "shards"
        first = start_worker(redis_url, "stop", out, "w1")
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while client.hlen(keys.inflight("w1")) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGTERM)  # as Ctrl-C does
        [(code, _, stderr)] = finish([first], timeout=60)
        assert code == 130, stderr
        assert "went back to the queue" in stderr
        # It left nothing in flight: what it had not finished is queued for the next worker.
        assert client.hlen(keys.inflight("w1")) == 0
        assert client.zcard(keys.requests) > 0
        [(code, _, stderr)] = finish([start_worker(redis_url, "stop", out, "w2")])
        assert code == 0, stderr
    merged = merge([out], tmp_path / "merged")
    assert page_set(merged) == single_machine


def test_max_pages_bounds_the_whole_crawl(serve: Any, redis_url: str, tmp_path: Path) -> None:
    import re

    site = serve("wp-physio")
    queued = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "budget", "--max-pages", "5")
    assert queued.returncode == 0, queued.stderr
    out = tmp_path / "shards"
    few = ("-s", "CONCURRENT_REQUESTS=2")
    results = finish([start_worker(redis_url, "budget", out, f"w{i}", *few) for i in (1, 2)])
    for code, _, stderr in results:
        assert code == 0, stderr
    discovery = re.compile(r"(robots\.txt|sitemap|feed)")
    pages = [p for p in site.paths_requested("GET") if not discovery.search(p)]
    assert len(pages) == 5  # the crawl's budget, not 5 per worker
    summaries = [read_jsonl(out / f"crawls-w{i}.jsonl")[0] for i in (1, 2)]
    assert sum(s["skipped"].get("max_pages", 0) for s in summaries) > 0


def test_a_second_worker_under_a_name_in_use_is_refused(redis_url: str, tmp_path: Path) -> None:
    import redis

    from crawler.distributed import Keys
    from crawler.siteserver import SiteServer

    with SiteServer(SITES / "wix-dental", delay=0.2) as slow:
        assert run_cli("crawl", f"{slow.url}/", "--redis", redis_url, "--crawl", "twins").returncode == 0
        first = start_worker(redis_url, "twins", tmp_path / "a", "w1")
        client = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + 60
        while not client.hexists(Keys("twins").workers, "w1") and time.monotonic() < deadline:
            time.sleep(0.02)
        second = run_cli("worker", "--redis", redis_url, "--crawl", "twins", "-o", str(tmp_path / "b"),
                         "--worker-id", "w1")  # fmt: skip
        [(code, _, stderr)] = finish([first])
    assert code == 0, stderr
    assert second.returncode == 2
    assert "a worker named 'w1' is already working on crawl 'twins'" in second.stderr
    assert not (tmp_path / "b" / "articles-w1.jsonl").exists()


def test_a_request_is_marked_seen_only_together_with_being_queued(redis_url: str) -> None:
    """The ENQUEUE script: a new fingerprint is added to the duplicate filter and the request to
    the queue in one step; a seen one changes neither; dont_filter ("") always queues."""
    import redis

    from crawler.distributed.scripts import ENQUEUE

    client = redis.Redis.from_url(redis_url)
    enqueue = client.register_script(ENQUEUE)
    assert enqueue(keys=["df", "q"], args=["fp1", -1, b"req-a"]) == 1
    assert enqueue(keys=["df", "q"], args=["fp1", -1, b"req-a-again"]) == 0
    assert enqueue(keys=["df", "q"], args=["", -2, b"req-b"]) == 1
    assert client.smembers("df") == {b"fp1"}
    assert client.zrange("q", 0, -1, withscores=True) == [(b"req-b", -2.0), (b"req-a", -1.0)]


def test_per_site_budgets_hold_for_the_whole_crawl_not_per_worker(redis_url: str, tmp_path: Path) -> None:
    """A generator trap (``/gen/?id=N`` linking to ten more) under CLINIC_MAX_PAGES_PER_SITE=30,
    crawled by two workers: 30 pages in all (not 60), one page_budget line in all."""
    from faultserver import FaultServer
    from test_budgets import generator_site

    budget = ("-s", "CLINIC_MAX_PAGES_PER_SITE=30", "-s", "CONCURRENT_REQUESTS=2")
    with FaultServer(generator_site) as site:
        queued = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "traps", *budget)
        assert queued.returncode == 0, queued.stderr
        out = tmp_path / "shards"
        results = finish([start_worker(redis_url, "traps", out, f"w{i}", *budget) for i in (1, 2)])
        generated = sum(1 for _, target in site.requests if target.startswith("/gen/"))
    for code, _, stderr in results:
        assert code == 0, stderr
    assert generated == 30  # checked and taken in one step: racing workers cannot overshoot
    lines = [e for w in (1, 2) for e in read_jsonl(out / f"errors-w{w}.jsonl") if e["error"] == "page_budget"]
    assert len(lines) == 1
