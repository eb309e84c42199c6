"""Archive commands that need no network: ``reextract``, ``changes``, ``export``, ``merge``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.commands.common import fail, open_files_problem, os_error_status
from crawler.commands.options import at_least, iso_day
from pipelines.extract import DEFAULT_EXTRACT_TIMEOUT, usable_cpus


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
        "-j",
        "--jobs",
        type=at_least(1),
        default=usable_cpus(),
        help="worker processes (default: the CPUs this process may use, %(default)s here)",
    )
    reextract.add_argument(
        "--extract-timeout",
        type=at_least(0, float),
        default=DEFAULT_EXTRACT_TIMEOUT,
        metavar="SECONDS",
        help="CPU seconds a page may take before it is given up as extract_timeout, as the crawl's "
        "CLINIC_EXTRACT_TIMEOUT (default: %(default)g; 0: no limit)",
    )

    changes = sub.add_parser(
        "changes",
        help="new, changed and removed articles per site, since a date or the last crawl",
        description="Lists what the most recent crawl found new, changed (with a short text diff "
        "summary) and removed, per site; or, with --since, everything that changed since a date.",
    )
    changes.set_defaults(func=cmd_changes)
    changes.add_argument("output", type=Path, metavar="OUTPUT", help="an archive directory")
    changes.add_argument(
        "--since", type=iso_day, metavar="DATE", help="changes fetched on or after DATE (YYYY-MM-DD)"
    )
    changes.add_argument("--format", choices=("text", "json"), default="text", help="default: %(default)s")

    from pipelines.export import FORMATS

    export = sub.add_parser(
        "export",
        help="write the archive for other tools: JSONL, references for reference managers, tables",
        description="Writes the archive's articles in one format. jsonl copies articles.jsonl lines "
        "(with --latest one line per article, its newest version; removed articles left out unless "
        "--include-removed). csl-json, ris and bibtex hold the references of each article's newest "
        "version, one entry per work (by DOI, PMID or the string as printed), noting the posts that "
        "cite it. parquet and csv write an articles table (one row per version) and a references "
        "table (keyed by article id and version) into a directory.",
        epilog="formats: " + "; ".join(f"{name}: {what}" for name, what in FORMATS.items()),
    )
    export.set_defaults(func=cmd_export)
    export.add_argument("output", type=Path, metavar="OUTPUT", help="an archive directory")
    export.add_argument(
        "--format", choices=tuple(FORMATS), default="jsonl", help="what to write (default: %(default)s)"
    )
    export.add_argument("--latest", action="store_true", help="only the newest version of each article")
    export.add_argument(
        "--site",
        action="append",
        default=[],
        metavar="SITE",
        help="only this site's articles (its host, as in the records' site, or a URL on it; repeatable)",
    )
    export.add_argument(
        "--since",
        type=iso_day,
        metavar="DATE",
        help="only articles published on or after DATE (YYYY-MM-DD); articles with no date are left out",
    )
    export.add_argument("--include-removed", action="store_true", help="keep tombstones of removed articles")
    export.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="PATH",
        help="the file to write (- for standard output), or the directory for parquet and csv",
    )

    merge = sub.add_parser(
        "merge",
        help="combine archive shards (one per worker, or whole archives) into one archive",
        description="Reads articles[-<worker>].jsonl, errors and crawls files of each DIR and writes one "
        "archive: de-duplicated by (id, content_hash), each article's history ordered by fetch time and "
        "its versions renumbered; raw WARC files are linked alongside so raw pointers still resolve.",
    )
    merge.set_defaults(func=cmd_merge)
    merge.add_argument("inputs", nargs="+", type=Path, metavar="DIR", help="archive or shard directories")
    merge.add_argument("-o", "--output", type=Path, required=True, help="directory for the merged archive")


def cmd_merge(args: argparse.Namespace) -> int:
    from pipelines.archive import ARTICLES, merge_archives, shard_files

    missing = [str(d) for d in args.inputs if not shard_files(d, "articles")]
    if missing:
        return fail(f"no articles*.jsonl in {', '.join(missing)}")
    if any(d.resolve() == args.output.resolve() for d in args.inputs):
        return fail("--output must not be one of the inputs")
    if (args.output / ARTICLES).exists():
        return fail(f"{args.output / ARTICLES} exists; merge into an empty directory")
    try:
        stats = merge_archives(args.inputs, args.output)
    except ValueError as exc:
        return fail(str(exc), 1)
    print(
        f"Merged {stats.shards} shard file(s): {stats.lines_read} lines read, {stats.lines_written} written "
        f"({stats.duplicates_dropped} duplicates dropped) for {stats.articles} articles; "
        f"{stats.errors} error lines, {stats.crawls} crawl summaries, {stats.warcs} WARC files.\n"
        f"Archive: {args.output / ARTICLES}"
    )
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    import json

    from pipelines.archive import ARTICLES, find_changes, format_changes

    if not (args.output / ARTICLES).exists():
        return fail(f"no archive in {args.output} (expected {args.output / ARTICLES})")
    changes = find_changes(args.output, args.since)
    if args.format == "json":
        print(json.dumps(changes.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_changes(changes))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipelines.export import ExportError, Selection, export_archive
    from pipelines.record import site_key

    sites = frozenset(site_key(s) if "://" in s else s.lower().removeprefix("www.") for s in args.site)
    select = Selection(sites, args.since)
    try:
        written = export_archive(
            args.output, args.format, args.out, args.latest, args.include_removed, select
        )
    except ExportError as exc:
        return fail(str(exc))
    print(f"{written} written to {'standard output' if str(args.out) == '-' else args.out}", file=sys.stderr)
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from crawler.reextract import order_warcs, reextract
    from pipelines.archive import ARTICLES, ArchiveError
    from pipelines.extract import ExtractConfig

    if problem := open_files_problem():  # its extraction workers need pipes and files
        return fail(problem, 1)
    if folders := [str(p) for p in args.warcs if p.is_dir()]:
        return fail(f"{', '.join(folders)} is a directory: give its WARC files (DIR/raw/*.warc.gz)")
    missing = [str(p) for p in args.warcs if not p.is_file()]
    if missing:
        return fail(f"no such WARC file (missing): {', '.join(missing)}")
    if (args.output / ARTICLES).exists():
        return fail(f"{args.output / ARTICLES} exists; re-extract into an empty directory")
    files = order_warcs(args.warcs)
    total = sum(p.stat().st_size for p in files)
    columns = (TextColumn("re-extracting"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task("warc", total=total)
            stats = reextract(
                files,
                args.output,
                jobs=args.jobs,
                config=ExtractConfig(timeout=args.extract_timeout or None),
                progress=lambda n: bar.advance(task, n),
            )
    except ArchiveError as exc:
        return fail(str(exc), os_error_status(exc))
    counts = stats.counts
    written = counts.get("articles/new", 0) + counts.get("articles/changed", 0)
    errors = sum(v for k, v in counts.items() if k.startswith("error/"))
    too_large = counts.get("too_large", 0)
    print(
        f"Re-extracted {len(files)} WARC file(s): {stats.captures} responses, {stats.pages} HTML pages; "
        f"{written} article versions written, {counts.get('not_article', 0)} pages were not articles, "
        f"{errors} errors"
        + (f", {too_large} bodies over the crawl's size limit not read" if too_large else "")
        + f".\nArchive: {args.output / ARTICLES}"
    )
    for region in stats.damage:
        print(f"clinic-archive: warning: {region.describe()}", file=sys.stderr)
    if stats.damage:
        return fail(
            f"{stats.captures} records read, {len(stats.damage)} damaged region(s) skipped; "
            "the records before and after each were re-extracted",
            1,
        )
    return 0
