"""Distributed crawling: one worker against two, on the same synthetic blog and the same Redis.

    python bench/distributed.py                    # N = 1,000 posts, 1 and 2 workers, alternating
    python bench/distributed.py --posts 2000 --rounds 3
    python bench/distributed.py --pin --rounds 3   # one worker per core: 1 worker on 1 core vs 2 on 2
    python bench/distributed.py --smoke            # CI: 20 posts, checks it works, no timing claims

Builds the synthetic clinic blog of ``bench/crawl.py`` and serves it from memory, starts a
``redis-server`` of its own on a free 127.0.0.1 port (no persistence), then for each round
queues a crawl (``clinic-archive crawl --redis``), runs K ``clinic-archive worker`` processes
at once, politeness off, and measures from the ``crawl --redis`` call to the last worker's
exit: wall time, CPU seconds of every process involved (workers, their extraction pools; Redis
and the server excluded), and the posts found in the merged shards (each must be there once).

All workers share this machine's cores, so the ratio says what a second worker adds on one
machine; on separate machines each worker brings its own cores.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import (
    CONCURRENCY,
    ROOT,
    become_subreaper,
    children_cpu,
    compile_project,
    fail,
    fast_settings,
    machine_cpu,
    own_cpu,
    read_jsonl,
    reap_orphans,
    scratch_dir,
    serve_and_check,
)


@dataclass
class Round:
    workers: int
    posts: int
    wall: float
    cpu: float
    others: float
    articles: int
    duplicates: int
    round: int
    round_trips: int  # requests Redis read from all workers in the round (a pipeline is one)

    @property
    def rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0


def start_redis(work: Path) -> str:
    """A redis-server of our own, daemonized before we become a subreaper: it is not one of our
    descendants, so it is neither counted in the workers' CPU nor reaped between rounds."""
    binary = shutil.which("redis-server")
    if binary is None:
        fail("redis-server not found (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--daemonize", "yes", "--logfile", str(work / "redis.log"), "--dir", str(work)],
        check=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0"


def stop_redis(redis_url: str) -> None:
    import redis

    with contextlib.suppress(redis.ConnectionError):  # it closes the connection as it exits
        redis.Redis.from_url(redis_url).shutdown(nosave=True)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", *args]


def run_round(redis_url: str, site: object, k: int, i: int, work: Path, args: argparse.Namespace) -> Round:
    name = f"bench-{k}-{i}"
    out = work / name
    settings = fast_settings(args.concurrency)
    import redis

    server = redis.Redis.from_url(redis_url)
    server.config_resetstat()
    cpu_before, own_before, machine_before = children_cpu(), own_cpu(), machine_cpu()
    started = time.perf_counter()
    queue = cli("crawl", f"{site.base}/", "--redis", redis_url, "--crawl", name, *settings)
    queued = subprocess.run([*queue, "-s", "ROBOTSTXT_OBEY=True"], cwd=ROOT, capture_output=True, text=True)
    if queued.returncode:
        fail(f"crawl --redis exited with {queued.returncode}: {queued.stderr.strip()}")
    procs = []
    for w in range(k):
        log = (work / f"{name}-w{w}.log").open("wb")
        command = cli("worker", "--redis", redis_url, "--crawl", name, "-o", str(out), "--worker-id", f"w{w}")
        if args.pin:  # one core each: its extraction runs inline, as on a 1-CPU machine
            command = ["taskset", "-c", str(sorted(os.sched_getaffinity(0))[w % os.cpu_count()]), *command]
        procs.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    codes = [p.wait() for p in procs]
    wall = time.perf_counter() - started
    reap_orphans()
    round_trips = server.info("stats")["total_reads_processed"]  # read events: one per round trip
    cpu = children_cpu() - cpu_before
    others = max(0.0, machine_cpu() - machine_before - cpu - (own_cpu() - own_before))
    if any(codes):
        fail(f"a worker exited with {codes}; see {work}/{name}-w*.log")
    paths = [
        urlsplit(r["canonical_url"]).path for shard in out.glob("articles-*.jsonl") for r in read_jsonl(shard)
    ]
    posts = set(site.post_paths)
    found = [p for p in paths if p in posts]
    if set(found) != posts:
        fail(f"{k} workers archived {len(set(found))} of the {len(posts)} posts (see {out})")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    repeats = len(found) - len(set(found))
    return Round(k, len(posts), wall, cpu, others, len(set(found)), repeats, i, round_trips)


def print_table(rounds: list[Round]) -> None:
    one = {r.round: r for r in rounds if r.workers == 1}
    print(
        "\n| round | workers | N | wall s | articles/s | vs 1 worker | CPU s/article "
        "| repeats in shards | others' CPU s | Redis round trips/article |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rounds:
        base = one.get(r.round)
        ratio = f"{r.rate / base.rate:.2f}x" if base else "-"
        cells = [r.round + 1, r.workers, f"{r.posts:,}", f"{r.wall:.1f}", f"{r.rate:.1f}", ratio]
        cells += [f"{r.cpu / r.articles:.4f}", r.duplicates, f"{r.others:.1f}"]
        cells += [f"{r.round_trips / r.articles:.2f}"]
        print("| " + " | ".join(map(str, cells)) + " |")
    ratios = [r.rate / one[r.round].rate for r in rounds if r.workers == 2 and r.round in one]
    if ratios:
        shown = ", ".join(f"{x:.2f}x" for x in ratios)
        print(
            f"\n2 workers over 1 on {os.cpu_count()} CPUs, per round: {shown} "
            f"(median {statistics.median(ratios):.2f}x)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, metavar="N")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="CONCURRENT_REQUESTS per worker")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="N = 20, for CI: does it still work")
    parser.add_argument("--keep", action="store_true", help="keep the shards and logs")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin worker K (and its extraction) to CPU K: one worker on one core against two on two, "
        "as separate machines would see it; Redis and the site server float",
    )
    args = parser.parse_args(argv)
    n = 20 if args.smoke else args.posts
    compile_project()  # as bench/crawl.py does: the same footing as its figures
    with scratch_dir("bench-distributed-", args.keep) as work:
        redis_url = start_redis(work)
        try:
            become_subreaper()
            server, site = serve_and_check(n, args.seed, args.smoke)
            try:
                rounds = []
                for i in range(args.rounds):
                    for k in (1, 2):
                        r = run_round(redis_url, site, k, i, work, args)
                        done = f"{r.articles:,}/{n:,} posts in {r.wall:.1f} s"
                        print(f"  round {i + 1}, {k} worker(s): {done}", flush=True)
                        rounds.append(r)
                print_table(rounds)
            finally:
                server.stop()
        finally:
            stop_redis(redis_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
