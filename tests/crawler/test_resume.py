"""Interrupted crawls resume with the same command: nothing lost, nothing duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from conftest import FAST, ROOT, SITES, crawl, load_expected, read_jsonl

from crawler.siteserver import SiteServer

SLOW = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
POSTS = sorted(a["path"] for a in load_expected("wp-physio")["articles"])


def start_crawl(url: str, out: Path, marker: str) -> subprocess.Popen:
    log = (out.parent / f"{out.name}-first-run.log").open("w")
    env = {**os.environ, "CLINIC_TEST_MARKER": marker}  # inherited by every child process
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", url, "-o", str(out), *FAST, *SLOW],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )


def wait_for_posts_fetched(server: SiteServer, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(p in POSTS for p in server.paths_requested("GET")) >= n:
            return
        assert proc.poll() is None, "the crawl ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} posts fetched after {timeout} s")


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"CLINIC_TEST_MARKER={marker}".encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def assert_no_survivors(marker: str, timeout: float = 15) -> None:
    """A killed crawl must not leave worker processes behind."""
    deadline = time.monotonic() + timeout
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = processes_with(marker)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == [], "processes of the killed crawl outlived it"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_interrupted_crawl_resumes_without_loss_or_duplicates(tmp_path, how):
    out = tmp_path / "out"
    marker = uuid.uuid4().hex
    with SiteServer(SITES / "wp-physio", delay=0.3) as server:
        url = f"{server.url}/"
        proc = start_crawl(url, out, marker)
        wait_for_posts_fetched(server, 1, proc)
        proc.send_signal(how)
        proc.wait(timeout=60)
        if how == signal.SIGKILL:
            assert_no_survivors(marker)
        else:
            assert proc.returncode == 130  # stopped: the same command resumes it
        first = read_jsonl(out / "articles.jsonl")  # every line parses: nothing torn or interleaved
        assert len(first) < len(POSTS)
        assert not first or (out / "articles.jsonl").read_bytes().endswith(b"\n")
        read_jsonl(out / "errors.jsonl")
        (job,) = list((out / ".jobs").iterdir())
        assert (job / "clinic-ledger.jsonl").exists()

        server.delay = 0
        resumed = crawl([url], out)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming interrupted crawl" in resumed.stdout
    records = resumed.articles
    assert sorted(resumed.by_path()) == POSTS
    assert Counter(r["id"] for r in records).most_common(1)[0][1] == 1  # no duplicates
    assert {r["version"] for r in records} == {1}
    assert len({r["crawl"]["id"] for r in records}) == 1  # one crawl, resumed
    assert not any((out / ".jobs").iterdir())  # a finished job cleans up after itself


def test_a_second_ctrl_c_stops_at_once_and_says_the_same(tmp_path):
    """Ctrl-C twice: Scrapy stops at once, before the crawl's summary is written. The command
    says what a single Ctrl-C says (stopped; the same command resumes), status 130, no traceback,
    and the same command does resume it."""
    out = tmp_path / "out"
    with SiteServer(SITES / "wp-physio", delay=0.3) as server:
        url = f"{server.url}/"
        proc = start_crawl(url, out, uuid.uuid4().hex)
        wait_for_posts_fetched(server, 1, proc)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        said = (tmp_path / "out-first-run.log").read_text()
        assert proc.returncode == 130, said[-2000:]
        assert "run the same command again to resume" in said and "Traceback" not in said
        assert "failed before it could finish" not in said
        server.delay = 0
        resumed = crawl([url], out)
    assert resumed.returncode == 0, resumed.stderr
    assert sorted(resumed.by_path()) == POSTS


def stop_after_the_first_post(server: SiteServer, out: Path) -> Path:
    """Start a crawl of ``server``, stop it (SIGTERM) once a post was fetched; its job directory."""
    proc = start_crawl(f"{server.url}/", out, uuid.uuid4().hex)
    wait_for_posts_fetched(server, 1, proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == 130
    (job,) = list((out / ".jobs").iterdir())
    return job


def test_fresh_discards_an_interrupted_job(tmp_path):
    out = tmp_path / "out"
    with SiteServer(SITES / "wp-physio", delay=0.3) as server:
        url = f"{server.url}/"
        stop_after_the_first_post(server, out)
        server.delay = 0
        again = crawl([url], out, "--fresh")
    assert again.returncode == 0
    assert "Resuming" not in again.stdout
    assert sorted(again.by_path()) == POSTS


def test_a_response_is_done_in_the_ledger_only_after_its_links_are_scheduled(tmp_path, serve):
    """Scrapy reads a callback's output ahead of scheduling its requests; had the ledger marked
    the sitemap done when its callback ended, a kill just then would lose its last posts (their
    "sched" events came after its "done"). Stopped early, the job and its ledger stay behind."""
    import json
    import re

    site = serve("wp-physio")
    result = crawl([f"{site.url}/"], tmp_path / "out", "-s", "CLOSESPIDER_PAGECOUNT=5")
    assert result.returncode == 0, result.stderr
    (ledger,) = (tmp_path / "out").glob(".jobs/*/clinic-ledger.jsonl")
    events = [json.loads(line) for line in ledger.read_text("utf-8").splitlines()]
    sitemap = f"{site.url}/post-sitemap.xml"
    done = next(i for i, e in enumerate(events) if e == {"e": "done", "u": sitemap})
    xml = (SITES / "wp-physio" / "post-sitemap.xml").read_text("utf-8")
    posts = [loc.replace("{{BASE}}", site.url) for loc in re.findall(r"<loc>([^<]+)</loc>", xml)]
    scheduled = {e["u"]: i for i, e in enumerate(events) if e["e"] == "sched"}
    assert len(posts) >= 5 and all(p in scheduled for p in posts)
    assert max(scheduled[p] for p in posts) < done


def damage_active_json(job: Path) -> None:
    (job / "requests.queue" / "active.json").write_bytes(b"")  # what a full disk left


def damage_queue_file(job: Path) -> None:
    files = [p for p in (job / "requests.queue").rglob("*") if p.is_file() and p.name != "active.json"]
    assert files, "the stopped crawl saved no queue file"
    for path in files:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] + bytes(64))  # half a queue, then zeros


def damage_ledger_line(job: Path) -> None:
    ledger = job / "clinic-ledger.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    lines[len(lines) // 2] = b"\0" * 40 + b"\n"  # one event lost in the middle
    ledger.write_bytes(b"".join(lines))


@pytest.mark.parametrize("damage", [damage_active_json, damage_queue_file, damage_ledger_line])
def test_a_damaged_job_state_is_rebuilt_from_the_ledger_not_looped_on(tmp_path, damage):
    """A stop on a full disk can leave the saved queue unreadable: every rerun then stopped at
    once with "run the same command again". The job is rebuilt from its ledger instead."""
    out = tmp_path / "out"
    with SiteServer(SITES / "wp-physio", delay=0.3) as server:
        url = f"{server.url}/"
        job = stop_after_the_first_post(server, out)
        if damage is not damage_ledger_line:
            assert (job / "requests.queue" / "active.json").exists()
        damage(job)
        server.delay = 0
        resumed = crawl([url], out)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert sorted(resumed.by_path()) == POSTS
    assert Counter(r["id"] for r in resumed.articles).most_common(1)[0][1] == 1
    assert not any((out / ".jobs").iterdir())
