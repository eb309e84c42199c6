"""CI smoke runs of ``bench/crawl.py`` and ``bench/reextract.py``: they still build, serve, crawl
(and re-extract) and print their tables.

No timing is asserted (CI machines vary); only that both crawlers archived every post.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def test_crawl_bench_smoke_run():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crawl.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "requests/s" in proc.stdout  # the server's own load test ran
    assert "20/20 posts" in proc.stdout  # each crawler archived every post (the bench fails otherwise)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| clinic-archive", "| baseline"]


def test_reextract_bench_smoke_run():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reextract.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "crawled 20 posts" in proc.stdout
    # each run wrote all 20 records, the same ones (the bench fails otherwise)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[1] for row in rows[1:]] == ["1", "2"]  # the jobs column
    assert "--jobs 2 over --jobs 1" in proc.stdout


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server not found (apt-get install redis-server)"
)
def test_distributed_bench_smoke_run():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "distributed.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # both rounds archived all 20 posts (the bench fails otherwise), with no repeats
    rows = [line.split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [(row[1], row[2], row[7]) for row in rows[1:]] == [("1", "20", "0"), ("2", "20", "0")]
    assert "2 workers over 1" in proc.stdout
