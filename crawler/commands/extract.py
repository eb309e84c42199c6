"""``clinic-archive extract`` and ``clinic-archive validate``: offline, one file at a time."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.commands.common import fail


def register(sub: argparse._SubParsersAction) -> None:
    extract = sub.add_parser(
        "extract",
        help="extract one saved HTML page into a record (JSON on stdout, no network)",
        description="Run the same extraction the crawler runs on a saved page and print the record.",
    )
    extract.set_defaults(func=cmd_extract)
    extract.add_argument("file", type=Path, metavar="FILE.html")
    extract.add_argument("--url", required=True, help="the page's URL (for canonical URL, site and links)")
    extract.add_argument("--force", action="store_true", help="extract even if the page is not an article")
    extract.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")

    validate = sub.add_parser(
        "validate",
        help="check every line of a JSONL archive against the record schema",
        description="Checks each line against the published JSON Schema (clinic-archive/article@1); "
        "prints the line number and problems of each bad line; exits 1 if any line is bad.",
    )
    validate.set_defaults(func=cmd_validate)
    validate.add_argument("file", type=Path, metavar="FILE.jsonl")


def cmd_extract(args: argparse.Namespace) -> int:
    from pipelines.archive import article_record
    from pipelines.extract import extract_article
    from pipelines.record import Article, NotArticle, clean_url, utc_now

    if not clean_url(args.url):
        return fail(f"--url must be an http(s) URL, got {args.url!r}")
    try:
        body = args.file.read_bytes()
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}")
    result = extract_article(body, args.url, fetched_at=utc_now(), assume_article=args.force)
    if isinstance(result, NotArticle):
        return fail(f"not an article: {result.reason} (use --force to extract it anyway)", 1)
    if not isinstance(result, Article):
        return fail(f"{result.error}: {result.message}", 1)
    record = article_record(result, version=1, crawl_id="offline")
    print(json.dumps(record, ensure_ascii=False, indent=args.indent))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipelines.archive import BadLine, validate_file

    if not args.file.exists():
        return fail(f"no such file: {args.file}")
    bad = 0
    total = 0
    for result in validate_file(args.file):
        if isinstance(result, BadLine):
            bad += 1
            for problem in result.problems:
                print(f"{args.file}:{result.line}: {problem}")
        else:
            total = result
    print(f"{total} lines checked, {bad} bad", file=sys.stderr)
    return 1 if bad else 0
