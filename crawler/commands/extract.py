"""``clinic-archive extract`` and ``clinic-archive validate``: offline, one file at a time."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.commands.common import fail, os_error_status


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
        help="check an archive's JSONL files (or one file) against their JSON Schemas",
        description="Checks each line against its published JSON Schema: given an output directory, "
        "every JSONL file in it (articles, errors, crawls, sites, skipped, a worker's shards) against "
        "its own; given a file, that file (its kind read from its name, article by default). Prints "
        "one line per bad line (file:line: the first problem, and how many more); exits 1 if any "
        "line is bad.",
    )
    validate.set_defaults(func=cmd_validate)
    validate.add_argument("file", type=Path, metavar="OUTPUT|FILE.jsonl")

    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of the archive's lines (article, error, crawl, site, skipped) "
        "or of the report's JSON",
        description="Prints one JSON Schema (draft 2020-12), or without NAME lists them with their "
        "versions. The same files are in the repository's schema/ directory; docs/schema.md has "
        "their history.",
    )
    schema.set_defaults(func=cmd_schema)
    schema.add_argument(
        "name", nargs="?", metavar="NAME", help="article, error, crawl, site, skipped or report"
    )


def cmd_extract(args: argparse.Namespace) -> int:
    from pipelines.archive import article_record
    from pipelines.extract import extract_article
    from pipelines.record import Article, NotArticle, clean_url, utc_now

    if not clean_url(args.url):
        return fail(f"--url must be an http(s) URL, got {args.url!r}")
    try:
        body = args.file.read_bytes()
    except BrokenPipeError:  # the reader of standard output went away: crawler/cli.py
        raise
    except OSError as exc:
        return fail(f"cannot read {args.file}: {exc.strerror}", os_error_status(exc))
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
    from pipelines.record import kind_of_file

    if args.file.is_dir():
        files = sorted(p for p in args.file.iterdir() if kind_of_file(p.name))
        if not files:
            return fail(f"no archive files (articles.jsonl, errors.jsonl, ...) in {args.file}")
    elif args.file.exists():
        files = [args.file]
    else:
        return fail(f"no such file or directory: {args.file}")
    bad = total = 0
    for path in files:
        try:
            for result in validate_file(path, kind_of_file(path.name) or "article"):
                if isinstance(result, BadLine):
                    bad += 1
                    more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
                    print(f"{path}:{result.line}: {result.problems[0]}{more}")
                else:
                    total += result
        except BrokenPipeError:  # the reader of standard output went away: crawler/cli.py
            raise
        except OSError as exc:
            return fail(f"cannot read {path}: {exc.strerror}", os_error_status(exc))
    print(f"{total} lines checked in {len(files)} file(s), {bad} bad", file=sys.stderr)
    return 1 if bad else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from pipelines.record import SCHEMAS, schema

    if not args.name:
        for name in SCHEMAS:
            found = schema(name)
            print(f"{name:<8} {found['x-version']:<5} {found['$id']}  {found['title']}")
        return 0
    if args.name not in SCHEMAS:
        return fail(f"no schema named {args.name!r}: one of {', '.join(SCHEMAS)}")
    print(json.dumps(schema(args.name), ensure_ascii=False, indent=2))
    return 0
