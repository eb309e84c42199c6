"""Names on Redis: every key of one crawl under ``clinic-archive:<crawl>:``, crawl and worker names,
and the errors of the distributed mode."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from typing import Any


def redis_error() -> type[Exception]:
    """redis-py's base error, for ``except redis_error():`` (evaluated only when something was
    raised). Imported on use: a single-machine crawl loads these modules too, and importing
    redis-py costs ~50 ms of start-up."""
    import redis.exceptions

    return redis.exceptions.RedisError


PREFIX = "clinic-archive"


CRAWL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


INSTALL_HINT = "distributed crawling needs the extra: pip install 'clinic-archive[distributed]'"


class DistributedError(RuntimeError):
    """Redis unreachable, a crawl that does not exist or already exists, a bad name."""


def check_name(name: str, what: str = "crawl") -> str:
    if not CRAWL_NAME.match(name or ""):
        raise DistributedError(
            f"bad {what} name {name!r}: use letters, digits, '.', '_' and '-' (at most 64, no leading dot)"
        )
    return name


def default_worker_id() -> str:
    """``<host>-<pid>``: unique on one machine and across machines, readable in shard names."""
    host = re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname().split(".")[0])[:32] or "worker"
    return f"{host}-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Keys:
    """Every Redis key of one crawl."""

    crawl: str

    @property
    def base(self) -> str:
        return f"{PREFIX}:{self.crawl}"

    def requeue_call(self, silent_ms: int, worker: str) -> dict[str, list[Any]]:
        """KEYS and ARGV of scripts.REQUEUE, run by ``worker``."""
        return {
            "keys": [self.workers, self.requests, self.seeds, self.events, self.held_sites],
            "args": [self.inflight_prefix, silent_ms, worker, self.leases_prefix, self.held_prefix],
        }

    def finish_call(self, worker: str) -> dict[str, list[Any]]:
        """KEYS and ARGV of scripts.FINISH, run by ``worker``."""
        return {
            "keys": [self.seeds, self.requests, self.workers, self.finished, self.held_sites, self.rechecked],
            "args": [self.inflight_prefix, worker],
        }

    @property
    def meta(self) -> str:  # hash: seeds, options, created_at, crawl_id
        return f"{self.base}:meta"

    @property
    def seeds(self) -> str:  # list of seed URLs not yet taken by a worker
        return f"{self.base}:seeds"

    @property
    def requests(self) -> str:  # scrapy-redis priority queue (sorted set)
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:  # scrapy-redis fingerprints (set)
        return f"{self.base}:dupefilter"

    @property
    def workers(self) -> str:  # hash: worker -> last heartbeat, ms (Redis clock)
        return f"{self.base}:workers"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.base}:inflight:"

    def inflight(self, worker: str) -> str:  # hash: sha1 of request -> "score|request"
        return f"{self.inflight_prefix}{worker}"

    @property
    def leases_prefix(self) -> str:
        return f"{self.base}:leases-of:"

    def leases_of(self, worker: str) -> str:  # set: the site lease keys this worker has used
        return f"{self.leases_prefix}{worker}"

    @property
    def slot_prefix(self) -> str:
        return f"{self.base}:slot:"

    def site_leases(self, site: str) -> str:  # sorted set: lease token -> expiry, ms
        return f"{self.slot_prefix}{site}:leases"

    def site_next(self, site: str) -> str:  # the earliest next start for the site, ms
        return f"{self.slot_prefix}{site}:next"

    @property
    def page_count(self) -> str:  # page requests taken from the queue, against --max-pages
        return f"{self.base}:page-count"

    @property
    def budgets(self) -> str:  # hash: "used|site|limit" and "refused|site|limit" -> count
        return f"{self.base}:budgets"

    @property
    def finished(self) -> str:  # set once, when nothing is left anywhere
        return f"{self.base}:finished"

    @property
    def events(self) -> str:  # hash of counters: requeued requests, dead workers
        return f"{self.base}:events"

    @property
    def maps_asked(self) -> str:  # set: sitemap and feed URLs asked for (crawler/distributed/maps.py)
        return f"{self.base}:maps:asked"

    @property
    def maps_read(self) -> str:  # set: sitemap and feed URLs answered or failed
        return f"{self.base}:maps:read"

    @property
    def maps_pending(self) -> str:  # hash: site -> its maps asked for and not yet read
        return f"{self.base}:maps:pending"

    @property
    def maps_started(self) -> str:  # set: sites with at least one map asked for
        return f"{self.base}:maps:started"

    @property
    def held_prefix(self) -> str:
        return f"{self.base}:held:"

    def held(self, site: str) -> str:  # list: links to archived posts waiting for the site's maps
        return f"{self.held_prefix}{site}"

    @property
    def held_sites(self) -> str:  # set: sites with held links
        return f"{self.base}:held-sites"

    @property
    def rechecked(self) -> str:  # set once: one worker re-checks the archived pages not reached
        return f"{self.base}:rechecked"

    @property
    def confirmed(self) -> str:  # set: ids of archived pages a worker found unchanged
        return f"{self.base}:confirmed"

    @property
    def known(self) -> str:  # hash: article id -> its newest archived state (KnownPage, JSON)
        return f"{self.base}:known"
