"""Distributed crawling on scrapy-redis: one named crawl on Redis, any number of workers.

scrapy-redis gives the shared request queue (a sorted set, by priority) and the shared
duplicate filter (a set of fingerprints). This module adds what it leaves out:

- **Per-crawl keys.** Everything lives under ``clinic-archive:<crawl>:``, so a new crawl of the
  same sites starts with an empty duplicate filter, and ``crawl-clean`` removes one crawl's keys.
- **Nothing lost when a worker dies.** A request leaves the queue and enters the worker's
  in-flight hash in one Lua script; it leaves that hash when its page is archived (the same
  "done" the resume ledger uses). Workers heartbeat into a hash; any worker that finds another
  silent for ``CLINIC_WORKER_TIMEOUT`` seconds moves that worker's in-flight requests back to the
  queue. A page archived just before the kill may then be archived again by another worker:
  ``merge`` drops that repeat (same id and content hash).
- **Workers stay until the crawl is done,** not until their own queue runs dry: a worker closes
  once the seeds list, the queue and every worker's in-flight hash are empty at one instant
  (checked in one script), and then every other worker closes too.
- **Politeness for the whole crawl.** Before each request to a site, a worker takes one of the
  site's leases on Redis (``CLINIC_SITE_CONCURRENCY``, by default ``CONCURRENT_REQUESTS_PER_DOMAIN``)
  and waits for the site's next allowed start; the response returns the lease and sets the next
  start ``CLINIC_SITE_INTERVAL`` seconds on (``DOWNLOAD_DELAY`` by default). So a site sees the
  same concurrency and delay from ten workers as from one (``SitePoliteness``).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import create_looping_call, sleep

from pipelines.record.urls import clean_url


class RedisError(Exception):
    """redis-py's base error once a worker starts using Redis (``_use_redis``). Not imported
    here: a single-machine crawl loads this module too, and redis-py costs ~50 ms of start-up."""


def _use_redis() -> None:
    """From now on ``except RedisError`` (a lookup of this module's global) catches redis-py's errors."""
    global RedisError
    import redis.exceptions

    RedisError = redis.exceptions.RedisError  # type: ignore[misc]


log = logging.getLogger(__name__)

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

    def site_leases(self, site: str) -> str:  # sorted set: lease token -> expiry, ms
        return f"{self.base}:slot:{site}:leases"

    def site_next(self, site: str) -> str:  # the earliest next start for the site, ms
        return f"{self.base}:slot:{site}:next"

    @property
    def page_count(self) -> str:  # page requests taken from the queue, against --max-pages
        return f"{self.base}:page-count"

    @property
    def finished(self) -> str:  # set once, when nothing is left anywhere
        return f"{self.base}:finished"

    @property
    def events(self) -> str:  # hash of counters: requeued requests, dead workers
        return f"{self.base}:events"


# --- Lua: each runs atomically on the server ----------------------------------------------

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

# Mark a request seen and queue it at once (KEYS: dupefilter set, queue; ARGV: fingerprint or ""
# for dont_filter, score, request). scrapy-redis makes two calls: a worker killed between them
# left the request seen but never queued, and whoever re-ran its parent then dropped it as seen.
ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# Take the best request: out of the queue and into this worker's in-flight hash at once.
POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
return {id, r[1]}
"""

# Take a seed URL the same way (it is in flight until its first requests are queued).
POP_SEED = """
local url = redis.call('LPOP', KEYS[1])
if not url then return false end
redis.call('HSET', KEYS[2], 'seed:' .. url, 'seed|' .. url)
return url
"""

BEAT = (
    _NOW
    + """
local alive = redis.call('HEXISTS', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], now)
return alive
"""
)

# Move in-flight requests of dead workers (silent for ARGV[2] ms; or exactly ARGV[3] when
# ARGV[2] is -1: a worker releasing its own) back to the queue, seeds back to the seeds list.
REQUEUE = (
    _NOW
    + """
local workers = redis.call('HGETALL', KEYS[1])
local moved = 0
local gone = {}
for i = 1, #workers, 2 do
  local w = workers[i]
  local silent = now - tonumber(workers[i + 1])
  local release = tonumber(ARGV[2]) < 0 and w == ARGV[3]
  local dead = tonumber(ARGV[2]) >= 0 and w ~= ARGV[3] and silent > tonumber(ARGV[2])
  if release or dead then
    local key = ARGV[1] .. w
    local items = redis.call('HGETALL', key)
    for j = 1, #items, 2 do
      local v = items[j + 1]
      local bar = string.find(v, '|', 1, true)
      local score = string.sub(v, 1, bar - 1)
      if score == 'seed' then
        redis.call('RPUSH', KEYS[3], string.sub(v, bar + 1))
      else
        redis.call('ZADD', KEYS[2], score, string.sub(v, bar + 1))
      end
      moved = moved + 1
    end
    redis.call('DEL', key)
    redis.call('HDEL', KEYS[1], w)
    -- its politeness leases go too: the sites are free for the other workers at once
    local used = ARGV[4] .. w
    for _, lease_key in ipairs(redis.call('SMEMBERS', used)) do
      for _, token in ipairs(redis.call('ZRANGE', lease_key, 0, -1)) do
        if string.sub(token, 1, #w + 1) == w .. ':' then redis.call('ZREM', lease_key, token) end
      end
    end
    redis.call('DEL', used)
    if dead then
      table.insert(gone, w)
      redis.call('HINCRBY', KEYS[4], 'dead_workers', 1)
    end
    redis.call('HINCRBY', KEYS[4], 'requeued', #items / 2)
  end
end
table.insert(gone, 1, moved)
return gone
"""
)

# Done when no seed, no queued request and no in-flight request is left, at one instant.
FINISH = """
if redis.call('EXISTS', KEYS[4]) == 1 then return 1 end
if redis.call('LLEN', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, w in ipairs(redis.call('HKEYS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. w) > 0 then return 0 end
end
local t = redis.call('TIME')
redis.call('SET', KEYS[4], t[1])
return 1
"""

# Per-site politeness (SitePoliteness). KEYS[1]: leases (token -> expiry ms), KEYS[2]: the
# earliest next start (ms). Acquire: 0 when the lease is taken; -1 when the site is at its
# concurrency limit; else ms until the next start is allowed.
ACQUIRE_SITE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return next_start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
redis.call('SADD', KEYS[3], KEYS[1])
return 0
"""
)
# Release: the lease goes, and the next request may start ARGV[2] ms from now.
RELEASE_SITE = (
    _NOW
    + """
redis.call('ZREM', KEYS[1], ARGV[1])
local next_start = now + tonumber(ARGV[2])
if next_start > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], next_start, 'PX', tonumber(ARGV[2]) + 1000)
end
return 0
"""
)


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

    from pipelines.archive.jsonl import new_crawl_id

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
        "SCHEDULER": "crawler.redis_scheduler.RedisScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.redis_scheduler.InflightQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker that closes must not wipe the shared queue
        "REDIS_URL": redis_url,
        "CLINIC_REDIS_CRAWL": crawl,
        "CLINIC_SHARD": check_name(worker, "worker"),
        "JOBDIR": None,  # the queue and the in-flight hashes on Redis are the job state
    }


class Coordinator:
    """A worker's side of the crawl: heartbeat, seeds, in-flight bookkeeping, when to stop.
    The spider gets it as ``spider.coordinator`` and uses it as its ledger (``done``)."""

    def __init__(self, crawler: Any, server: Any, crawl: str, worker: str) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = Keys(crawl)
        self.worker = worker
        self.inflight_key = self.keys.inflight(worker)
        settings = crawler.settings
        self.heartbeat_s = settings.getfloat("CLINIC_REDIS_HEARTBEAT", 1.0)
        self.timeout_ms = int(settings.getfloat("CLINIC_WORKER_TIMEOUT", 30.0) * 1000)
        self._by_url: dict[str, str] = {}  # clean URL -> in-flight id of the request fetching it
        self._beat = server.register_script(BEAT)
        self._requeue = server.register_script(REQUEUE)
        self._finish = server.register_script(FINISH)
        self._pop_seed = server.register_script(POP_SEED)
        self._loop: Any = None
        self.finished = False
        self.declared_dead = False
        self.failed = False  # Redis was lost: the worker is stopping

    @classmethod
    def from_settings(cls, crawler: Any) -> Coordinator | None:
        crawl = crawler.settings.get("CLINIC_REDIS_CRAWL")
        if not crawl:
            return None
        try:
            from scrapy_redis import connection
        except ImportError as exc:
            raise NotConfigured(INSTALL_HINT) from exc
        _use_redis()
        server = connection.from_settings(crawler.settings)
        return cls(crawler, server, crawl, crawler.settings.get("CLINIC_SHARD"))

    def count(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"clinic/distributed/{key}", n)

    def lost(self, exc: Exception) -> None:
        """Redis is gone: stop this worker. Nothing it holds is settled from now on, so once it
        is taken for dead its in-flight requests go back to the queue for the other workers."""
        if self.failed:
            return
        self.failed = True
        from pipelines.scrapy_adapters import stop_crawl

        stop_crawl(
            self.crawler,
            f"lost the connection to Redis ({exc}); this worker's unfinished requests stay on Redis "
            "and go back to the queue when it is taken for dead",
        )

    # --- lifecycle --------------------------------------------------------------------

    def open(self) -> None:
        self._requeue_dead()
        self._beat(keys=[self.keys.workers], args=[self.worker])
        self._loop = create_looping_call(self.tick)
        self._loop.start(self.heartbeat_s, now=True)

    def close(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.failed:
            return
        # Whatever this worker still held (a shutdown part-way) goes back for the others.
        try:
            moved = self._run_requeue(-1)[0]
        except RedisError as exc:
            log.error(
                "could not hand back unfinished requests (%s): they go back when this worker "
                "is taken for dead",
                exc,
            )
            return
        if moved:
            log.info("handed %d unfinished requests back to the shared queue", moved)
            self.count("handed_back", moved)

    def tick(self) -> None:
        """Every heartbeat: say we are alive, rescue dead workers' requests, take seeds."""
        try:
            alive = self._beat(keys=[self.keys.workers], args=[self.worker])
            if not alive and not self.declared_dead:
                # Another worker thought us dead (we were silent too long) and re-queued what
                # we held: those pages may be fetched twice; merge keeps one copy of each.
                self.declared_dead = True
                log.warning("another worker declared this one dead; its requests were re-queued")
                self.count("declared_dead")
            self._requeue_dead()
            self._take_seeds()
        except RedisError as exc:
            self.lost(exc)

    def _run_requeue(self, silent_ms: int) -> list[Any]:
        """REQUEUE for the workers silent longer than ``silent_ms``, or for this one (-1)."""
        return self._requeue(
            keys=[self.keys.workers, self.keys.requests, self.keys.seeds, self.keys.events],
            args=[self.keys.inflight_prefix, silent_ms, self.worker, self.keys.leases_prefix],
        )

    def _requeue_dead(self) -> None:
        result = self._run_requeue(self.timeout_ms)
        moved, dead = int(result[0]), [w.decode() for w in result[1:]]
        if dead:
            log.warning("workers %s stopped answering: %d requests back in the queue", ", ".join(dead), moved)
            self.count("requeued", moved)
            self.count("dead_workers", len(dead))

    def _take_seeds(self) -> None:
        spider = self.crawler.spider
        engine = self.crawler.engine
        while engine is not None and spider is not None:
            url = self._pop_seed(keys=[self.keys.seeds, self.inflight_key])
            if not url:
                return
            url = url.decode()
            for request in spider.seed_requests(url):
                engine.crawl(request)  # queued on Redis before the seed leaves the in-flight hash
            self.server.hdel(self.inflight_key, f"seed:{url}")
            self.count("seeds")

    def on_idle(self) -> None:
        """Nothing to do here right now: stay unless the whole crawl is done."""
        if self.finished or self.failed:
            return
        done = self._finish(
            keys=[self.keys.seeds, self.keys.requests, self.keys.workers, self.keys.finished],
            args=[self.keys.inflight_prefix],
        )
        if done:
            self.finished = True
            log.info("crawl %s is done: no request left on Redis", self.keys.crawl)
            return
        if self._by_url:
            # Idle, so the engine has finished every request it took; one whose page never
            # reported "done" would hold the crawl open for ever. Say so, and let it go.
            log.warning("requests finished without being settled: %s", ", ".join(sorted(self._by_url)))
            self.count("unsettled", len(self._by_url))
            self.server.hdel(self.inflight_key, *self._by_url.values())
            self._by_url.clear()
        raise DontCloseSpider

    def over_budget(self, request: Any) -> bool:
        """A page request just taken from the queue, past the crawl's --max-pages: each page
        request leaves the (de-duplicated) queue once, so counting here counts every page once."""
        spider = self.crawler.spider
        if not spider.max_pages or getattr(request.callback, "__name__", None) != "parse_page":
            return False
        if self.server.incr(self.keys.page_count) <= spider.max_pages:
            return False
        self.release(request.meta["clinic_inflight"])
        self.crawler.stats.inc_value("clinic/skipped/max_pages")
        return True

    # --- in-flight bookkeeping (``done`` is the spider's ledger interface) --------------

    def taken(self, request: Any) -> None:
        self._by_url[clean_url(request.url) or request.url] = request.meta["clinic_inflight"]

    def release(self, inflight_id: str) -> None:
        self.server.hdel(self.inflight_key, inflight_id)
        for url, held in list(self._by_url.items()):
            if held == inflight_id:
                del self._by_url[url]

    def done(self, *urls: str | None) -> None:
        """The work for these URLs is archived: their requests leave the in-flight hash. (The
        spider does not call this once the crawl is stopping on an output error.)"""
        ids = [self._by_url.pop(clean_url(u) or u, None) for u in {u for u in urls if u}]
        ids = [i for i in ids if i]
        if ids and not self.failed:
            try:
                self.server.hdel(self.inflight_key, *ids)
            except RedisError as exc:
                self.lost(exc)


