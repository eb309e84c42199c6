"""``clinic-archive worker``, ``crawl-status`` and ``crawl-clean``: distributed crawls on Redis
(``crawl --redis`` starts one; see crawler/distributed/ and README "Scaling out")."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from crawler.commands.common import fail, os_error_status

REDIS_HELP = "the crawl's Redis, e.g. redis://10.0.0.5:6379/0"


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser(
        "worker",
        help="work on a distributed crawl: take requests from Redis, archive into a shard",
        description="Join the crawl NAME on Redis (started with `clinic-archive crawl SEED --redis URL "
        "--crawl NAME`): take requests from its shared queue, fetch and extract them, and append the "
        "articles to OUTPUT/articles-<worker>.jsonl (raw captures in "
        "OUTPUT/raw/<crawl-id>-<worker>.warc.gz). "
        "Start any number of workers, on any machines; each stays until the whole crawl is done. "
        "Then combine the shards with `clinic-archive merge`.",
    )
    worker.set_defaults(func=cmd_worker)
    worker.add_argument("--redis", required=True, metavar="URL", help=REDIS_HELP)
    worker.add_argument("--crawl", required=True, metavar="NAME", help="the crawl to work on")
    worker.add_argument("-o", "--output", default="output", help="directory for this worker's shard")
    worker.add_argument(
        "--worker-id",
        metavar="ID",
        help="this worker's name in shard file names and on Redis (default: <host>-<pid>)",
    )
    worker.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a setting for this worker (crawler/settings.py), after the crawl's own",
    )
    worker.add_argument("--no-raw", action="store_true", help="do not keep raw WARC captures")
    worker.add_argument(
        "-v", "--verbose", action="store_true", help="print Scrapy's log instead of a log file"
    )

    status = sub.add_parser(
        "crawl-status",
        help="show distributed crawls on Redis: queue, workers, requests in flight",
        description="Without --crawl, list every crawl on that Redis; with it, show one in detail.",
    )
    status.set_defaults(func=cmd_status)
    status.add_argument("--redis", required=True, metavar="URL", help=REDIS_HELP)
    status.add_argument("--crawl", metavar="NAME", help="one crawl (default: all)")
    status.add_argument("--format", choices=["text", "json"], default="text")

    clean = sub.add_parser(
        "crawl-clean",
        help="delete a distributed crawl's keys from Redis (queue, duplicate filter, state)",
        description="A crawl's keys stay on Redis after it ends (its duplicate filter would make a "
        "new crawl of the same name skip every page); this removes them. Refuses while workers "
        "are alive, unless --force.",
    )
    clean.set_defaults(func=cmd_clean)
    clean.add_argument("--redis", required=True, metavar="URL", help=REDIS_HELP)
    clean.add_argument("--crawl", required=True, metavar="NAME")
    clean.add_argument("--force", action="store_true", help="even if workers are still alive")


def cmd_worker(args: argparse.Namespace) -> int:
    from crawler.commands.common import parse_settings, run_spider
    from crawler.distributed import (
        DistributedError,
        check_name,
        connect,
        crawl_meta,
        default_worker_id,
        workers_of,
    )
    from crawler.distributed import worker_settings as distributed_settings
    from pipelines.archive import ArchiveError, hold_lock

    try:
        worker = check_name(args.worker_id or default_worker_id(), "worker")
        server = connect(args.redis)
        meta = crawl_meta(server, args.crawl)
        twin = [w for w in workers_of(server, args.crawl) if w["worker"] == worker and w["alive"]]
    except DistributedError as exc:
        return fail(str(exc))
    if twin:  # two processes under one name would share (and confuse) one in-flight record
        return fail(
            f"a worker named {worker!r} is already working on crawl {args.crawl!r} (last heartbeat "
            f"{twin[0]['last_seen_s']} s ago); give this one another --worker-id"
        )
    options = meta["options"]
    try:
        overrides: dict[str, Any] = {**(options.get("settings") or {}), **parse_settings(args.set)}
    except ValueError as exc:
        return fail(str(exc))
    if args.no_raw:
        overrides["CLINIC_RAW_CAPTURE"] = False
    overrides.update(distributed_settings(args.redis, args.crawl, worker))
    output = Path(args.output)
    try:
        lock = hold_lock(output, worker)
    except ArchiveError as exc:
        return fail(str(exc), os_error_status(exc, default=2))
    print(f"Worker {worker} joins crawl {args.crawl!r} ({len(meta['seeds'])} seeds) on {args.redis}")
    try:
        outcome = run_spider(
            meta["seeds"],
            output,
            meta["crawl_id"],
            int(options.get("max_pages") or 0),
            options.get("since"),
            overrides,
            verbose=args.verbose,
            shard=worker,
        )
    finally:
        lock.release()
    if outcome.code is not None:
        return outcome.code
    if outcome.finish_reason == "shutdown":
        print(
            "Stopped before the crawl ended: what this worker held went back to the queue; "
            "start it (or another) again to go on.",
            file=sys.stderr,
        )
        return 130
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from crawler.distributed import DistributedError, connect, crawl_status, list_crawls

    try:
        server = connect(args.redis)
        names = [args.crawl] if args.crawl else list_crawls(server)
        statuses = [crawl_status(server, name) for name in names]
    except DistributedError as exc:
        return fail(str(exc))
    if args.format == "json":
        for status in statuses:
            print(json.dumps(status, ensure_ascii=False))
        return 0
    if not statuses:
        print(f"No crawls on {args.redis}.")
    for status in statuses:
        print(status_text(status))
    return 0


def status_text(status: dict[str, Any]) -> str:
    alive = [w for w in status["workers"] if w["alive"]]
    state = "finished" if status["finished"] else "running" if alive else "waiting for workers"
    lines = [
        f"{status['crawl']} ({status['crawl_id']}, created {status['created_at']}): {state}",
        f"  seeds {len(status['seeds'])} ({status['seeds_waiting']} not yet taken); "
        f"queued {status['queued']}; in flight {status['in_flight']}; URLs seen {status['seen']}",
        f"  requests rescued from dead workers: {status['requeued']} ({status['dead_workers']} workers)",
    ]
    for w in status["workers"]:
        health = "alive" if w["alive"] else "silent"
        lines.append(
            f"  worker {w['worker']}: {health}, last seen {w['last_seen_s']} s ago, "
            f"{w['in_flight']} in flight"
        )
    lines.append(f"  {status['keys']} keys on Redis (clinic-archive crawl-clean removes them)")
    return "\n".join(lines)


def cmd_clean(args: argparse.Namespace) -> int:
    from crawler.distributed import DistributedError, clean_crawl, connect, crawl_status

    try:
        server = connect(args.redis)
        status = crawl_status(server, args.crawl)
        alive = [w["worker"] for w in status["workers"] if w["alive"]]
        if alive and not args.force:
            return fail(
                f"crawl {args.crawl!r} still has live workers ({', '.join(alive)}); stop them first, "
                "or --force"
            )
        removed = clean_crawl(server, args.crawl)
    except DistributedError as exc:
        return fail(str(exc))
    print(f"Removed crawl {args.crawl!r}: {removed} keys deleted.")
    return 0
