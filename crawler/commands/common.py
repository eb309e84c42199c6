"""What more than one command needs: one-line errors, ``-s NAME=VALUE`` options, running the
clinic_blog spider in this process with its summary (``crawl``, ``demo`` and ``worker``), and the
``--redis`` options with which ``crawl`` queues a distributed crawl instead of running it.
Commands import this module; it imports no command, so the commands form no import cycle."""

from __future__ import annotations

import argparse
import errno
import gc
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.commands.options import check_setting


def fail(message: str, code: int = 2) -> int:
    """Print a one-line error (never a traceback) and return the exit status."""
    print(f"clinic-archive: error: {message}", file=sys.stderr)
    return code


# Exit statuses (docs/commands.md): 2 for what the user gave (an option value, a missing path,
# a file where a directory belongs or the reverse), 1 for what failed while working (a file that
# cannot be read or written, a full disk), 3 when no site could be crawled, 130 interrupted, 141
# when the reader of standard output went away.
GIVEN_WRONG = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST})
HINTS = {
    errno.ENOSPC: "free some space and run the same command again",
    errno.EDQUOT: "free some space and run the same command again",
    errno.EACCES: "choose another place or change its permissions",
    errno.EPERM: "choose another place or change its permissions",
    errno.EROFS: "the file system is read-only: choose another place",
    errno.ENOTDIR: "a file is in the way: give a directory",
    errno.EISDIR: "give a file, not a directory",
}


def os_error_status(exc: BaseException, default: int = 1) -> int:
    """The exit status for an OSError (or an error caused by one): 2 or 1, as above;
    ``default`` for an error no OSError caused."""
    cause = exc if isinstance(exc, OSError) else exc.__cause__
    if not isinstance(cause, OSError):
        return default
    return 2 if cause.errno in GIVEN_WRONG else 1


def fail_os(exc: OSError) -> int:
    """One line for an OSError no command caught: what, where, and what to do."""
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and exc.filename and Path(exc.filename).is_file():
        return fail(f"{exc.filename} is not a directory: a file is in the way")
    where = f": {exc.filename}" if exc.filename else ""
    hint = HINTS.get(exc.errno or 0)
    return fail(f"{exc.strerror or exc}{where}" + (f" ({hint})" if hint else ""), os_error_status(exc))


def parse_settings(items: list[str]) -> dict[str, str]:
    """``-s NAME=VALUE`` options as a dict; ValueError naming the first malformed one."""
    settings = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"-s expects NAME=VALUE, got {item!r}")
        check_setting(name.strip(), value)
        settings[name.strip()] = value
    return settings


# Exit status when no seed could be crawled at all (every site unreachable, refused, off-site...)
NO_SITE_CRAWLED = 3


SEED_LINES = 20  # failed seeds named on the terminal; the rest are in sites.jsonl


@dataclass
class CrawlOutcome:
    """How a crawl run ended, for the command's exit status."""

    code: int | None  # already decided (the output failed, no summary)
    finish_reason: str | None = None
    seed_failures: dict[str, str] = field(default_factory=dict)
    seeds: int = 0

    def exit_code(self) -> int:
        """0 when at least one site was crawled, each failed seed said on its own line (the
        first SEED_LINES); 130 when
        stopped; NO_SITE_CRAWLED when not one seed could be fetched."""
        if self.finish_reason == "shutdown":
            print("Stopped before the end: run the same command again to resume.", file=sys.stderr)
            return 130
        none = bool(self.seed_failures) and len(self.seed_failures) >= self.seeds
        level = "error" if none else "warning"
        for url, message in list(self.seed_failures.items())[:SEED_LINES]:
            print(f"clinic-archive: {level}: could not crawl {url}: {message}", file=sys.stderr)
        if (more := len(self.seed_failures) - SEED_LINES) > 0:
            rest = f"and {more} more seeds could not be crawled (see sites.jsonl)"
            print(f"clinic-archive: {level}: {rest}", file=sys.stderr)
        if none:
            print("clinic-archive: error: no site could be crawled", file=sys.stderr)
            return NO_SITE_CRAWLED
        return 0


