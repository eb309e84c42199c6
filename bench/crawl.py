"""Crawl throughput and memory: our crawler next to a naive Scrapy + trafilatura baseline.

    python bench/crawl.py                        # N = 1,000 and 10,000 posts, all usable cores
    python bench/crawl.py --cores 1              # both crawlers pinned to one core (taskset)
    python bench/crawl.py --no-raw               # also ours with --no-raw (no WARC), for information
    python bench/crawl.py --posts 1000 --rounds 3  # each crawler 3 times, alternating
    python bench/crawl.py --posts 2000 --only ours -s CLINIC_EXTRACT_WORKERS=0
    python bench/crawl.py --smoke                # CI: 20 posts, checks it works, no timing claims

For each N it builds a synthetic WordPress-style clinic blog (``bench/_synthetic_site.py``,
60-150 KB a post), serves it from memory on 127.0.0.1 (``bench/_fastserver.py``; a load test
from a separate process first shows the server's own requests/s), then crawls it with
``clinic-archive crawl`` and with ``bench/baseline_spider.py`` (``scrapy runspider`` into a
JSON Lines feed), politeness off for both, same concurrency. Each crawler runs as a
subprocess, one at a time, and is measured from outside:

- wall time, from start to exit (interpreter and Scrapy start-up included);
- CPU seconds: user + sys of the whole process tree, from ``getrusage(RUSAGE_CHILDREN)``
  deltas. This process makes itself a child subreaper (``PR_SET_CHILD_SUBREAPER``) and reaps
  every orphan, so pool workers and multiprocessing helpers are counted even when their
  parent exited first;
- peak RSS: the largest sum of ``VmRSS`` over the crawler's process tree (the crawler, its
  pool workers, the forkserver), sampled every 50 ms from ``/proc``. Shared pages are counted
  once per process, so this overstates rather than understates.

Our packages are byte-compiled first (``compile_project``), as an installed package is.

The server runs in this process (not counted in either crawler's CPU); with ``--cores K`` the
crawlers get the first K usable cores and the server the rest, when there are any.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fastserver import FastServer, load_test  # noqa: E402
from _synthetic_site import SyntheticSite, build_site  # noqa: E402

CONCURRENCY = 16  # CONCURRENT_REQUESTS for both crawlers (and per domain: there is one domain)
LOAD_TEST_REQUESTS = 4000
SAMPLE_SECONDS = 0.05
PR_SET_CHILD_SUBREAPER = 36
TARGET_SPEEDUP = 1.5  # issue 5: >= 1.5x the baseline's articles/s on 2 cores
TARGET_RSS_GROWTH = 1.3  # peak RSS at N = 10,000 within 1.3x of N = 1,000


@dataclass
class Measured:
    wall: float
    cpu: float  # the crawler's process tree
    peak_rss: int
    others: float  # CPU seconds other processes on the machine used meanwhile (should be ~0)
    code: int
    main_cpu: float = 0.0  # the crawler's main (reactor) process alone, up to its last sample


@dataclass
class Run:
    crawler: str
    posts: int
    cores: int
    m: Measured
    articles: int
    requests: int = 0
    round: int = 0  # with --rounds, the pair of runs (ours, baseline) this one belongs to

    @property
    def rate(self) -> float:
        return self.articles / self.m.wall if self.m.wall else 0.0


# --- measuring a process tree --------------------------------------------------------------


def become_subreaper() -> None:
    """Orphaned grandchildren (pool workers, the forkserver) get reparented to us, so we reap them
    and their CPU time shows up in RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans(timeout: float = 30.0) -> None:
    """Wait for every remaining descendant (they exit once their parent has gone)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if time.monotonic() > deadline:
                for child in _children_of(os.getpid(), _parents()):
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.02)


def _parents() -> dict[int, int]:
    """pid -> ppid for every process we can see."""
    table = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            table[int(entry.name)] = int(stat.rsplit(b")", 1)[1].split()[1])
    return table


def _children_of(root: int, parents: dict[int, int]) -> list[int]:
    return [pid for pid, ppid in parents.items() if ppid == root]


def tree_rss(root: int) -> int:
    """Sum of VmRSS (bytes) over ``root`` and its descendants, plus orphans reparented to us."""
    parents = _parents()
    todo, total, me = [root, *(p for p in _children_of(os.getpid(), parents) if p != root)], 0, os.getpid()
    seen = {me}
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
        todo += _children_of(pid, parents)
    return total


def process_cpu(pid: int) -> float | None:
    """user + sys seconds of one live process (``/proc/PID/stat`` fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Every 50 ms: the tree's RSS (keeping the peak) and the root process's own CPU time."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.root_cpu, self.done = pid, 0, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_rss(self.pid))
            self.root_cpu = process_cpu(self.pid) or self.root_cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> float:
    """CPU seconds all processes on the machine have used (``/proc/stat``: user .. steal)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()[1:9]
    busy = sum(int(x) for i, x in enumerate(fields) if i != 3 and i != 4)  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str], cwd: Path, cpus: set[int], log: Path) -> Measured:
    """Run ``cmd`` pinned to ``cpus`` and measure its process tree from outside."""
    cpu_before, own_before, machine_before = children_cpu(), own_cpu(), machine_cpu()
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["taskset", "-c", ",".join(map(str, sorted(cpus))), *cmd],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        sampler = Sampler(proc.pid)
        sampler.start()
        code = proc.wait()
    wall = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    reap_orphans()
    cpu = children_cpu() - cpu_before
    others = machine_cpu() - machine_before - cpu - (own_cpu() - own_before)
    return Measured(wall, cpu, sampler.peak, max(0.0, others), code, sampler.root_cpu)


# --- the two crawlers -------------------------------------------------------------------------


def fast_settings(concurrency: int) -> list[str]:
    pairs = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "LOG_LEVEL": "INFO",
    }
    return [arg for name, value in pairs.items() for arg in ("-s", f"{name}={value}")]


def run_ours(
    site: SyntheticSite, work: Path, cpus: set[int], args: argparse.Namespace, no_raw: bool = False
) -> tuple[Run, Path]:
    name = "ours-no-raw" if no_raw else "ours"
    out = work / name
    extra = [arg for setting in args.set for arg in ("-s", setting)]
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", f"{site.base}/", "-o", str(out)]
    cmd += [*fast_settings(args.concurrency), "-s", "ROBOTSTXT_OBEY=True", *extra]
    cmd += ["--no-raw"] if no_raw else []
    m = measure(cmd, ROOT, cpus, work / f"{name}.log")
    if m.code != 0:
        fail(f"our crawler exited with {m.code}; see {work / f'{name}.log'}")
    paths = {urlsplit(r["canonical_url"]).path for r in read_jsonl(out / "articles.jsonl")}
    label = "clinic-archive --no-raw" if no_raw else "clinic-archive"
    return Run(label, len(site.posts), len(cpus), m, len(paths & set(site.post_paths))), out


def run_baseline(site: SyntheticSite, work: Path, cpus: set[int], args: argparse.Namespace) -> Run:
    feed = work / "baseline.jsonl"
    env_free = work / "baseline-cwd"  # no scrapy.cfg here: the project's settings must not apply
    env_free.mkdir(exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(ROOT / "bench" / "baseline_spider.py"),
        "-a",
        f"site={site.base}",
        "-O",
        f"{feed}:jsonlines",
        *fast_settings(args.concurrency),
        "-s",
        f"LOG_FILE={work / 'baseline-scrapy.log'}",
    ]
    m = measure(cmd, env_free, cpus, work / "baseline.log")
    if m.code != 0:
        fail(f"the baseline exited with {m.code}; see {work / 'baseline.log'}")
    paths = {urlsplit(r["url"]).path for r in read_jsonl(feed) if r.get("text")}
    return Run("baseline", len(site.posts), len(cpus), m, len(paths & set(site.post_paths)))


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open("rb") as f:
        return [json.loads(line) for line in f if line.strip()]


def fail(message: str) -> None:
    """Stop the benchmark (this script, or the one importing these helpers) with a message."""
    print(f"bench/{Path(sys.argv[0]).name}: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


@contextmanager
def scratch_dir(prefix: str, keep: bool) -> Iterator[Path]:
    """A temporary directory for a benchmark's outputs, removed at the end unless ``keep``."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if keep:
            print(f"\noutputs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- one N ------------------------------------------------------------------------------------


def serve_and_check(n: int, seed: int, smoke: bool) -> tuple[FastServer, SyntheticSite]:
    server = FastServer()
    started = time.perf_counter()
    site = build_site(server.url, n, seed)
    size = sum(len(c) for p in site.post_paths for c in site.routes[p][1])
    print(
        f"\nN = {n:,}: built {len(site.routes):,} URLs in {time.perf_counter() - started:.1f} s; "
        f"posts average {size / n / 1000:.0f} KB",
        flush=True,
    )
    server.start(site.routes)
    requests = 200 if smoke else LOAD_TEST_REQUESTS
    job = json.dumps({"url": server.url, "paths": [site.post_paths[i % n] for i in range(requests)]})
    proc = subprocess.run(
        [sys.executable, __file__, "--load-client"], input=job, capture_output=True, text=True, check=True
    )
    done, seconds = json.loads(proc.stdout)
    print(
        f"server: {done / seconds:,.0f} requests/s ({done:,} GETs of posts over 16 keep-alive connections, "
        f"client in another process)",
        flush=True,
    )
    return server, site


def load_client() -> None:
    """The load test's client side, in its own process: reads {url, paths}, prints [requests, seconds]."""
    job = json.load(sys.stdin)
    print(json.dumps(load_test(job["url"], job["paths"])))


def bench_one(n: int, args: argparse.Namespace, cpus: set[int], work: Path) -> list[Run]:
    server, site = serve_and_check(n, args.seed, args.smoke)
    runs = []
    try:
        for i, who in [(i, who) for i in range(args.rounds) for who in ("ours", "ours-no-raw", "baseline")]:
            if (args.only and args.only != who.split("-")[0]) or (who == "ours-no-raw" and not args.no_raw):
                continue
            here = work / f"n{n}-{i}"
            here.mkdir(exist_ok=True)
            before = server.counter[0]
            if who.startswith("ours"):
                run, out = run_ours(site, here, cpus, args, no_raw=who == "ours-no-raw")
                if not args.keep:  # a 10,000-post crawl keeps ~300 MB of WARC
                    shutil.rmtree(out, ignore_errors=True)
            else:
                run = run_baseline(site, here, cpus, args)
            run.requests, run.round = server.counter[0] - before, i
            print(f"  {run.crawler:24s} {run.articles:,}/{n:,} posts in {run.m.wall:.1f} s", flush=True)
            if run.articles != n:
                fail(f"{run.crawler} archived {run.articles} of the {n} posts (see {here})")
            runs.append(run)
    finally:
        server.stop()
    return runs


# --- output -----------------------------------------------------------------------------------


def print_table(runs: list[Run]) -> None:
    base = {(r.posts, r.round): r for r in runs if r.crawler == "baseline"}
    print(
        "\n| crawler | N | cores | requests | wall s | articles/s | vs baseline | CPU s/article "
        "| of which main process | peak RSS MB | others' CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        pair = base.get((r.posts, r.round))
        ratio = f"{r.rate / pair.rate:.2f}x" if pair else "-"
        cells = [
            r.crawler,
            f"{r.posts:,}",
            r.cores,
            f"{r.requests:,}",
            f"{r.m.wall:.1f}",
            f"{r.rate:.1f}",
            ratio,
        ]
        cells += [f"{r.m.cpu / r.articles:.4f}", f"{r.m.main_cpu / r.articles:.4f}"]
        cells += [f"{r.m.peak_rss / 2**20:.0f}", f"{r.m.others:.1f}"]
        print("| " + " | ".join(map(str, cells)) + " |")
    for r in runs:
        pair = base.get((r.posts, r.round))
        if r.crawler == "clinic-archive" and pair:
            target = TARGET_SPEEDUP if r.cores > 1 else 1.0
            verdict = "met" if r.rate >= target * pair.rate else "NOT met"
            print(
                f"\nN = {r.posts:,}, {r.cores} core(s): {r.rate / pair.rate:.2f}x the baseline's articles/s "
                f"(target >= {target}x: {verdict}); CPU per article {r.m.cpu / pair.m.cpu:.2f}x its CPU"
            )
    for name in ("clinic-archive", "clinic-archive --no-raw", "baseline"):
        group = {r.posts: r for r in runs if r.crawler == name and r.round == 0}
        if len(group) > 1:
            small, large = group[min(group)], group[max(group)]
            print(
                f"\n{name}: peak RSS at N = {large.posts:,} is {large.m.peak_rss / small.m.peak_rss:.2f}x "
                f"N = {small.posts:,} (target <= {TARGET_RSS_GROWTH}x)"
            )
    if any(r.m.others > 0.1 * r.m.wall for r in runs):
        print("\nwarning: other processes used the CPUs during some runs (last column): figures understate")


def usable_cpus(cores: int | None) -> tuple[set[int], set[int]]:
    """(cores for the crawlers, cores for the server); the server shares when none are left."""
    cpus = sorted(os.sched_getaffinity(0))
    chosen = set(cpus[: cores or len(cpus)])
    return chosen, (set(cpus) - chosen) or chosen


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--cores", type=int, help="pin both crawlers to this many cores (default: all)")
    parser.add_argument("--smoke", action="store_true", help="N = 20, for CI: does it still work")
    parser.add_argument("--only", choices=["ours", "baseline"], help="run one crawler only")
    parser.add_argument(
        "--no-raw", action="store_true", help="also run ours with --no-raw (no WARC), for information"
    )
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="CONCURRENT_REQUESTS (both)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the crawl outputs and logs")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each crawler, alternating")
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra setting for our crawler, e.g. -s CLINIC_EXTRACT_WORKERS=0",
    )
    parser.add_argument("--load-client", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_known_args(argv)[0]


def compile_project() -> None:
    """Byte-compile our packages first, as ``pip install`` does for an installed package (and did
    for Scrapy's and trafilatura's): an editable checkout under PYTHONDONTWRITEBYTECODE would
    otherwise compile every module of the crawler again in each process of each run."""
    import compileall

    for package in ("crawler", "pipelines"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.load_client:
        load_client()
        return 0
    become_subreaper()
    compile_project()
    cpus, server_cpus = usable_cpus(args.cores)
    os.sched_setaffinity(0, server_cpus)  # before the server thread starts: it inherits this
    print(
        f"crawlers on cores {sorted(cpus)}, server on {sorted(server_cpus)}; CONCURRENT_REQUESTS="
        f"{args.concurrency}; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    with scratch_dir("bench-crawl-", args.keep) as work:
        runs = [run for n in ([20] if args.smoke else args.posts) for run in bench_one(n, args, cpus, work)]
        print_table(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
