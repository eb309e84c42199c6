"""Archive commands that need no network: ``reextract`` (and later ``changes``, ``export``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from crawler.cli import fail


def register(sub: argparse._SubParsersAction) -> None:
    reextract = sub.add_parser(
        "reextract",
        help="rebuild articles.jsonl from raw WARC captures, offline, in parallel",
        description="Re-run extraction over raw captures (OUTPUT/raw/*.warc.gz) into a new archive: "
        "no network, the crawl's own decisions (sites, canonical URLs, listing pages, --since), "
        "fetched_at from the WARC-Date. With the same code the records equal the crawl's.",
    )
    reextract.set_defaults(func=cmd_reextract)
    reextract.add_argument(
        "warcs", nargs="+", type=Path, metavar="FILE.warc.gz", help="WARC files, any order"
    )
    reextract.add_argument("-o", "--output", type=Path, required=True, help="directory for the new archive")
    reextract.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: %(default)s)"
    )


def cmd_reextract(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from crawler.reextract import reextract
    from pipelines.archive import ARTICLES, ArchiveError

    missing = [str(p) for p in args.warcs if not p.is_file()]
    if missing:
        return fail(f"no such WARC file: {', '.join(missing)}")
    if args.jobs < 1:
        return fail("--jobs must be at least 1")
    if (args.output / ARTICLES).exists():
        return fail(f"{args.output / ARTICLES} exists; re-extract into an empty directory")
    files = sorted(args.warcs, key=lambda p: p.name)  # crawl ids start with their UTC start time
    total = sum(p.stat().st_size for p in files)
    columns = (TextColumn("re-extracting"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("warc", total=total)
            stats = reextract(files, args.output, jobs=args.jobs, progress=lambda n: bar.advance(task, n))
    except ArchiveError as exc:
        return fail(str(exc), 1)
    counts = stats.counts
    written = counts.get("articles/new", 0) + counts.get("articles/changed", 0)
    errors = sum(v for k, v in counts.items() if k.startswith("error/"))
    print(
        f"Re-extracted {len(files)} WARC file(s): {stats.captures} responses, {stats.pages} HTML pages; "
        f"{written} article versions written, {counts.get('not_article', 0)} pages were not articles, "
        f"{errors} errors.\nArchive: {args.output / ARTICLES}"
    )
    return 0
