"""A crawl on a full disk: one clear message, a quick stop, a valid archive, and a rerun on a
disk with room resumes it. The test mounts a small tmpfs of its own (root, as CI runs); where
it cannot, it skips and says why."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections import Counter

import pytest
from conftest import SITES, crawl, load_expected

from crawler.siteserver import SiteServer
from pipelines.archive import validate_file

POSTS = sorted(a["path"] for a in load_expected("wp-physio")["articles"])


@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB file system: room for a few posts and their captures, not for the whole site."""
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: cannot make a small file system here")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({made.stderr.decode().strip() or 'not root'})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_stops_the_crawl_cleanly_and_a_rerun_with_room_resumes(small_disk):
    out = small_disk / "out"
    with SiteServer(SITES / "wp-physio") as server:
        url = f"{server.url}/"
        started = time.monotonic()
        first = crawl([url], out, timeout=120)
        took = time.monotonic() - started
        assert first.returncode == 1, first.stdout + first.stderr
        assert "No space left on device" in first.stderr or "(disk full?)" in first.stderr
        assert "Traceback" not in first.stderr and "--- Logging error ---" not in first.stderr
        assert len([line for line in first.stderr.splitlines() if "error:" in line]) == 1
        assert took < 60  # stopped, not hung
        # whatever was written is whole: every line a valid record
        bad = [r for r in validate_file(out / "articles.jsonl") if not isinstance(r, int)]
        assert bad == []
        written = len((out / "articles.jsonl").read_text().splitlines())
        assert written < len(POSTS)

        # more room, the same command: the job resumes and finishes
        subprocess.run(["mount", "-o", "remount,size=50m", str(small_disk)], check=True)
        resumed = crawl([url], out, timeout=120)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert sorted(resumed.by_path()) == POSTS
    assert Counter(r["id"] for r in resumed.articles).most_common(1)[0][1] == 1
    assert not any((out / ".jobs").iterdir())


def test_an_output_directory_deleted_mid_crawl_stops_the_crawl_with_one_line(tmp_path):
    """Files unlinked under a running crawl stay writable: without a check every later record
    would go nowhere. The crawl notices at its next write and stops."""
    import signal
    import sys

    from conftest import FAST, ROOT

    out = tmp_path / "out"
    with SiteServer(SITES / "wp-physio", delay=0.1) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", f"{server.url}/", "-o", str(out), *FAST,
             "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60  # the archive is open once the first post is asked for
        while time.monotonic() < deadline and not any(
            p.startswith("/blog/") for p in server.paths_requested("GET")
        ):
            time.sleep(0.02)
        shutil.rmtree(out)
        try:
            stdout, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            raise
    stderr = stdout + stderr
    assert proc.returncode == 1, stderr[-2000:]
    assert "was deleted while the crawl was writing" in stderr
    assert "Traceback" not in stderr


def test_running_out_of_file_descriptors_stops_the_crawl_with_one_line_and_a_rerun_resumes(tmp_path):
    """With too few file descriptors for its sockets and queue files the crawl used to finish
    "successfully" having lost responses (a queue file it could not open, a callback Scrapy could
    not inspect) or hang. It must stop, say why, lose nothing, and resume."""
    import resource
    import sys

    from conftest import FAST, ROOT

    out = tmp_path / "out"

    def few_descriptors() -> None:  # in the child, before exec
        resource.setrlimit(resource.RLIMIT_NOFILE, (34, 34))

    with SiteServer(SITES / "wp-physio") as server:
        url = f"{server.url}/"
        proc = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", url, "-o", str(out), *FAST],
            cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=few_descriptors,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "out of file descriptors (the limit is 34)" in proc.stderr
        assert "Traceback" not in proc.stderr
        resumed = crawl([url], out)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resuming interrupted crawl" in resumed.stdout
    assert sorted(resumed.by_path()) == POSTS
    assert Counter(r["id"] for r in resumed.articles).most_common(1)[0][1] == 1
