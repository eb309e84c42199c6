"""``clinic-archive crawl`` and ``clinic-archive demo``: run the clinic_blog spider in-process."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from crawler.commands.common import fail, os_error_status, parse_settings, run_spider
from crawler.commands.options import at_least, iso_day


def register(sub: argparse._SubParsersAction) -> None:
    crawl = sub.add_parser(
        "crawl",
        help="crawl one or more sites and append their posts to the archive",
        description="Discover every blog post of the seed sites (robots.txt, sitemaps, feeds, blog index "
        "pagination, links between posts), extract each post and append it to OUTPUT/articles.jsonl. "
        "Re-running on an unchanged site adds nothing; a changed post is appended as a new version.",
    )
    crawl.set_defaults(func=cmd_crawl)
    crawl.add_argument("seeds", nargs="*", metavar="SEED", help="a site root or blog index URL")
    add_crawl_options(crawl)
    from crawler.commands.common import add_redis_options

    add_redis_options(crawl)
    crawl.add_argument(
        "--verify",
        action="store_true",
        help="after a successful crawl, check the references online (clinic-archive verify OUTPUT, "
        "its defaults; set CLINIC_MAILTO to your address)",
    )

    demo = sub.add_parser(
        "demo",
        help="serve the bundled demo clinic blog on 127.0.0.1 and crawl it (no network needed)",
        description="Starts a local web server with a realistic demo clinic blog (WordPress-style markup, "
        "cookie banners, chat widgets, reference lists) and crawls it into OUTPUT like a real site.",
    )
    demo.set_defaults(func=cmd_demo)
    demo.add_argument("-o", "--output", default="output", help="archive directory (default: %(default)s)")
    demo.add_argument(
        "--port",
        type=int,
        default=DEMO_PORT,
        help="port for the demo server (default: %(default)s, so that a second run into the same "
        "output recrawls the same site; a free one when that is taken)",
    )
    demo.add_argument("-v", "--verbose", action="store_true", help="print Scrapy's log instead of a log file")


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds-file", metavar="FILE", help="more seeds, one URL per line (# comments)")
    parser.add_argument("-o", "--output", default="output", help="archive directory (default: %(default)s)")
    parser.add_argument(
        "--max-pages",
        type=at_least(0),
        default=0,
        metavar="N",
        help="fetch at most N pages per crawl (0: no limit)",
    )
    parser.add_argument(
        "--max-pages-per-site",
        type=at_least(1),
        metavar="N",
        help="fetch at most N pages of each site (default 20,000; CLINIC_MAX_PAGES_PER_SITE)",
    )
    parser.add_argument(
        "--max-articles-per-site",
        type=at_least(1),
        metavar="N",
        help="stop requesting a site's pages once N of its articles are archived (in-flight pages still "
        "finish)",
    )
    parser.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="REGEX",
        help="only pages whose URL matches REGEX (repeatable: any of them); seeds, sitemaps and feeds "
        "are always read",
    )
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="REGEX", help="no page whose URL matches REGEX"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="another host of the same clinic whose pages are followed too (blog.clinic.example)",
    )
    parser.add_argument(
        "--depth",
        type=at_least(1),
        metavar="N",
        help="follow links at most N hops from a seed; a sitemap or feed entry is a hop (default: no limit)",
    )
    parser.add_argument(
        "--user-agent", metavar="TEXT", help="the User-Agent header (default: names the tool)"
    )
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="send every request through this HTTP(S) proxy (default: the http_proxy/https_proxy variables)",
    )
    parser.add_argument(
        "--since",
        type=iso_day,
        metavar="DATE",
        help="skip posts published before DATE (YYYY-MM-DD); sitemap/feed dates "
        "are used to avoid fetching them at all",
    )
    parser.add_argument(
        "--delay",
        type=at_least(0, float),
        metavar="SECONDS",
        help="minimum delay between requests to one site (default 0.5, adapted by AutoThrottle)",
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy or "
        "clinic-archive setting (see crawler/settings.py), e.g. -s CONCURRENT_REQUESTS_PER_DOMAIN=1",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="discard an interrupted crawl of the same command instead of resuming it",
    )
    parser.add_argument(
        "--keep-non-articles",
        action="store_true",
        help="archive pages judged not articles too (home, services, listings), each record with "
        "its page_type and the classifier's reasons",
    )
    parser.add_argument(
        "--render",
        choices=("auto", "always", "never"),
        help="render pages in headless Chromium: auto (the default) only those whose HTML is an "
        "unrendered JavaScript shell; always every page; never none (shells are listed as skipped). "
        "Needs pip install 'clinic-archive[render]' and Debian's chromium",
    )
    parser.add_argument(
        "--no-raw", action="store_true", help="do not keep raw responses in OUTPUT/raw/<crawl-id>.warc.gz"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print Scrapy's log instead of a log file"
    )


def cmd_crawl(args: argparse.Namespace) -> int:
    try:
        overrides: dict[str, Any] = parse_settings(args.set)
    except ValueError as exc:
        return fail(str(exc))
    if not args.redis:
        start_extraction_early(overrides)
    from crawler.discovery import SeedError, parse_seeds

    try:
        seeds = parse_seeds(args.seeds, args.seeds_file)
    except SeedError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot read --seeds-file: {exc}")
    if not seeds:
        return fail("give at least one SEED URL or --seeds-file (try: clinic-archive demo)")
    if args.delay is not None:
        overrides["DOWNLOAD_DELAY"] = args.delay
    if args.no_raw:
        overrides["CLINIC_RAW_CAPTURE"] = False
    if args.keep_non_articles:
        overrides["CLINIC_KEEP_NON_ARTICLES"] = True
    if args.render:
        overrides["CLINIC_RENDER"] = args.render
    if problem := scope_overrides(args, overrides):
        return fail(problem)
    if overrides.get("CLINIC_RENDER") == "always":
        from crawler.fetch import render_support

        if missing := render_support(overrides.get("CLINIC_CHROMIUM")):
            return fail(f"--render always: {missing}")
    if args.redis and args.verify:
        return fail("--verify runs after a crawl in this process: verify the merged archive instead")
    if args.redis:
        from crawler.commands.common import enqueue_crawl

        options = {"since": args.since, "max_pages": args.max_pages, "settings": overrides}
        return enqueue_crawl(args.redis, args.crawl, seeds, options, Path(args.output))
    if args.crawl:
        return fail("--crawl names a distributed crawl: use it with --redis")
    code = run_crawl(
        seeds,
        Path(args.output),
        args.max_pages,
        args.since,
        overrides,
        verbose=args.verbose,
        fresh=args.fresh,
    )
    if code == 0 and args.verify:
        from crawler.commands.verify import verify_after_crawl

        return verify_after_crawl(Path(args.output))
    return code


def scope_overrides(args: argparse.Namespace, overrides: dict[str, Any]) -> str | None:
    """The scope and identity options as settings; what is wrong with them, if anything."""
    import os
    import re
    from urllib.parse import urlsplit

    for option, patterns in (("--include", args.include), ("--exclude", args.exclude)):
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                return f"{option} {pattern!r}: not a regular expression ({exc})"
    if args.include:
        overrides["CLINIC_INCLUDE"] = list(args.include)
    if args.exclude:
        overrides["CLINIC_EXCLUDE"] = list(args.exclude)
    if args.allow_host:
        overrides["CLINIC_ALLOW_HOSTS"] = [h.strip().lower() for h in args.allow_host]
    if args.max_pages_per_site:
        overrides["CLINIC_MAX_PAGES_PER_SITE"] = args.max_pages_per_site
    if args.max_articles_per_site:
        overrides["CLINIC_MAX_ARTICLES_PER_SITE"] = args.max_articles_per_site
    if args.depth:
        overrides["DEPTH_LIMIT"] = args.depth
    if args.user_agent:
        overrides["USER_AGENT"] = args.user_agent
    if args.proxy:
        if urlsplit(args.proxy).scheme not in ("http", "https") or not urlsplit(args.proxy).hostname:
            return f"--proxy {args.proxy!r}: expected http://host:port (or https://)"
        # Scrapy's HttpProxyMiddleware and the browser (crawler/fetch/browser.py) read these
        os.environ["http_proxy"] = os.environ["https_proxy"] = args.proxy
    return None


def start_extraction_early(overrides: dict[str, Any]) -> None:
    """Start the extraction workers' fork server before this process imports Scrapy (unless the
    crawl extracts inline or starts its workers another way): its own imports then run meanwhile."""
    from crawler import settings as defaults
    from pipelines.extract import start_fork_server, worker_count

    try:
        workers = worker_count(overrides.get("CLINIC_EXTRACT_WORKERS", defaults.CLINIC_EXTRACT_WORKERS))
    except ValueError:
        return  # not a number: the crawl's item pipeline says so when it reads the setting
    method = overrides.get("CLINIC_EXTRACT_START_METHOD") or defaults.CLINIC_EXTRACT_START_METHOD
    if workers and method == "forkserver":
        start_fork_server()


def run_crawl(
    seeds: list[str],
    output: Path,
    max_pages: int = 0,
    since: str | None = None,
    overrides: dict[str, Any] | None = None,
    verbose: bool = False,
    fresh: bool = False,
) -> int:
    """Run one crawl in this process and print its summary. Returns the exit code.

    The crawl keeps its state in ``OUTPUT/.jobs/<job>/`` (Scrapy's JOBDIR plus our ledger), the
    job named after the command's seeds and options, so running the same command again after an
    interruption resumes it. A crawl that finishes removes its job directory."""
    from pipelines.archive import ArchiveError, hold_lock

    # The lock is taken before anything opens a file in OUTPUT (job ledger, raw captures, log)
    # and held until the crawl is over, so a second crawl refuses at once, whenever it starts.
    try:
        lock = hold_lock(output)
    except ArchiveError as exc:
        return fail(str(exc), os_error_status(exc, default=2))
    try:
        return _locked_crawl(seeds, output, max_pages, since, overrides, verbose, fresh)
    finally:
        lock.release()


def _locked_crawl(
    seeds: list[str],
    output: Path,
    max_pages: int,
    since: str | None,
    overrides: dict[str, Any] | None,
    verbose: bool,
    fresh: bool,
) -> int:
    from crawler.jobledger import job_crawl_id
    from pipelines.archive import new_crawl_id

    overrides = dict(overrides or {})
    job = Path(overrides.get("JOBDIR") or job_dir(output, seeds, since, max_pages))
    if fresh:
        shutil.rmtree(job, ignore_errors=True)
    crawl_id = job_crawl_id(job) or new_crawl_id()
    if job_crawl_id(job):
        print(f"Resuming interrupted crawl {crawl_id} from {job} (--fresh starts over)")
    overrides.setdefault("JOBDIR", str(job))
    summary = run_spider(seeds, output, crawl_id, max_pages, since, overrides, verbose)
    if summary.code is not None:
        return summary.code
    if summary.finish_reason == "finished":
        shutil.rmtree(job, ignore_errors=True)
    return summary.exit_code()


def job_dir(output: Path, seeds: list[str], since: str | None, max_pages: int) -> Path:
    """``OUTPUT/.jobs/job-<hash>``: the same command always maps to the same job."""
    spec = json.dumps({"seeds": sorted(seeds), "since": since, "max_pages": max_pages or 0}, sort_keys=True)
    return output / ".jobs" / f"job-{hashlib.sha256(spec.encode()).hexdigest()[:12]}"


# --- demo ---------------------------------------------------------------------------------


def demo_site_root() -> Path:
    return Path(str(resources.files("crawler").joinpath("demo_site")))


# The demo's port when it is free: the site is then the same one run after run (its key is
# host:port), and a second run into the same output recrawls it instead of adding a site.
DEMO_PORT = 38711


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.siteserver import SiteServer

    root = demo_site_root()
    if not (root / "index.html").exists():
        return fail(f"the demo site is missing from the installation ({root})", 1)
    try:
        server = SiteServer(root, port=args.port)
    except OSError as exc:
        if args.port != DEMO_PORT:
            return fail(f"cannot serve the demo on port {args.port}: {exc.strerror}")
        server = SiteServer(root, port=0)  # the stable port is taken: any free one
        print(
            f"Port {DEMO_PORT} is taken: serving on {server.url} instead (a rerun into the same output "
            "counts it as another site; pass --port to choose)"
        )
    with server:
        print(f"Serving the demo clinic blog at {server.url}/ (from {root})")
        # Our own local server: no need to be gentle with it.
        fast = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
        code = run_crawl([f"{server.url}/"], Path(args.output), overrides=fast, verbose=args.verbose)
    if code == 0:
        print(
            f"\nTry: jq -r '[.title, (.references | length)] | @tsv' {Path(args.output) / 'articles.jsonl'}"
        )
    return code
