"""``clinic-archive reextract --jobs 1`` against ``--jobs 2`` on the same WARC file.

    python bench/reextract.py                    # N = 1,000 posts, jobs 1 and 2, three times each
    python bench/reextract.py --posts 5000 --jobs 1 2 --rounds 1
    python bench/reextract.py --smoke            # CI: 20 posts, checks it works, no timing claims

It builds the synthetic clinic blog of ``bench/crawl.py`` (``bench/_synthetic_site.py``), crawls it
once with ``clinic-archive crawl`` (default settings, politeness off) to get its raw WARC file,
then runs ``clinic-archive reextract FILE -o DIR --jobs J`` for each J, as a subprocess measured
from outside like the crawls (wall time, CPU of the whole process tree, peak RSS). The runs
alternate (1, 2, 1, 2, ...) so that a change in machine load affects both alike, and every
run's ``articles.jsonl`` must equal the first one's (and hold all N posts) or the bench fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fastserver import FastServer
from _synthetic_site import build_site
from crawl import (
    ROOT,
    Measured,
    become_subreaper,
    compile_project,
    fail,
    fast_settings,
    measure,
    scratch_dir,
    usable_cpus,
)

TARGET_SPEEDUP = 1.7  # issue 5: --jobs 2 >= 1.7x as fast as --jobs 1 on 2 cores


@dataclass
class Run:
    jobs: int
    m: Measured
    records: int
    round: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.m.wall if self.m.wall else 0.0


def crawl_once(n: int, seed: int, work: Path, cpus: set[int]) -> list[Path]:
    """Crawl the synthetic site of ``n`` posts into ``work/crawl``; returns its WARC files."""
    server = FastServer()
    site = build_site(server.url, n, seed)
    server.start(site.routes)
    out = work / "crawl"
    try:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", f"{site.base}/", "-o", str(out)]
        m = measure([*cmd, *fast_settings(16)], ROOT, cpus, work / "crawl.log")
    finally:
        server.stop()
    if m.code != 0:
        fail(f"the crawl exited with {m.code}; see {work / 'crawl.log'}")
    warcs = sorted((out / "raw").glob("*.warc.gz"))
    size = sum(p.stat().st_size for p in warcs)
    print(f"crawled {n:,} posts in {m.wall:.1f} s: {len(warcs)} WARC file(s), {size / 2**20:.1f} MiB")
    return warcs


def reextract_once(warcs: list[Path], jobs: int, target: Path, cpus: set[int]) -> Run:
    cmd = [sys.executable, "-m", "crawler.cli", "reextract", *map(str, warcs), "-o", str(target)]
    m = measure([*cmd, "--jobs", str(jobs)], ROOT, cpus, target.with_suffix(".log"))
    if m.code != 0:
        fail(f"reextract --jobs {jobs} exited with {m.code}; see {target.with_suffix('.log')}")
    return Run(jobs, m, len(read_lines(target / "articles.jsonl")))


def read_lines(path: Path) -> list[bytes]:
    with path.open("rb") as f:
        return [line for line in f if line.strip()]


def records(path: Path) -> list[dict]:
    """Every field must match between runs: the crawl id is the capture's, fetched_at its WARC-Date."""
    return [json.loads(line) for line in read_lines(path)]


def print_table(runs: list[Run], posts: int, cores: int) -> None:
    """One row per run; each is compared with the --jobs 1 run of its own round (they ran
    back to back, so load changes between rounds cancel out)."""
    print(
        "\n| round | jobs | N | cores | records | wall s | records/s | vs jobs 1 | CPU s/record "
        "| peak RSS MB | others' CPU s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    ones = {run.round: run for run in runs if run.jobs == 1}
    for run in runs:
        one = ones.get(run.round)
        ratio = f"{one.m.wall / run.m.wall:.2f}x" if one else "-"
        cells = [run.round + 1, run.jobs, f"{posts:,}", cores, f"{run.records:,}", f"{run.m.wall:.1f}"]
        cells += [f"{run.rate:.1f}", ratio, f"{run.m.cpu / max(1, run.records):.4f}"]
        cells += [f"{run.m.peak_rss / 2**20:.0f}", f"{run.m.others:.1f}"]
        print("| " + " | ".join(map(str, cells)) + " |")
    for jobs in sorted({run.jobs for run in runs} - {1}):
        ratios = [ones[r.round].m.wall / r.m.wall for r in runs if r.jobs == jobs and r.round in ones]
        if ratios:
            print(
                f"\n--jobs {jobs} over --jobs 1, per round: {', '.join(f'{x:.2f}x' for x in ratios)} "
                f"(median {statistics.median(ratios):.2f}x; target >= {TARGET_SPEEDUP}x, 2 jobs on 2 cores)"
            )
    if any(r.m.others > 0.1 * r.m.wall for r in runs):
        print("\nwarning: other processes used the CPUs during some runs (last column): figures understate")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, metavar="N")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], metavar="J")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each --jobs value, alternating")
    parser.add_argument("--cores", type=int, help="pin the runs to this many cores (default: all)")
    parser.add_argument("--smoke", action="store_true", help="N = 20, one round, for CI: does it still work")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the WARC and the archives")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.smoke:
        args.posts, args.rounds = 20, 1
    become_subreaper()
    compile_project()  # as bench/crawl.py does: the same footing as its figures
    cpus, _ = usable_cpus(args.cores)
    print(f"runs on cores {sorted(cpus)}; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    with scratch_dir("bench-reextract-", args.keep) as work:
        warcs = crawl_once(args.posts, args.seed, work, cpus)
        runs: list[Run] = []
        reference: list[dict] | None = None
        for i in range(args.rounds):
            for jobs in args.jobs:
                target = work / f"re-j{jobs}-{i}"
                run = reextract_once(warcs, jobs, target, cpus)
                run.round = i
                print(f"  --jobs {jobs}: {run.records:,} records in {run.m.wall:.1f} s", flush=True)
                written = records(target / "articles.jsonl")
                reference = reference if reference is not None else written
                if run.records != args.posts:
                    fail(f"--jobs {jobs} wrote {run.records} records for {args.posts} posts (see {target})")
                if written != reference:
                    fail(f"--jobs {jobs} wrote other records than --jobs {runs[0].jobs} (see {target})")
                runs.append(run)
                if not args.keep:
                    shutil.rmtree(target)
        print_table(runs, args.posts, len(cpus))
    return 0


if __name__ == "__main__":
    sys.exit(main())
