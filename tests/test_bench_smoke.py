"""CI smoke runs of every benchmark under ``bench/`` on a tiny input: they
still build, serve, crawl (re-extract, distribute, score) and print their tables.

No timing is asserted (CI machines vary); only that each run finished and printed its table
(and, for the crawling ones, that every run archived every post).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def run_bench(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``python <args>`` from the repository root, which must exit 0."""
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def smoke_run(script: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``bench/<script> --smoke``, which must exit 0."""
    return run_bench(f"bench/{script}", "--smoke", timeout=timeout)


def test_crawl_bench_smoke_run():
    proc = smoke_run("crawl.py", timeout=120)
    assert "requests/s" in proc.stdout  # the server's own load test ran
    assert "20/20 posts" in proc.stdout  # each crawler archived every post (the bench fails otherwise)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| clinic-archive", "| baseline"]


def test_reextract_bench_smoke_run():
    proc = smoke_run("reextract.py", timeout=180)
    assert "crawled 20 posts" in proc.stdout
    # each run wrote all 20 records, the same ones (the bench fails otherwise)
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[1] for row in rows[1:]] == ["1", "2"]  # the jobs column
    assert "--jobs 2 over --jobs 1" in proc.stdout


@pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server not found (apt-get install redis-server)"
)
def test_distributed_bench_smoke_run():
    proc = smoke_run("distributed.py", timeout=180)
    # both rounds archived all 20 posts (the bench fails otherwise), with no repeats
    rows = [line.split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [(row[1], row[2], row[7]) for row in rows[1:]] == [("1", "20", "0"), ("2", "20", "0")]
    assert "2 workers over 1" in proc.stdout


def test_extraction_bench_smoke_run():
    """bench/extraction.py on the 3-page sample in tests/fixtures (the full set is outside the repo)."""
    proc = run_bench("bench/extraction.py", "--data", "tests/fixtures/article-extraction")
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines() if line.endswith("x")}
    assert set(rows) == {"clinic-archive", "trafilatura"}
    assert float(rows["clinic-archive"][3]) > 0.9  # F1 on these three pages
    assert "this run used part of it" in proc.stdout


def test_references_bench_smoke_run():
    proc = run_bench(
        "bench/references.py", "--data", "tests/fixtures/references/grobid_biomed_dev_sample.jsonl"
    )
    assert "mean F1, 8 target fields" in proc.stdout
    assert "time per reference" in proc.stdout


def test_references_bench_per_style_smoke_run():
    """The per-style table on the hand-labelled style set, and --style with --errors."""
    data = "tests/fixtures/references/styles.jsonl"
    proc = run_bench("bench/references.py", "--data", data, "--limit", "20")
    rows = [line.split() for line in proc.stdout.splitlines()]
    header = next(row for row in rows if row[:2] == ["style", "n"])
    assert header[-1] == "mean" and "authors" in header
    assert [row[:2] for row in rows if row and row[0] in ("acs", "all")] == [["acs", "20"], ["all", "20"]]
    assert "accuracy = right / references where the gold has the field" in proc.stdout
    mla = run_bench(
        "bench/references.py", "--data", data, "--style", "mla", "--errors", "title", "--limit", "20"
    )
    table = [row.split() for row in mla.stdout.splitlines() if row.startswith(("mla ", "all "))]
    assert [row[:2] for row in table] == [["mla", "20"], ["all", "20"]]
    # each title mismatch is listed, as many as the table's title accuracy says there are
    title = float(table[0][next(i for i, h in enumerate(header) if h == "title")])
    listed = mla.stdout.count("[mla-0")
    assert (listed == 0) == (title == 1.0) and mla.stdout.count("gold=") == listed


def test_stages_bench_smoke_run():
    proc = smoke_run("stages.py", timeout=120)
    rows = {line.split(" | ")[0].lstrip("| ") for line in proc.stdout.splitlines() if line.startswith("| ")}
    assert {"build_article (total)", "main_text_lines", "parse_entries", "rest"} <= rows
    assert "build_article / bare trafilatura.extract" in proc.stdout


def test_pathological_bench_smoke_run():
    proc = smoke_run("pathological.py", timeout=120)
    rows = [line.split(" | ")[0].lstrip("| ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert "service-area list" in rows and "hyphenated names" in rows
    assert "worst:" in proc.stdout


def test_golden_bench_smoke_run(tmp_path):
    out = tmp_path / "golden.jsonl"
    proc = run_bench("bench/golden.py", "--out", str(out), "--limit", "2")
    assert "golden lines written" in proc.stdout
    same = run_bench("bench/golden.py", "--compare", str(out), str(out))
    assert same.stdout.strip().endswith("0 differ")


def test_archive_scale_bench_smoke_run():
    proc = smoke_run("archive_scale.py", timeout=120)
    rows = [line.split(" | ")[1] for line in proc.stdout.splitlines() if line.startswith("| 2,000")]
    assert rows == [
        "baseline: whole file in memory",
        "index built (first open)",
        "index current",
        "index after 1,000 appended",
    ]


def test_realworld_bench_smoke_run():
    """Sections 1-3 of issue 18 on the samples under tests/fixtures: every set reports."""
    proc = smoke_run("realworld.py", timeout=300)
    out = proc.stdout
    for heading in ("## article-extraction (sample)", "## readability (sample)", "## fixture sites"):
        assert heading in out
    assert "classifier recall:" in out and "classifier precision:" in out
    assert "bare trafilatura" in out and "ratio F1 ours/bare" in out
    assert re.search(r"byline: ours \d+/\d+, trafilatura \d+/\d+", out)
    assert re.search(r"date: ours \d+/\d+, trafilatura \d+/\d+", out)
    assert re.search(r"clinic posts \(\d+\): sentences kept ours \d+/\d+, trafilatura \d+/\d+", out)
    assert "targets:" in out


def test_render_bench_smoke_run():
    from crawler.fetch import render_support

    if missing := render_support():
        pytest.skip(f"cannot render here: {missing}")
    proc = smoke_run("render.py", timeout=300)
    rows = [line.split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    # never misses the JavaScript post; auto renders only it; always renders every page
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("| never", "9/10"),
        ("| auto", "10/10"),
        ("| always", "10/10"),
    ]
    assert [row[2] for row in rows[1:]][:2] == ["0", "1"]
    assert "auto over never:" in proc.stdout


def test_broad_bench_smoke_run():
    proc = smoke_run("broad.py", timeout=300)
    rows = [line.split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert rows[-1][0] == "| 4 x 3" and rows[-1][1] == "12"  # every post of every site archived
    assert "recrawl, no ETag: 0 post downloads" in proc.stdout
    assert "wall over floor:" in proc.stdout and "smallest gap between requests to one site:" in proc.stdout


def test_verify_bench_smoke_run():
    proc = smoke_run("verify.py", timeout=120)
    rows = [line.split(" | ") for line in proc.stdout.splitlines() if line.startswith("| ")]
    # every reference checked with a request, then every one from the cache (the bench fails on
    # unexpected statuses or a request in the second run)
    assert [row[1:5] for row in rows[1:]] == [
        ["first (cold)", "200", "200", "0"],
        ["second (cached)", "200", "0", "200"],
    ]
    assert "cache hit rate of the second run: 100.0%" in proc.stdout