def _starting_error(failure: Any) -> str:
    """One line for an exception raised while the crawl was being set up; its traceback goes to
    the log, where the rest of the crawl's details are."""
    logging.getLogger(__name__).error(
        "the crawl could not start", exc_info=(failure.type, failure.value, failure.getTracebackObject())
    )
    return f"{failure.type.__name__}: {failure.value}"


def broad_concurrency(settings: Any, sites: int) -> int:
    """The crawl's CONCURRENT_REQUESTS for ``sites`` seeds: each site's own concurrency, summed,
    within CONCURRENT_REQUESTS (the floor) and CLINIC_MAX_CONCURRENT_REQUESTS (the cap)."""
    floor = settings.getint("CONCURRENT_REQUESTS")
    per_site = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") or 1
    cap = max(floor, settings.getint("CLINIC_MAX_CONCURRENT_REQUESTS") or floor)
    return min(max(floor, sites * per_site), cap)


def run_spider(
    seeds: list[str],
    output: Path,
    crawl_id: str,
    max_pages: int = 0,
    since: str | None = None,
    overrides: dict[str, Any] | None = None,
    verbose: bool = False,
    shard: str | None = None,
) -> CrawlOutcome:
    """Run the clinic_blog spider in this process (settings from crawler/settings.py, then
    ``overrides``), print the crawl's summary paragraph and say how it ended."""
    from scrapy.crawler import CrawlerProcess

    if problem := open_files_problem():
        return CrawlOutcome(fail(problem, 1))
    from scrapy.settings import Settings

    from crawler.spiders import ClinicBlogSpider

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    log_file = output / "logs" / (f"{crawl_id}-{shard}.log" if shard else f"{crawl_id}.log")
    cli_settings: dict[str, Any] = {
        "CLINIC_OUTPUT_DIR": str(output),
        "CLINIC_CRAWL_ID": crawl_id,
        "CLINIC_PROGRESS": True,
    }
    if not verbose:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        cli_settings["LOG_FILE"] = str(log_file)
    settings.setdict(cli_settings, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    if "CONCURRENT_REQUESTS" not in (overrides or {}):  # a broad crawl: per-site politeness bounds it
        settings.set("CONCURRENT_REQUESTS", broad_concurrency(settings, len(seeds)), priority="cmdline")

    process = CrawlerProcess(settings)
    quiet_log_file_errors()
    crawler = process.create_crawler(ClinicBlogSpider)
    started = process.crawl(crawler, seeds=seeds, since=since, max_pages=max_pages or None, crawl_id=crawl_id)
    why: list[str] = []  # what stopped the crawl from starting (a setting, Redis, the archive)
    started.addErrback(lambda failure: why.append(_starting_error(failure)))
    # What exists now (modules, settings, the spider and the archive state it loaded) lives as long
    # as the crawl: out of the garbage collector's sight, its full passes stop walking it over and
    # over (they took ~3% of the crawl process's CPU at N = 1,000; ~2% since).
    gc.freeze()
    interrupted = count_interrupts(process)
    process.start()

    summary = read_summary(output, crawl_id, shard)
    spider = crawler.spider
    print(summary_paragraph(summary, output, None if verbose else log_file, shard))
    sites = getattr(crawler, "clinic_sites", None)  # crawler/sites.py
    if sites and (len(seeds) > 1 or any(s.status != "ok" for s in sites)):
        from crawler.sites import sites_table

        print(sites_table(sites))
    stats = getattr(crawler, "_stats", None)  # None when the crawl failed before it started
    fatal = (summary or {}).get("fatal") or (stats.get_value("clinic/fatal") if stats else None)
    if fatal:  # the output could not be written (disk full, permissions): nothing half-written stays
        fail(fatal, 1)
        print("Fix that, then run the same command again to resume the crawl.", file=sys.stderr)
        return CrawlOutcome(1)
    if summary is None and interrupted:  # a second Ctrl-C: Scrapy stopped at once, no summary
        print("Stopped before the end: run the same command again to resume.", file=sys.stderr)
        return CrawlOutcome(130)
    if summary is None:
        where = f"the log {log_file}" if not verbose else "the log above"
        if why:
            return CrawlOutcome(fail(f"the crawl could not start: {why[0]} (details in {where})", 1))
        return CrawlOutcome(fail(f"the crawl failed before it could finish; see {where}", 1))
    failures = dict(spider.seed_failures) if spider is not None else {}
    return CrawlOutcome(None, summary["finish_reason"], failures, len(seeds))


# Open files a crawl needs at the least: its archive files, the log, the extraction workers'
# pipes and a few connections. Below this Python's multiprocessing prints tracebacks it cannot be
# stopped from printing (at 20 and fewer); above it, a crawl that runs out stops with one line
# (tests/crawler/test_disk_full.py) and resumes.
MIN_OPEN_FILES = 32
WANTED_OPEN_FILES = 8192


def open_files_problem() -> str | None:
    """Raise this process's open-files limit towards ``WANTED_OPEN_FILES`` (up to its hard
    limit, as any process may); a message when even that is under ``MIN_OPEN_FILES``."""
    try:
        import resource
    except ImportError:  # not on this platform: nothing to check
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = WANTED_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, WANTED_OPEN_FILES)
    if soft != resource.RLIM_INFINITY and soft < ceiling:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
            soft = ceiling
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and soft < MIN_OPEN_FILES:
        return (
            f"this process may open only {soft} files (ulimit -n); a crawl needs at least "
            f"{MIN_OPEN_FILES}: raise the limit (ulimit -n {WANTED_OPEN_FILES}) and run again"
        )
    return None


