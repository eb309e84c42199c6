"""Article-body quality and speed of ``extract_article`` next to bare trafilatura.

    python bench/extraction.py                  # all 181 pages of the shared benchmark
    python bench/extraction.py --limit 10       # CI smoke run
    python bench/extraction.py --worst 15       # also list the pages where we lose most F1
    python bench/extraction.py --dump DIR       # write each extractor's text per page, for diffing

Data: Zyte's article-extraction-benchmark (github.com/scrapinghub/article-extraction-benchmark),
``html/<id>.html.gz`` and ``ground-truth.json`` (``{id: {"articleBody", "url"}}``).

The metric is upstream's ``evaluate.py``, re-implemented here without its bootstrap:

- tokens are ``\\w+`` runs (Unicode, case kept: upstream's ``re.IGNORECASE`` does not fold case);
- shingles are word 4-grams, counted as a multiset; a text of fewer than 4 tokens is one shingle;
- per page, true positives / false positives / false negatives are the overlap, the extra and
  the missing shingle counts, normalised by their sum so that long pages weigh no more than short;
- precision is averaged over the pages with a non-empty prediction (an empty prediction is left
  out of precision and scores 0 recall), recall over the pages with a non-empty ground truth;
- F1 is the harmonic mean of those two averages (not the mean of per-page F1s).

Speed is pages per second of the extraction call alone (HTML already read and decompressed),
one process, the extractors interleaved page by page so that machine load affects both alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from pipelines.extract import extract_article  # noqa: E402
from pipelines.record import Article  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
TARGET_F1 = 0.970
TARGET_SPEED_RATIO = 0.8  # ours must run at >= 0.8x the pages/s of bare trafilatura
SHINGLE = 4
TOKEN = re.compile(r"\w+")

Extractor = Callable[[str, str], str]


def ours(html: str, url: str) -> str:
    result = extract_article(html, url, assume_article=True)
    return result.text if isinstance(result, Article) else ""


def bare_trafilatura(html: str, url: str) -> str:
    return trafilatura.extract(html, include_comments=False) or ""


EXTRACTORS: dict[str, Extractor] = {"clinic-archive": ours, "trafilatura": bare_trafilatura}


# --- the metric ------------------------------------------------------------------------------


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle overlap of one page, normalised to sum to 1 (or all zero when both are empty)."""
    gold, got = shingles(true), shingles(pred)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarise(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """Precision averaged over predicted pages, recall over gold pages, F1 of the two averages."""
    p = statistics.mean([precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def page_f1(counts: tuple[float, float, float]) -> float:
    p, r = precision(*counts), recall(*counts)
    return 2 * p * r / (p + r) if p + r else 0.0


# --- running ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    seconds: float = 0.0
    counts: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def load_pages(data: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """(id, url, html, gold text) for each page, in a stable order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(data / "html" / f"{key}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        pages.append((key, truth[key]["url"], html, truth[key].get("articleBody") or ""))
    return pages


def run(pages: list[tuple[str, str, str, str]]) -> dict[str, Run]:
    runs = {name: Run() for name in EXTRACTORS}
    for extractor in EXTRACTORS.values():  # warm-up: imports, lazy caches, compiled regexes
        extractor(pages[0][2], pages[0][1])
    for key, url, html, gold in pages:
        for name, extractor in EXTRACTORS.items():
            start = time.perf_counter()
            text = extractor(html, url)
            runs[name].seconds += time.perf_counter() - start
            runs[name].texts[key] = text
            runs[name].counts[key] = tp_fp_fn(gold, text)
    return runs


def print_table(runs: dict[str, Run], n_pages: int, limited: bool) -> None:
    speeds = {name: n_pages / r.seconds if r.seconds else float("inf") for name, r in runs.items()}
    baseline = speeds["trafilatura"]
    print(f"{n_pages} pages")
    print(f"{'extractor':<16} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8} {'vs bare':>8}")
    for name, r in runs.items():
        p, rc, f1 = summarise(list(r.counts.values()))
        ratio = speeds[name] / baseline if baseline else 0.0
        print(f"{name:<16} {p:>9.3f} {rc:>7.3f} {f1:>7.3f} {speeds[name]:>8.1f} {ratio:>7.2f}x")
    p, rc, f1 = summarise(list(runs["clinic-archive"].counts.values()))
    ratio = speeds["clinic-archive"] / baseline if baseline else 0.0
    print(
        f"target: F1 >= {TARGET_F1:.3f} ({'met' if f1 >= TARGET_F1 else 'NOT met'}), "
        f"speed >= {TARGET_SPEED_RATIO:.1f}x bare ({'met' if ratio >= TARGET_SPEED_RATIO else 'NOT met'})"
        + (" [targets are for the full set; this run used part of it]" if limited else "")
    )


def print_worst(runs: dict[str, Run], pages: list[tuple[str, str, str, str]], n: int) -> None:
    """The pages where we trail bare trafilatura most, then the ones we score lowest on."""
    ours_counts, bare_counts = runs["clinic-archive"].counts, runs["trafilatura"].counts
    rows = []
    for key, url, _, _ in pages:
        c = ours_counts[key]
        rows.append((page_f1(c) - page_f1(bare_counts[key]), key, url, precision(*c), recall(*c)))
    print(f"\n{'delta F1':>8} {'P':>5} {'R':>5}  page")
    for delta, key, url, p, r in sorted(rows)[:n]:
        print(f"{delta:>+8.3f} {p:>5.2f} {r:>5.2f}  {key[:12]} {url[:90]}")
    print(f"\n{'F1':>8} {'P':>5} {'R':>5}  page (lowest)")
    for _, key, url, p, r in sorted(rows, key=lambda row: page_f1(ours_counts[row[1]]))[:n]:
        print(f"{page_f1(ours_counts[key]):>8.3f} {p:>5.2f} {r:>5.2f}  {key[:12]} {url[:90]}")


def dump(runs: dict[str, Run], pages: list[tuple[str, str, str, str]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for key, _, _, gold in pages:
        (out / f"{key[:12]}.gold.txt").write_text(gold, encoding="utf-8")
        for name, r in runs.items():
            (out / f"{key[:12]}.{name}.txt").write_text(r.texts[key], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark directory")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages where we lose most")
    parser.add_argument("--dump", type=Path, default=None, help="write extracted texts to this directory")
    args = parser.parse_args(argv)

    pages = load_pages(args.data, args.limit)
    if not pages:
        print(f"no pages found in {args.data}", file=sys.stderr)
        return 1
    runs = run(pages)
    partial = args.limit is not None or args.data.resolve() != DEFAULT_DATA.resolve()
    print_table(runs, len(pages), limited=partial)
    if args.worst:
        print_worst(runs, pages, args.worst)
    if args.dump:
        dump(runs, pages, args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
