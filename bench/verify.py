"""``clinic-archive verify`` throughput against a local Crossref stand-in, and its cache.

    python bench/verify.py                          # 5,000 references, concurrency 2 and 8
    python bench/verify.py --references 20000 --concurrency 4
    python bench/verify.py --smoke                  # CI: 200 references, checks it works

It writes a synthetic archive (10 references per post, each with a DOI; lines carry only what
``verify`` reads: id, version, url, dates, references), serves Crossref ``/works/{doi}`` answers
for them from ``bench/_fastserver.py`` on 127.0.0.1 (90% agree with the reference, 5% give
another year, 5% are 404s), and runs the verification twice per concurrency, with no rate limit
(``--rate 0``: the real services get 3 requests a second, which is the wall for them, not this
code): the first run asks the server for every reference, the second must be answered by the
cache alone. Each run is timed inside a fresh process (``run_verify``, without interpreter start-up);
references verified per second count every reference checked. The bench fails if a run's
statuses are not the expected ones or the second run sends a request.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fastserver import FastServer

ROOT = Path(__file__).resolve().parents[1]
PER_POST = 10

RUN = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from crawler.verify import VerifyOptions, run_verify
options = VerifyOptions(crossref_url={url!r}, rate=0, concurrency={concurrency})
started = time.perf_counter()
report = run_verify(Path({out!r}), options)
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "requests": report.requests, "cache_hits": report.cache_hits,
                  "lookups": report.lookups, "counts": report.counts}}))
"""


def reference(j: int) -> dict:
    return {
        "n": j % PER_POST + 1,
        "raw": f"Author{j} A, Second B. Synthetic study {j}. Br J Sports Med. 2016;50(3):{100 + j}-9.",
        "authors": [f"Author{j} A", "Second B"],
        "title": f"Synthetic study {j} of exercise for condition {j % 97}",
        "container": "Br J Sports Med",
        "year": 2000 + j % 24,
        "volume": str(j % 60 + 1),
        "issue": "3",
        "pages": f"{100 + j}-9",
        "doi": f"10.5555/bench.{j}",
        "pmid": None,
        "pmcid": None,
        "url": None,
        "style": "vancouver",
    }


def crossref_answer(ref: dict, other_year: bool) -> bytes:
    year = ref["year"] + (1 if other_year else 0)
    message = {
        "DOI": ref["doi"].upper(),
        "type": "journal-article",
        "title": [ref["title"].capitalize()],
        "author": [{"given": "A", "family": ref["authors"][0].split()[0], "sequence": "first"}],
        "container-title": ["British Journal of Sports Medicine"],
        "short-container-title": ["Br J Sports Med"],
        "issued": {"date-parts": [[year, 3, 1]]},
        "volume": ref["volume"],
        "issue": "3",
        "page": f"{ref['pages'].split('-')[0]}-{int(ref['pages'].split('-')[0]) + 9}",
    }
    return json.dumps(
        {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}
    ).encode()


def build(directory: Path, n: int) -> tuple[dict, dict[str, int]]:
    """articles.jsonl with ``n`` references, the server's routes and the statuses to expect."""
    routes, expected = {}, {"verified": 0, "mismatch": 0, "not_found": 0, "unchecked": 0}
    with (directory / "articles.jsonl").open("w", encoding="utf-8") as f:
        for post in range((n + PER_POST - 1) // PER_POST):
            refs = [reference(j) for j in range(post * PER_POST, min(n, (post + 1) * PER_POST))]
            record = {
                "schema": "clinic-archive/article@1",
                "id": f"{post:016x}",
                "version": 1,
                "url": f"https://clinic.example/blog/post-{post}/",
                "published": "2024-01-01",
                "modified": None,
                "fetched_at": "2024-06-01T00:00:00Z",
                "site": "clinic.example",
                "references": refs,
            }
            f.write(json.dumps(record) + "\n")
            for ref in refs:
                j = int(ref["doi"].rsplit(".", 1)[1])
                if j % 20 == 7:  # 5%: Crossref does not know it
                    expected["not_found"] += 1
                    continue
                other_year = j % 20 == 13  # 5%: another year
                expected["mismatch" if other_year else "verified"] += 1
                routes[f"/works/{ref['doi']}"] = ("application/json", [crossref_answer(ref, other_year)])
    return routes, expected


def run(out: Path, url: str, concurrency: int) -> dict:
    code = RUN.format(root=str(ROOT), url=url, concurrency=concurrency, out=str(out))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=3600
    )
    if proc.returncode != 0:
        raise SystemExit(f"verify failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--references", type=int, default=5_000, help="references in the archive (default 5,000)"
    )
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[2, 8], help="values to run (default 2 8)"
    )
    parser.add_argument("--smoke", action="store_true", help="200 references, concurrency 2: what CI runs")
    parser.add_argument("--keep", action="store_true", help="keep the archives and caches")
    args = parser.parse_args(argv)
    n, concurrencies = (200, [2]) if args.smoke else (args.references, args.concurrency)
    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    server = FastServer()
    routes, expected = build(work, n)
    server.start(routes)
    ok = True
    try:
        print(
            f"{n:,} references ({n // PER_POST:,} posts), Crossref stand-in at {server.url}, no rate limit\n"
        )
        print("| concurrency | run | references | requests | cache hits | seconds | references/s |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        hit_rates = []
        for concurrency in concurrencies:
            out = work / f"c{concurrency}"
            out.mkdir()
            shutil.copy(work / "articles.jsonl", out / "articles.jsonl")
            for name in ("first (cold)", "second (cached)"):
                served = server.counter[0]
                result = run(out, server.url, concurrency)
                counts = {k: result["counts"].get(k, 0) for k in expected}
                total = sum(counts.values())
                rate = total / result["seconds"] if result["seconds"] else 0.0
                requests, hits, seconds = result["requests"], result["cache_hits"], result["seconds"]
                cells = [str(concurrency), name, f"{total:,}", f"{requests:,}", f"{hits:,}", f"{seconds:.2f}"]
                print(f"| {' | '.join(cells)} | {rate:,.0f} |")
                if counts != expected:
                    print(f"  statuses {counts} are not the expected {expected}")
                    ok = False
                if name.startswith("second"):
                    hit_rates.append(result["cache_hits"] / result["lookups"] if result["lookups"] else 0.0)
                    if result["requests"] or server.counter[0] != served:
                        print("  the second run sent requests")
                        ok = False
        print(f"\ncache hit rate of the second run: {min(hit_rates):.1%}")
        print("statuses as expected, second run sent no request" if ok else "FAILED")
    finally:
        server.stop()
        if args.keep:
            print(f"\noutputs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
