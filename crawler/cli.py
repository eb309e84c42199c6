"""The ``clinic-archive`` command. Each group of subcommands lives in ``crawler/commands/``
and registers itself through ``register(subparsers)``; this module only wires them up."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

from pipelines import TOOL

EPILOG = """\
examples:
  clinic-archive demo                                   crawl the bundled demo clinic blog, offline
  clinic-archive crawl https://clinic.example/blog/     crawl a site into ./output/
  clinic-archive crawl --seeds-file seeds.txt --since 2024-01-01 --max-pages 500 -o audit/
  clinic-archive extract saved-page.html --url https://clinic.example/blog/post/
  clinic-archive validate output/articles.jsonl
  clinic-archive changes output/                        what the last crawl found new, changed, removed
  clinic-archive export output/ --latest -o latest.jsonl
  clinic-archive reextract output/raw/*.warc.gz -o rebuilt/
  clinic-archive report output/ -o report.html
  clinic-archive verify output/ --mailto you@example.org   check references at Crossref and PubMed
  clinic-archive crawl --seeds-file seeds.txt --redis redis://host:6379/0 --crawl audit   then, per machine:
  clinic-archive worker --redis redis://host:6379/0 --crawl audit -o shard/   and finally: merge

The archive: OUTPUT/articles.jsonl (one JSON record per article version, tombstones for removed
ones), OUTPUT/errors.jsonl (one line per failed URL), OUTPUT/crawls.jsonl (one summary per crawl),
OUTPUT/raw/ (WARC captures), OUTPUT/logs/ (crawl logs), OUTPUT/.jobs/ (state of interrupted crawls).
"""


# Modules under crawler/commands/ that add subcommands, in --help order.
COMMAND_MODULES = ["crawl", "distributed", "extract", "archive", "report", "verify"]


class OneLineParser(argparse.ArgumentParser):
    """An invalid command line is one error line naming the option, and where help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"clinic-archive: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="clinic-archive",
        description="Crawl clinic blogs into a clean, versioned JSONL archive of articles and references.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=TOOL)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"crawler.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an invalid command line (its line is printed)
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit, where it could not be caught
        return code
    except KeyboardInterrupt:
        print("clinic-archive: error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of standard output went away (| head): stop quietly, as Unix tools do,
        # with nothing left for Python to flush into the closed pipe at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # a file no command expected to fail: one line, never a traceback
        from crawler.commands.common import fail_os

        return fail_os(exc)


if __name__ == "__main__":
    sys.exit(main())
