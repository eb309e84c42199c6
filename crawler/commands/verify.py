"""``clinic-archive verify``: check the archive's references against Crossref and PubMed, and
``verify_after_crawl`` for ``crawl --verify``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.commands.common import fail
from crawler.commands.options import at_least
from crawler.verify import (
    DEFAULT_CONCURRENCY,
    DEFAULT_CROSSREF_URL,
    DEFAULT_PUBMED_URL,
    DEFAULT_RATE,
    DEFAULT_TIMEOUT,
    VerifyOptions,
)

if TYPE_CHECKING:
    from pipelines.verify import RetractionIndex

# Where the services are, and whom they may write to: options, with defaults from these
# environment variables (a mirror, or the mailto that `crawl --verify` should send).
ENV_CROSSREF, ENV_PUBMED, ENV_MAILTO = "CLINIC_CROSSREF_URL", "CLINIC_PUBMED_URL", "CLINIC_MAILTO"
PROGRESS_EVERY = 100  # lookups between two progress lines when stderr is not a terminal


def register(sub: argparse._SubParsersAction) -> None:
    verify = sub.add_parser(
        "verify",
        help="check every reference online against Crossref and PubMed (opt-in): verification.jsonl",
        description="For each reference of each article's newest version: its DOI at Crossref, else its "
        "PMID or PMCID at PubMed, else its title by a Crossref bibliographic search; title, first author, "
        "year, journal, volume and first page compared; retractions flagged (Crossref's metadata, or a "
        "Retraction Watch CSV offline). One line per reference in OUTPUT/verification.jsonl, replaced by "
        "each run; answers cached in OUTPUT/.cache/verify/, so a second run asks only what it does not "
        "know. The archive itself is not changed.",
    )
    verify.set_defaults(func=cmd_verify)
    verify.add_argument("output", type=Path, metavar="OUTPUT", help="an archive directory")
    verify.add_argument(
        "--crossref-url",
        metavar="URL",
        default=os.environ.get(ENV_CROSSREF, DEFAULT_CROSSREF_URL),
        help=f"the Crossref REST API (default: %(default)s; ${ENV_CROSSREF})",
    )
    verify.add_argument(
        "--pubmed-url",
        metavar="URL",
        default=os.environ.get(ENV_PUBMED, DEFAULT_PUBMED_URL),
        help=f"NCBI's E-utilities (default: %(default)s; ${ENV_PUBMED})",
    )
    verify.add_argument(
        "--mailto",
        metavar="EMAIL",
        default=os.environ.get(ENV_MAILTO) or None,
        help="your address, sent as Crossref asks (mailto parameter and User-Agent) and to NCBI "
        f"(email parameter): please give one (default: ${ENV_MAILTO})",
    )
    verify.add_argument(
        "--retractions",
        type=Path,
        metavar="FILE",
        help="the Retraction Watch CSV Crossref publishes: flags retracted references offline too",
    )
    verify.add_argument(
        "--offline", action="store_true", help="no request at all: cached answers only (others: unchecked)"
    )
    verify.add_argument(
        "--rate",
        type=at_least(0, float),
        default=DEFAULT_RATE,
        metavar="N",
        help="at most N requests a second overall (default: %(default)g; 0: no limit, for local mirrors)",
    )
    verify.add_argument(
        "--concurrency",
        type=at_least(1),
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help="requests in flight at once (default: %(default)s)",
    )
    verify.add_argument(
        "--timeout",
        type=at_least(1, float),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="seconds to wait for one answer (default: %(default)g)",
    )


def cmd_verify(args: argparse.Namespace) -> int:
    from pipelines.archive import ARTICLES

    if not (args.output / ARTICLES).is_file():
        return fail(f"no archive in {args.output} (expected {args.output / ARTICLES})")
    for option, url in (("--crossref-url", args.crossref_url), ("--pubmed-url", args.pubmed_url)):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            return fail(f"{option} {url!r}: expected an http:// or https:// URL")
    if args.mailto is not None and "@" not in args.mailto:
        return fail(f"--mailto {args.mailto!r}: expected an e-mail address")
    options = VerifyOptions(
        crossref_url=args.crossref_url,
        pubmed_url=args.pubmed_url,
        mailto=args.mailto,
        offline=args.offline,
        rate=args.rate,
        concurrency=args.concurrency,
        timeout=args.timeout,
    )
    if args.retractions is not None:
        try:
            options.retractions = read_retractions(args.retractions)
        except OSError as exc:
            return fail(f"--retractions {args.retractions}: cannot read it: {exc.strerror or exc}")
        except ValueError as exc:
            return fail(f"--retractions {args.retractions}: {exc}")
    return verify(args.output, options)


def read_retractions(path: Path) -> RetractionIndex:
    """The Retraction Watch CSV as an index; OSError or ValueError saying what is wrong."""
    from pipelines.verify import RetractionIndex

    if path.is_dir():
        raise IsADirectoryError("is a directory, not the CSV")
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as lines:
        index = RetractionIndex.from_csv(lines)
    if index.rows == 0:
        raise ValueError("no rows under the header")
    return index


def verify(output: Path, options: VerifyOptions) -> int:
    """Run the verification with a progress display on stderr and the summary line."""
    from crawler.verify import run_verify
    from pipelines.archive import ArchiveError
    from pipelines.verify import summary_text

    try:
        with progress_display() as progress:
            report = run_verify(output, options, progress)
    except (OSError, ArchiveError) as exc:
        return fail(f"cannot verify {output}: {exc}", 1)
    print(
        f"Verified {summary_text(report.counts, report.requests, report.cache_hits)} "
        f"({report.articles} articles, {report.lookups} distinct lookups).\nResults: {report.path}"
    )
    return 0


def verify_after_crawl(output: Path) -> int:
    """``crawl --verify``: the verify command with its defaults (and the environment's)."""
    print(f"\nVerifying the references of {output} online (clinic-archive verify)...", file=sys.stderr)
    return cmd_verify(build_verify_args(output))


def build_verify_args(output: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(add_help=False)
    register(parser.add_subparsers())
    return parser.parse_args(["verify", str(output)])


@contextmanager
def progress_display() -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar when stderr is a terminal; otherwise a line every PROGRESS_EVERY
    lookups (only for runs that long)."""
    if not sys.stderr.isatty():
        last = [0]

        def line(done: int, total: int) -> None:
            if done - last[0] >= PROGRESS_EVERY or (done == total and last[0] and done != last[0]):
                last[0] = done
                print(f"verify: {done:,}/{total:,} lookups done", file=sys.stderr, flush=True)

        yield line
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("lookups", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
