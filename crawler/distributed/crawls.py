"""Managing crawls on Redis from the command line: connect, create a crawl with its seeds, its
status and workers, remove its keys; and the Scrapy settings a worker runs with."""

from __future__ import annotations

import time
from typing import Any

from crawler.distributed.keys import INSTALL_HINT, PREFIX, DistributedError, Keys, check_name

# --- connecting and managing crawls -----------------------------------------------------


def connect(url: str) -> Any:
    """A Redis client for ``redis://HOST:PORT/DB``; DistributedError if it cannot be reached."""
    try:
        import redis
    except ImportError as exc:
        raise DistributedError(INSTALL_HINT) from exc
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise DistributedError(f"--redis expects a URL like redis://HOST:6379/0, got {url!r}")
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise DistributedError(f"cannot reach Redis at {url}: {exc}") from exc
    return server


def create_crawl(server: Any, name: str, seeds: list[str], options: dict[str, Any]) -> dict[str, str]:
    """Register crawl ``name`` with its options and queue its seeds. Refuses an existing name:
    a finished crawl's duplicate filter would skip every page (``crawl-clean`` it first)."""
    import json

    from pipelines.archive import new_crawl_id

    keys = Keys(check_name(name))
    meta = {
        "crawl_id": new_crawl_id(),
        "seeds": json.dumps(seeds),
        "options": json.dumps(options, sort_keys=True),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if not server.hsetnx(keys.meta, "crawl_id", meta["crawl_id"]):
        state = "finished" if server.exists(keys.finished) else "not finished"
        raise DistributedError(
            f"a crawl named {name!r} already exists on Redis ({state}); choose another --crawl, "
            f"or remove it with: clinic-archive crawl-clean --redis URL --crawl {name}"
        )
    server.hset(keys.meta, mapping=meta)
    if seeds:
        server.rpush(keys.seeds, *seeds)
    return meta


def crawl_meta(server: Any, name: str) -> dict[str, Any]:
    """The crawl's seeds and options, as ``create_crawl`` stored them."""
    import json

    raw = {k.decode(): v.decode() for k, v in server.hgetall(Keys(check_name(name)).meta).items()}
    if not raw:
        raise DistributedError(
            f"no crawl named {name!r} on Redis; start one with: "
            f"clinic-archive crawl SEED --redis URL --crawl {name}"
        )
    return {
        "crawl_id": raw["crawl_id"],
        "seeds": json.loads(raw.get("seeds", "[]")),
        "options": json.loads(raw.get("options", "{}")),
        "created_at": raw.get("created_at"),
    }


def list_crawls(server: Any) -> list[str]:
    names = {key.decode().split(":")[1] for key in server.scan_iter(match=f"{PREFIX}:*:meta", count=500)}
    return sorted(names)


def crawl_status(server: Any, name: str, timeout_s: float = 30.0) -> dict[str, Any]:
    """Where a crawl stands: queue, seeds, workers (alive or silent), in flight, done or not."""
    keys = Keys(check_name(name))
    meta = crawl_meta(server, name)
    workers = workers_of(server, name, timeout_s)
    events = {k.decode(): int(v) for k, v in server.hgetall(keys.events).items()}
    return {
        "crawl": name,
        "crawl_id": meta["crawl_id"],
        "created_at": meta["created_at"],
        "seeds": meta["seeds"],
        "finished": bool(server.exists(keys.finished)),
        "seeds_waiting": server.llen(keys.seeds),
        "queued": server.zcard(keys.requests),
        "seen": server.scard(keys.dupefilter),
        "in_flight": sum(w["in_flight"] for w in workers),
        "workers": workers,
        "requeued": events.get("requeued", 0),
        "dead_workers": events.get("dead_workers", 0),
        "keys": sum(1 for _ in server.scan_iter(match=f"{keys.base}:*", count=500)),
    }


def workers_of(server: Any, name: str, timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The crawl's workers: name, seconds since the last heartbeat, alive or not, in flight."""
    keys = Keys(check_name(name))
    seconds, micros = server.time()
    now_ms = seconds * 1000 + micros // 1000
    workers = []
    for worker, seen in sorted(server.hgetall(keys.workers).items()):
        worker = worker.decode()
        silent = (now_ms - int(seen)) / 1000
        workers.append(
            {
                "worker": worker,
                "last_seen_s": round(silent, 1),
                "alive": silent <= timeout_s,
                "in_flight": server.hlen(keys.inflight(worker)),
            }
        )
    return workers


def clean_crawl(server: Any, name: str) -> int:
    """Delete every key of the crawl; returns how many."""
    keys = Keys(check_name(name))
    found = list(server.scan_iter(match=f"{keys.base}:*", count=500))
    for i in range(0, len(found), 500):
        server.delete(*found[i : i + 500])
    return len(found)


# --- the worker side --------------------------------------------------------------------


def worker_settings(redis_url: str, crawl: str, worker: str) -> dict[str, Any]:
    """Scrapy settings that turn a crawl into one worker of crawl ``crawl``."""
    keys = Keys(check_name(crawl))
    return {
        "SCHEDULER": "crawler.distributed.scheduler.RedisScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.scheduler.InflightQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker that closes must not wipe the shared queue
        "REDIS_URL": redis_url,
        "CLINIC_REDIS_CRAWL": crawl,
        "CLINIC_SHARD": check_name(worker, "worker"),
        "JOBDIR": None,  # the queue and the in-flight hashes on Redis are the job state
    }
