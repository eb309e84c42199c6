"""``clinic-archive report`` and ``clinic-archive duplicates``: the competitor audit, offline."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from crawler.commands.common import fail, os_error_status
from crawler.commands.options import iso_day


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="competitor audit of an archive: one self-contained HTML page (or JSON/CSV)",
        description="Per site and side by side: posts per month, topics, word counts, authors and "
        "credentials, references and identifiers, most cited journals, citation problems, newest posts, "
        "and clusters of near-identical posts across and within sites. Uses the newest version of each "
        "post; the archive is streamed, so large archives need little memory.",
    )
    report.set_defaults(func=cmd_report)
    add_scope_options(report)
    report.add_argument(
        "--format",
        choices=("html", "json", "csv"),
        default="html",
        help="output format (default: %(default)s)",
    )
    report.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write ('-' for stdout; default: report.html next to the archive for html, stdout "
        "for json and csv)",
    )

    duplicates = sub.add_parser(
        "duplicates",
        help="near-duplicate cluster of every post (JSON Lines)",
        description="One JSON line per post (newest version): id, site, url, title, published, and the id "
        "of its near-duplicate cluster (null if it has none), so the clusters can be joined to the archive.",
    )
    duplicates.set_defaults(func=cmd_duplicates)
    add_scope_options(duplicates)
    duplicates.add_argument("--clustered-only", action="store_true", help="only posts that are in a cluster")
    duplicates.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="output file (default: stdout)"
    )


# pipelines.report.DEFAULT_THRESHOLD, written out so that building the command line does not
# import the report's libraries (~1 s of every command); tests/report/test_report_cli.py checks they agree.
DEFAULT_THRESHOLD = 0.8


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "archive", type=Path, metavar="OUTPUT", help="archive directory or its articles.jsonl"
    )
    parser.add_argument("--sites", metavar="A,B", help="only these sites, comma-separated (e.g. a.com,b.com)")
    parser.add_argument(
        "--since", type=iso_day, metavar="DATE", help="only posts published on or after DATE (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="J",
        help="near-duplicate similarity threshold: estimated Jaccard similarity of the posts' 5-word "
        "shingles, 0-1 (default: %(default)s)",
    )


def read_scope(args: argparse.Namespace) -> tuple[Path, list[str] | None, date | None] | str:
    """The archive file, sites and since date of the arguments, or an error message."""
    from pipelines.report import DEFAULT_THRESHOLD as REPORT_THRESHOLD
    from pipelines.report import archive_file

    assert DEFAULT_THRESHOLD == REPORT_THRESHOLD, "crawler/commands/report.py: update DEFAULT_THRESHOLD"

    path = archive_file(args.archive)
    if not path.is_file() or path.suffix != ".jsonl":
        return f"no archive at {path} (give the output directory of a crawl or its articles.jsonl)"
    if not 0 < args.threshold <= 1:
        return f"--threshold must be between 0 and 1, got {args.threshold}"
    since = date.fromisoformat(args.since) if args.since else None
    sites = [s.strip() for s in args.sites.split(",") if s.strip()] if args.sites else None
    return path, sites, since


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines.report import build_report, render

    scope = read_scope(args)
    if isinstance(scope, str):
        return fail(scope)
    path, sites, since = scope
    started = time.monotonic()
    report = build_report(path, sites, since, args.threshold)
    for site in report.missing_sites:
        print(f"clinic-archive: warning: no posts of {site} in {path}", file=sys.stderr)
    output = args.output or (str(path.parent / "report.html") if args.format == "html" else "-")
    try:
        write_text(output, render(report, args.format))
    except BrokenPipeError:  # the reader of standard output went away: crawler/cli.py
        raise
    except OSError as exc:
        return fail(f"cannot write {output}: {exc.strerror}", os_error_status(exc))
    where = "stdout" if output == "-" else output
    print(
        f"Report: {where} ({plural(report.posts, 'post')} from {plural(len(report.sites), 'site')}, "
        f"{plural(len(report.clusters), 'near-duplicate cluster')}; {time.monotonic() - started:.1f} s)",
        file=sys.stderr,
    )
    return 0


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def cmd_duplicates(args: argparse.Namespace) -> int:
    from pipelines.report import Signer, cluster_rows, scan_archive

    scope = read_scope(args)
    if isinstance(scope, str):
        return fail(scope)
    path, sites, since = scope
    scan = scan_archive(path, sites, since, Signer())
    rows = cluster_rows(scan, args.threshold, clustered_only=args.clustered_only)
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    try:
        write_text(args.output, lines)
    except BrokenPipeError:  # the reader of standard output went away: crawler/cli.py
        raise
    except OSError as exc:
        return fail(f"cannot write {args.output}: {exc.strerror}", os_error_status(exc))
    return 0


def write_text(output: str, text: str | Iterable[str]) -> None:
    """Write to stdout ('-') or replace the file in one step, so a reader never sees half a report."""
    chunks = [text] if isinstance(text, str) else text
    if output == "-":
        sys.stdout.writelines(chunks)
        return
    from pipelines.archive import write_replacing

    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_replacing(target, (chunk.encode("utf-8") for chunk in chunks))