def count_interrupts(process: Any) -> list[int]:
    """The signals (Ctrl-C, SIGTERM) Scrapy's handlers receive during ``process.start()``, in a
    list: Scrapy installs its handlers (graceful stop, then immediate stop) as it starts, from
    these two methods, so counting them is wrapping them."""
    received: list[int] = []
    for name in ("_signal_shutdown", "_signal_kill"):
        handler = getattr(process, name, None)
        if handler is not None:

            def counting(signum: int, frame: Any, handler: Any = handler) -> None:
                received.append(signum)
                handler(signum, frame)

            setattr(process, name, counting)
    return received


def read_summary(output: Path, crawl_id: str, shard: str | None = None) -> dict[str, Any] | None:
    from pipelines.archive import CRAWLS, iter_records, shard_file

    path = output / shard_file(CRAWLS, shard)
    if not path.exists():
        return None
    found = None
    for record in iter_records(path):
        if record.get("crawl_id") == crawl_id:
            found = record
    return found


def summary_paragraph(
    summary: dict[str, Any] | None, output: Path, log_file: Path | None, shard: str | None = None
) -> str:
    from pipelines.archive import ARTICLES, CRAWLS, ERRORS, SKIPPED, shard_file

    if summary is None:
        return "No crawl summary was written."
    arts = summary["articles"]
    written = arts["new"] + arts["changed"]
    by_count = sorted(summary["errors"].items(), key=lambda kv: (-kv[1], kv[0]))
    errors = ", ".join(f"{k} {v}" for k, v in by_count) or "none"
    rendered = f" ({summary['rendered']} rendered in a browser)" if summary.get("rendered") else ""
    lines = [
        f"Crawl {summary['crawl_id']} {summary['finish_reason']} in {summary['duration_s']:.1f} s: "
        f"{summary['responses']} responses, {summary['pages_html']} HTML pages{rendered}; "
        f"{written} articles written ({arts['new']} new, {arts['changed']} changed), "
        f"{arts['unchanged']} unchanged, {summary['not_articles']} pages were not articles; "
        f"{summary['errors_total']} errors ({errors}).".replace(" 1 errors", " 1 error"),
        f"Archive: {output / shard_file(ARTICLES, shard)}",
        f"Errors:  {output / shard_file(ERRORS, shard)}",
        f"Skipped: {output / shard_file(SKIPPED, shard)} (pages not archived as articles, and why)",
        f"Crawls:  {output / shard_file(CRAWLS, shard)}",
    ]
    if refused := summary["skipped"].get("max_pages"):
        limit = summary.get("max_pages")
        lines.insert(1, f"Stopped at --max-pages {limit}: {refused} more pages found were not fetched.")
    if shells := summary["skipped"].get("needs_javascript"):
        lines.insert(1, f"{shells} pages need JavaScript and were not rendered: see skipped.jsonl")
    if log_file:
        lines.append(f"Log:     {log_file}")
    return "\n".join(lines)


