"""Time ``clinic-archive report`` on a synthetic archive and print records/s and peak memory.

    python bench/report.py                    # 100,000 records (the target: under a minute)
    python bench/report.py --records 2000     # CI smoke run
    python bench/report.py --keep /tmp/big    # keep the archive to look at the report

The archive is made up but shaped like real crawls: 40 clinic sites, posts of 80 to 3,000
words (median about 600), 0-12 references each with journals and identifiers, citation
markers (a few without entries), 3% of lines being later versions of earlier posts and 5%
of posts being syndicated copies of 200 ghost-written articles with the clinic's name put in.

Each command runs in its own process, as a user runs it; its peak RSS comes from wait4().
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SITES = 40
GHOST_ARTICLES = 200
SYNDICATED_SHARE = 0.05
NEW_VERSION_SHARE = 0.03
JOURNALS = [
    "BMJ", "Lancet", "JAMA", "N Engl J Med", "Br J Sports Med", "J Orthop Sports Phys Ther",
    "Cochrane Database Syst Rev", "Spine", "Pain", "Phys Ther", "Arch Phys Med Rehabil",
    "Am J Sports Med", "J Bone Miner Res", "Age Ageing", "J Am Dent Assoc", "Man Ther",
]  # fmt: skip
CATEGORIES = [f"Topic {i}" for i in range(30)]
TAGS = [f"tag-{i}" for i in range(60)]
CREDENTIALS = [["PT", "DPT"], ["DC"], ["MScPT"], ["DDS"], ["MD"], []]


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """Pseudo-words with Zipf-like frequencies, so texts share common words as real ones do."""
    letters = "abcdefghiklmnoprstuvwy"
    words = sorted({"".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(size)})
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


class Generator:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.words, self.weights = vocabulary(self.rng)
        self.sites = [f"clinic-{i:02d}.example" for i in range(SITES)]
        self.authors = {
            site: [(f"Author {i}-{j}", self.rng.choice(CREDENTIALS)) for j in range(4)]
            for i, site in enumerate(self.sites)
        }
        self.ghosts = [self.text(self.length()) for _ in range(GHOST_ARTICLES)]

    def length(self) -> int:
        return max(80, min(3000, int(self.rng.lognormvariate(6.4, 0.5))))

    def text(self, words: int) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.weights, k=words)
        paragraphs = [" ".join(chosen[i : i + 60]) + "." for i in range(0, words, 60)]
        return "\n\n".join(paragraphs)

    def references(self) -> tuple[list[dict], list[dict], list[int]]:
        rng = self.rng
        refs = []
        for n in range(1, rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 6, 8, 10, 12]) + 1):
            doi = f"10.{rng.randint(1000, 9999)}/x{rng.randint(1, 10**6)}" if rng.random() < 0.5 else None
            refs.append(
                {
                    "n": n,
                    "raw": f"Author A. Title {n}. Journal. 2020.",
                    "authors": ["Author A"],
                    "title": f"Title {n}",
                    "container": rng.choice(JOURNALS) if rng.random() < 0.9 else None,
                    "year": rng.randint(1995, 2025),
                    "volume": "1",
                    "issue": None,
                    "pages": "1-9",
                    "doi": doi,
                    "pmid": str(rng.randint(10**6, 10**8)) if rng.random() < 0.3 else None,
                    "pmcid": f"PMC{rng.randint(10**5, 10**7)}" if rng.random() < 0.1 else None,
                    "url": None,
                    "style": "vancouver",
                }
            )
        cited = [r["n"] for r in refs if rng.random() < 0.9]
        citations = [
            {"marker": f"({n})", "ref": n, "sentence": "A claim.", "contradiction": None} for n in cited
        ]
        if refs and rng.random() < 0.1:
            citations.append({"marker": "(99)", "ref": None, "sentence": "A claim.", "contradiction": None})
        unused = [r["n"] for r in refs if r["n"] not in cited]
        return refs, citations, unused

    def record(self, number: int, site: str, version: int = 1) -> dict:
        rng = self.rng
        url = f"https://{site}/blog/post-{number}/"
        if rng.random() < SYNDICATED_SHARE:
            text = rng.choice(self.ghosts).replace(".", f" at {site}.", 1)
        else:
            text = self.text(self.length())
        refs, citations, unused = self.references()
        name, creds = rng.choice(self.authors[site])
        published = f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return {
            "schema": "clinic-archive/article@1",
            "id": hashlib.sha256(url.encode()).hexdigest()[:16],
            "version": version,
            "url": url,
            "canonical_url": url,
            "site": site,
            "site_name": f"Clinic {site[7:9]}",
            "title": " ".join(rng.choices(self.words[:500], k=6)).title(),
            "authors": [{"name": name, "credentials": creds}] if rng.random() < 0.85 else [],
            "published": published if rng.random() < 0.95 else None,
            "modified": None,
            "language": "en",
            "categories": rng.sample(CATEGORIES, rng.randint(0, 3)),
            "tags": rng.sample(TAGS, rng.randint(0, 5)),
            "summary": None,
            "text": text,
            "word_count": len(text.split()),
            "references": refs,
            "citations": citations,
            "unused_references": unused,
            "content_hash": "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
            "fetched_at": "2026-01-01T00:00:00Z",
            "http": {"status": 200, "etag": None, "last_modified": None},
            "raw": None,
            "crawl": {"id": "bench", "tool": "bench"},
        }


def write_archive(path: Path, records: int, seed: int = 7) -> None:
    """``records`` lines; a few are new versions of posts written earlier (same URL, new text)."""
    gen = Generator(seed)
    rng = random.Random(seed + 1)
    sites: list[str] = []  # site of each post number, to write a later version of it
    with path.open("w", encoding="utf-8") as f:
        for _ in range(records):
            if sites and rng.random() < NEW_VERSION_SHARE:
                earlier = rng.randrange(len(sites))
                record = gen.record(earlier, sites[earlier], version=2)
            else:
                sites.append(rng.choice(gen.sites))
                record = gen.record(len(sites) - 1, sites[-1])
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(args: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (with its worker processes), peak RSS in MiB and exit status of
    one command in a child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode and proc.stderr:
        sys.stderr.write(proc.stderr.read().decode())
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000, help="archive lines (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="write the archive and report here and keep them")
    args = parser.parse_args(argv)

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="clinic-report-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    archive = workdir / "articles.jsonl"
    try:
        started = time.perf_counter()
        write_archive(archive, args.records)
        generated = time.perf_counter() - started
        size = archive.stat().st_size / 2**20
        print(
            f"synthetic archive: {args.records:,} records, {size:,.0f} MiB, {SITES} sites ({generated:.1f} s)"
        )
        cli = [sys.executable, "-m", "crawler.cli"]
        steps = [
            ("report (html)", [*cli, "report", str(workdir), "-o", str(workdir / "report.html")]),
            (
                "report --format json",
                [*cli, "report", str(workdir), "--format", "json", "-o", str(workdir / "r.json")],
            ),
            ("duplicates", [*cli, "duplicates", str(workdir), "-o", str(workdir / "duplicates.jsonl")]),
        ]
        print(f"{'command':<24}{'seconds':>9}{'records/s':>12}{'CPU s':>8}{'peak RSS':>12}")
        failed = 0
        for name, command in steps:
            seconds, cpu, rss, code = run(command)
            failed |= code
            print(f"{name:<24}{seconds:>9.1f}{args.records / seconds:>12,.0f}{cpu:>8.1f}{rss:>8,.0f} MiB")
        load = os.getloadavg()[0]
        print(f"{os.cpu_count()} CPUs; load average {load:.1f} (other work on the machine slows the runs)")
        return 1 if failed else 0
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
