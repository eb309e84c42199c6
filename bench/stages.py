"""Where ``build_article``'s time goes, stage by stage, on the synthetic posts of bench/crawl.py.

    python bench/stages.py                 # 200 posts, 3 rounds
    python bench/stages.py --posts 50 --rounds 1
    python bench/stages.py --smoke         # 10 posts, 1 round: what CI runs, no timing

Each stage function that ``pipelines.extract.article`` calls is wrapped (in this process only) to add up
its CPU time; "total" is ``build_article`` from start to end, and "rest" what no stage accounts
for (building the record, hashing). The same pages are also given to bare
``trafilatura.extract(html, with_metadata=True, output_format="json")`` in the same process,
alternating with ours, for the ratio the crawl benchmark's baseline pays per page. The stages
do not overlap (each is called by ``_extract`` itself); ``main_text_lines`` includes
trafilatura's own part.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _synthetic_site import build_site

import pipelines.extract.article as extract
from pipelines.record import Page

# Names pipelines.extract.article calls, in the order _extract calls them
STAGES = (
    "_load_html",
    "detect_profiles",
    "read_metadata",
    "classify",
    "find_reference_blocks",
    "parse_entries",
    "remove_elements",
    "bracket_superscripts",
    "prune_chrome",
    "main_text_lines",
    "_split_trailing_references",
    "choose_title",
    "drop_title_lines",
    "join_paragraphs",
    "word_count",
    "to_markdown",
    "link_citations",
    "check_references",
    "choose_canonical",
)


def timed(spent: Counter[str], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return wrapper


def synthetic_pages(n: int, seed: int) -> list[Page]:
    site = build_site("http://127.0.0.1:1", n, seed)
    pages = []
    for path in site.post_paths[:n]:
        html = b"".join(site.routes[path][1]).decode("utf-8")
        url = site.base + path
        pages.append(Page(url=url, final_url=url, status=200, html=html, fetched_at="2026-01-01T00:00:00Z"))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200, metavar="N")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="10 posts, 1 round, for CI: does it still work")
    args = parser.parse_args(argv)
    if args.smoke:
        args.posts, args.rounds = 10, 1
    from trafilatura import extract as bare

    pages = synthetic_pages(args.posts, args.seed)
    for page in pages[:5]:  # warm up: imports, caches, compiled patterns
        extract.build_article(page)
        bare(page.html, url=page.url, with_metadata=True, output_format="json")
    spent: Counter[str] = Counter()
    for name in STAGES:
        setattr(extract, name, timed(spent, name, getattr(extract, name)))
    ours = theirs = 0.0
    for _ in range(args.rounds):
        for page in pages:
            started = time.process_time()
            extract.build_article(page)
            ours += time.process_time() - started
            started = time.process_time()
            bare(page.html, url=page.url, with_metadata=True, output_format="json")
            theirs += time.process_time() - started
    count = len(pages) * args.rounds
    print(f"{len(pages)} synthetic posts x {args.rounds} round(s), CPU ms per post, one process\n")
    print("| stage | ms/post |")
    print("|---|---:|")
    print(f"| build_article (total) | {ours / count * 1000:.3f} |")
    for name, seconds in spent.most_common():
        print(f"| {name} | {seconds / count * 1000:.3f} |")
    rest = ours - sum(spent.values())
    print(f"| rest | {rest / count * 1000:.3f} |")
    print(f"| trafilatura.extract (bare, with metadata) | {theirs / count * 1000:.3f} |")
    print(f"\nbuild_article / bare trafilatura.extract: {ours / theirs:.2f}x the CPU per post")
    return 0


if __name__ == "__main__":
    sys.exit(main())