def add_redis_options(parser: argparse.ArgumentParser) -> None:
    """``crawl --redis URL --crawl NAME``: queue the crawl on Redis instead of running it here."""
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="do not crawl here: queue the seeds as a distributed crawl on this Redis, for "
        "`clinic-archive worker` processes to run (needs clinic-archive[distributed])",
    )
    parser.add_argument(
        "--crawl",
        metavar="NAME",
        help="with --redis: the crawl's name (default: crawl-<date>-<time>)",
    )


def enqueue_crawl(
    redis_url: str, name: str | None, seeds: list[str], options: dict[str, Any], archive: Path | None = None
) -> int:
    """``crawl --redis``: register the crawl and its seeds on Redis, share what ``archive``
    already holds of those sites (an incremental recrawl), print how to start workers."""
    import time

    from crawler.distributed import DistributedError, Keys, connect, create_crawl, publish_known, redis_error
    from pipelines.archive import ArchiveError, known_across_shards
    from pipelines.record import site_key

    name = name or time.strftime("crawl-%Y%m%d-%H%M%S", time.gmtime())
    try:
        server = connect(redis_url)
        known = {}
        if archive is not None and archive.is_dir():
            known = known_across_shards(archive, {site_key(s) for s in seeds})
        meta = create_crawl(server, name, seeds, options)
        shared = publish_known(server, Keys(name), known.values())
    except DistributedError as exc:
        return fail(str(exc))
    except (ArchiveError, OSError) as exc:
        return fail(f"cannot read the archive in {archive}: {exc}")
    except redis_error() as exc:
        return fail(f"lost Redis at {redis_url}: {exc}")
    count = f"{len(seeds)} seed{'' if len(seeds) == 1 else 's'}"
    print(f"Queued crawl {name!r} (crawl id {meta['crawl_id']}) on {redis_url}: {count}.")
    if shared:
        print(f"Shared {shared} archived pages from {archive} with the workers: the recrawl is incremental.")
    print("Start workers (on this machine or others), then merge their shards:")
    print(f"  clinic-archive worker --redis {redis_url} --crawl {name} -o output/")
    print(f"  clinic-archive crawl-status --redis {redis_url} --crawl {name}")
    print("  clinic-archive merge output/ [more shard dirs...] -o merged/")
    return 0


def quiet_log_file_errors() -> None:
    """A log file that can no longer be written (disk full) must not print "--- Logging error ---"
    and a traceback for every line logged after: the first failure is said once, on stderr, and
    the file's handler dropped. The crawl itself stops through its own write errors. Set on the
    class: Scrapy creates the crawl's log handler later, when the crawl starts."""
    logging.FileHandler.handleError = _drop_log_file  # type: ignore[method-assign]


def _drop_log_file(handler: logging.FileHandler, record: logging.LogRecord) -> None:
    for logger in (logging.getLogger(), *logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and handler in logger.handlers:
            logger.removeHandler(handler)
    print(
        f"clinic-archive: warning: cannot write the log file {handler.baseFilename} (disk full?); "
        "logging to it stopped",
        file=sys.stderr,
    )