class SitePoliteness:
    """Downloader middleware of a distributed worker: per-site politeness for the whole crawl.

    Each site has, on Redis, a set of leases (requests in flight, by any worker) and the earliest
    time its next request may start. A request waits until fewer than ``CLINIC_SITE_CONCURRENCY``
    leases are held and that time has come; its response (or failure) returns the lease and sets
    the next start to ``CLINIC_SITE_INTERVAL`` seconds later. With a concurrency of 1 this is
    Scrapy's own per-site delay, counted across all workers. The leases of a worker taken for dead
    are freed with its requests; any lease never returned expires after ``DOWNLOAD_TIMEOUT``
    seconds plus a margin."""

    POLL = 0.05  # seconds between two tries while the site is at its concurrency limit

    def __init__(self, crawler: Any, server: Any, keys: Keys, concurrency: int, interval: float) -> None:
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.concurrency = max(1, concurrency)
        self.interval_ms = max(0, int(interval * 1000))
        self.lease_ms = int((crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 30) * 1000)
        self._acquire = server.register_script(ACQUIRE_SITE)
        self._release = server.register_script(RELEASE_SITE)
        self.worker = crawler.settings.get("CLINIC_SHARD") or "worker"
        self._serial = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SitePoliteness:
        settings = crawler.settings
        crawl = settings.get("CLINIC_REDIS_CRAWL")
        if not crawl:
            raise NotConfigured  # a single-machine crawl: off, silently (a message would be a WARNING)
        interval = settings.get("CLINIC_SITE_INTERVAL")
        interval = float(interval) if interval not in (None, "") else settings.getfloat("DOWNLOAD_DELAY")
        concurrency = settings.get("CLINIC_SITE_CONCURRENCY")
        concurrency = (
            int(concurrency)
            if concurrency not in (None, "")
            else settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        )
        from scrapy_redis import connection

        _use_redis()
        return cls(crawler, connection.from_settings(settings), Keys(crawl), concurrency, interval)

    def _site_keys(self, url: str) -> list[str]:
        site = urlsplit(url).netloc.lower()
        return [self.keys.site_leases(site), self.keys.site_next(site), self.keys.leases_of(self.worker)]

    async def process_request(self, request: Any, spider: Any = None) -> None:
        self._serial += 1
        token = f"{self.worker}:{self._serial}"
        keys = self._site_keys(request.url)
        waited = False
        while True:
            try:
                wait_ms = self._acquire(keys=keys, args=[token, self.concurrency, self.lease_ms])
            except RedisError as exc:
                coordinator = getattr(spider or self.crawler.spider, "coordinator", None)
                if coordinator is not None:
                    coordinator.lost(exc)
                raise IgnoreRequest(f"lost the connection to Redis: {exc}") from exc
            if not wait_ms:
                break
            waited = True
            await sleep(min(int(wait_ms) / 1000, 1.0) if int(wait_ms) > 0 else self.POLL)
        request.meta["clinic_site_lease"] = token
        if waited:
            self.crawler.stats.inc_value("clinic/distributed/politeness_waits")
        return None

    def _give_back(self, request: Any) -> None:
        token = request.meta.pop("clinic_site_lease", None)
        if token:
            try:
                self._release(keys=self._site_keys(request.url)[:2], args=[token, self.interval_ms])
            except RedisError as exc:  # the lease expires by itself; the worker is stopping
                log.error("could not return a politeness lease to Redis: %s", exc)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self._give_back(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self._give_back(request)
        return None
