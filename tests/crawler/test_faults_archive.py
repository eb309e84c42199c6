"""Nothing lost when the output directory misbehaves: a full disk, an unwritable archive, two
crawls at once. Each test runs real crawls (the CLI in subprocesses) against a fixture site.

A full disk is a real one for the crawl: the subprocess runs under ``RLIMIT_FSIZE``, so a write
past the limit stores only what fits and then fails with EFBIG, exactly as ENOSPC does on a full
disk (and it works as root and in any CI container, unlike a small tmpfs or a read-only mount).
(SIGKILL in the middle of a crawl is tests/crawler/test_resume.py.)
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import FAST, ROOT, SITES, crawl, load_expected, read_jsonl

from crawler.siteserver import SiteServer

SITE = "wix-dental"  # three posts: small enough to crawl four times here
POSTS = sorted(a["path"] for a in load_expected(SITE)["articles"])
FILE_SIZE_LIMIT = 6_000  # bytes: past the first record or two, below what the job files need
INLINE = ["-s", "CLINIC_EXTRACT_WORKERS=0"]  # no extraction pool to start: quicker for tiny sites


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def cli(*args: str, preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


def whole_lines(path: Path) -> list[dict]:
    """Every line of a JSONL file, asserting none is torn or half-written."""
    raw = path.read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), f"{path.name} ends in a partial line"
    return read_jsonl(path)


def assert_complete_without_duplicates(out: Path) -> None:
    records = whole_lines(out / "articles.jsonl")
    assert sorted({urlsplit(r["canonical_url"]).path for r in records}) == POSTS
    assert max(Counter(r["id"] for r in records).values()) == 1
    assert {r["version"] for r in records} == {1}


@pytest.mark.parametrize(
    ("raw", "full_file"),
    [(["--no-raw"], "articles.jsonl"), ([], ".warc.gz")],
    ids=["archive-fills-the-disk", "raw-captures-fill-the-disk"],
)
def test_a_full_disk_stops_the_crawl_cleanly_and_rerunning_completes_it(tmp_path, serve, raw, full_file):
    server = serve(SITE)
    out = tmp_path / "out"
    args = ["crawl", f"{server.url}/", "-o", str(out), *FAST, *INLINE, *raw]
    proc = cli(*args, "-v", preexec_fn=file_size_limit(FILE_SIZE_LIMIT))
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr[-3000:]
    message = stderr.strip().splitlines()
    assert any(
        line.startswith("clinic-archive: error: cannot write") and full_file in line for line in message
    )
    assert message[-1] == "Fix that, then run the same command again to resume the crawl."
    first = whole_lines(out / "articles.jsonl")  # only whole records: the partial one was cut off
    assert len(first) < len(POSTS)
    whole_lines(out / "errors.jsonl")
    (summary,) = whole_lines(out / "crawls.jsonl")
    assert summary["finish_reason"] == "archive_error" and "cannot write" in summary["fatal"]

    again = crawl([f"{server.url}/"], out, *INLINE, *raw)  # the same command, with room to write
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Resuming interrupted crawl" in again.stdout
    assert_complete_without_duplicates(out)


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """``chattr +i``: not even root may write the file (a permission error that applies to root)."""
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("chattr +i is not available here (needs ext2/3/4, xfs or btrfs and CAP_LINUX_IMMUTABLE)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_unwritable_archive_stops_the_crawl_with_a_clear_message(tmp_path, serve):
    server = serve(SITE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "articles.jsonl").write_bytes(b"")
    with immutable(out / "articles.jsonl"):
        proc = cli("crawl", f"{server.url}/", "-o", str(out), *FAST, *INLINE)
        _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr[-3000:]
    assert f"cannot open {out / 'articles.jsonl'} for writing: Operation not permitted" in stderr
    assert (out / "articles.jsonl").read_bytes() == b""
    assert not [p for p in server.paths_requested() if p not in ("/robots.txt",)]  # stopped before crawling


def test_an_output_path_that_cannot_be_a_directory_is_refused_before_crawling(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    proc = cli("crawl", "http://127.0.0.1:9/", "-o", str(blocker / "out"))
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert (
        stderr.strip()
        == f"clinic-archive: error: {blocker / 'out'} is not a directory: {blocker} is a file in the way"
    )


def test_two_crawls_into_one_directory_the_second_refuses(tmp_path):
    out = tmp_path / "out"
    # Each response takes 1 s: the first crawl holds the lock for seconds. The second starts once
    # the lock file names the first (written just after the lock is taken), so the order is fixed.
    with SiteServer(SITES / SITE, delay=1.0) as server:
        args = ["crawl", f"{server.url}/", "-o", str(out), *FAST, *INLINE]
        first = cli(*args)
        deadline = time.monotonic() + 60
        while not (out / ".lock").exists() or (out / ".lock").read_text().strip() != str(first.pid):
            assert first.poll() is None and time.monotonic() < deadline, "the first crawl never took the lock"
            time.sleep(0.02)
        second = cli(*args)
        refused = second.communicate(timeout=120)
        crawled = first.communicate(timeout=120)
    assert first.returncode == 0, crawled
    assert second.returncode == 2, refused
    assert refused[1].strip() == (
        f"clinic-archive: error: another crawl (pid {first.pid}) is writing to {out}; "
        "wait for it to finish or choose another --output"
    )
    assert_complete_without_duplicates(out)
    assert len(whole_lines(out / "crawls.jsonl")) == 1  # the refused crawl wrote nothing at all
