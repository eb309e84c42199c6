"""Crawl start-up over large archives: time and peak memory to open an archive of N records.

    python bench/archive_scale.py                       # 100,000 and 1,000,000 records (~1 GB on disk)
    python bench/archive_scale.py --records 20000       # smaller
    python bench/archive_scale.py --smoke               # CI: 2,000 records

What a crawl does before its first request, each in a fresh process: the spider reads the known
pages of its own sites (``load_known_pages(..., sites=...)``) and the archive pipeline opens the
archive for writing (``Archive``), both through the on-disk index (pipelines/archive/index.py).
Three runs per size: the first builds the index from the JSONL file (once per archive), the
second finds it current, the third after 1,000 records were appended (catching up). The baseline
is what the code did before the index: every line of the JSONL file parsed into a dict in memory.
Goals (issue: no input can blow up memory): 1M records open in under 10 s and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITES = 3000
GOAL_SECONDS = 10.0
GOAL_MB = 500

OPEN = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pipelines.archive.jsonl import Archive, iter_records, load_known_pages, KnownPage
started = time.perf_counter()
if {baseline}:
    known = {{}}
    for record in iter_records({path!r} + "/articles.jsonl"):
        known[record["id"]] = KnownPage.from_record(record)
    count = len(known)
else:
    count = len(load_known_pages({path!r}, sites=["site7.example"]))
    Archive({path!r}, crawl_id="20260101T000000Z-bench").close()
seconds = time.perf_counter() - started
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "rss_mb": rss_mb, "pages": count}}))
"""


def record(i: int) -> str:
    site = f"site{i % SITES}.example"
    return json.dumps(
        {
            "schema": "clinic-archive/article@1",
            "id": f"{i:016x}",
            "version": 1,
            "url": f"https://{site}/blog/post-{i}/",
            "canonical_url": f"https://{site}/blog/post-{i}/",
            "site": site,
            "title": f"Post {i}",
            "text": "Gentle loading helps most tendon pain settle within weeks. " * 8,
            "content_hash": f"sha256:{i:064x}",
            "fetched_at": "2026-01-01T00:00:00Z",
            "published": "2025-06-01",
            "http": {"status": 200, "etag": f'"{i:x}"', "last_modified": "Thu, 01 Jan 2026 00:00:00 GMT"},
        }
    )


def write_archive(directory: Path, start: int, count: int) -> None:
    with (directory / "articles.jsonl").open("a") as f:
        for i in range(start, start + count):
            f.write(record(i) + "\n")


def measure(directory: Path, baseline: bool = False) -> dict:
    code = OPEN.format(root=str(ROOT), path=str(directory), baseline=baseline)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--smoke", action="store_true", help="2,000 records: what CI runs")
    parser.add_argument("--no-baseline", action="store_true", help="skip the whole-file baseline")
    args = parser.parse_args(argv)
    sizes = [2_000] if args.smoke else args.records
    print("| records | run | seconds | peak RSS MB | pages of one site |")
    print("|---:|---|---:|---:|---:|")
    met = True
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            write_archive(directory, 0, n)
            size_mb = (directory / "articles.jsonl").stat().st_size / 2**20
            runs = []
            if not args.no_baseline:
                runs.append(("baseline: whole file in memory", measure(directory, baseline=True)))
            runs.append(("index built (first open)", measure(directory)))
            runs.append(("index current", measure(directory)))
            write_archive(directory, n, 1_000)
            runs.append(("index after 1,000 appended", measure(directory)))
            for name, result in runs:
                seconds, rss, pages = result["seconds"], result["rss_mb"], result["pages"]
                print(f"| {n:,} ({size_mb:,.0f} MB) | {name} | {seconds:.2f} | {rss:.0f} | {pages:,} |")
            for _, result in runs[-2:]:
                if n >= 1_000_000 and (result["seconds"] >= GOAL_SECONDS or result["rss_mb"] >= GOAL_MB):
                    met = False
    if not args.smoke and max(sizes) >= 1_000_000:
        verdict = "met" if met else "NOT met"
        goal = f"under {GOAL_SECONDS:g} s and {GOAL_MB} MB"
        print(f"\ngoal at 1M records, index current or caught up: {goal}: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
