"""How often the article classifier keeps a real article, and how often it calls a non-article one.

    python bench/classifier.py             # the shared page sets (../shared/benchmarks) and the fixture sites
    python bench/classifier.py --smoke     # CI: the fixture sites and tests/fixtures/article-extraction

Each page goes through ``extract_article(html, url)`` exactly as a crawl calls it for a page it
fetched, with no discovery context (the sets hold pages, not sites). A page is "kept" when it
comes back as an ``Article``; a ``NotArticle`` (or an error) drops it.

- Zyte's article-extraction set: every page is an article: recall only.
- Mozilla Readability's test pages: ``readerable`` in each page's expected metadata is the label
  (true: an article); recall over the true ones, precision of "article" over all.
- The fixture sites under ``tests/fixtures/sites``: each site's ``_expected.json`` lists its
  articles and its non-articles (home, about, services, contact...).

Targets (issue 18): recall >= 0.99 on both shared sets; precision >= 0.95 on the readability
pages and on the fixture sites. The dropped articles' reasons are counted, so a fix can aim at
the commonest. Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.golden import SHARED, _readability_meta, _text, readability_pages, zyte_pages  # noqa: E402
from pipelines.extract import extract_article  # noqa: E402
from pipelines.record import Article, NotArticle  # noqa: E402

TARGET_RECALL = 0.99
TARGET_PRECISION = 0.95
SITES = ROOT / "tests" / "fixtures" / "sites"

Labelled = tuple[str, str, str, bool]  # (key, url, html, is an article)


def fixture_pages() -> Iterator[Labelled]:
    for site in sorted(p for p in SITES.iterdir() if (p / "_expected.json").exists()):
        expected = json.loads((site / "_expected.json").read_text("utf-8"))
        labels = {a["path"]: True for a in expected.get("articles", [])}
        labels |= {path: False for path in expected.get("non_articles", [])}
        for path, is_article in sorted(labels.items()):
            page = (
                site / path.strip("/") / "index.html"
                if path.endswith("/")
                else site / f"{path.strip('/')}.html"
            )
            if page.exists():
                yield f"{site.name}{path}", f"https://{site.name}.example{path}", _text(page), is_article


def page_sets(smoke: bool) -> dict[str, list[Labelled]]:
    sets: dict[str, list[Labelled]] = {}
    if smoke:
        data = ROOT / "tests" / "fixtures" / "article-extraction"
        sets["article-extraction (sample)"] = [(k, u, h, True) for k, u, h in zyte_pages(data)]
    else:
        sets["article-extraction"] = [(k, u, h, True) for k, u, h in zyte_pages()]
        meta = _readability_meta()
        sets["readability"] = [
            (k, u, h, bool(meta.get(k, {}).get("readerable", True))) for k, u, h in readability_pages()
        ]
    sets["fixture sites"] = list(fixture_pages())
    return {name: pages for name, pages in sets.items() if pages}


def judge(pages: list[Labelled]) -> tuple[dict[str, int], Counter[str]]:
    counts = Counter()
    reasons: Counter[str] = Counter()
    for _key, url, html, is_article in pages:
        result = extract_article(html, url)
        kept = isinstance(result, Article)
        counts["articles" if is_article else "others"] += 1
        counts[f"{'articles' if is_article else 'others'} kept"] += kept
        if is_article and not kept:
            reason = result.reason if isinstance(result, NotArticle) else f"error: {result.error}"
            reasons[reason.split(",")[0]] += 1
    return dict(counts), reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="fixture pages only: what CI runs")
    args = parser.parse_args(argv)
    print("| page set | articles | kept (recall) | non-articles | called articles | precision |")
    print("|---|---:|---:|---:|---:|---:|")
    all_reasons: Counter[str] = Counter()
    for name, pages in page_sets(args.smoke).items():
        counts, reasons = judge(pages)
        all_reasons += reasons
        articles, kept = counts.get("articles", 0), counts.get("articles kept", 0)
        others, wrong = counts.get("others", 0), counts.get("others kept", 0)
        recall = kept / articles if articles else float("nan")
        precision = kept / (kept + wrong) if kept + wrong else float("nan")
        print(f"| {name} | {articles} | {kept} ({recall:.3f}) | {others} | {wrong} | {precision:.3f} |")
    print(f"\ntargets: recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION}")
    print("\nwhy real articles were dropped (first clause of the reason):")
    for reason, n in all_reasons.most_common(8):
        print(f"  {n:4d}  {reason}")
    if not SHARED.exists() and not args.smoke:
        print("\n(../shared/benchmarks is not here: only the fixture sites were measured)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
