"""A worker's part in the shared crawl: its in-flight requests, heartbeats, handing a dead
worker's requests back to the queue, and closing only when the whole crawl is done."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.distributed.batch import Batch
from crawler.distributed.keys import INSTALL_HINT, Keys, redis_error
from crawler.distributed.maps import SharedMaps, members
from crawler.distributed.scripts import BEAT, FINISH, POP_SEED, REQUEUE
from pipelines.record import clean_url

log = logging.getLogger(__name__)


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
        self._riders: dict[str, list[str]] = {}  # map URL -> held links taken with it (maps.py)
        self._beat = server.register_script(BEAT)
        self._requeue = server.register_script(REQUEUE)
        self._finish = server.register_script(FINISH)
        self._pop_seed = server.register_script(POP_SEED)
        self.maps = SharedMaps(server, self.keys)  # sitemaps read and links held, crawl-wide
        self.batch = Batch(server, self.lost)  # commands whose answer no one waits for (batch.py)
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
        server = connection.from_settings(crawler.settings)
        return cls(crawler, server, crawl, crawler.settings.get("CLINIC_SHARD"))

    def known_pages(self, own: dict[str, Any]) -> dict[str, Any]:
        """The worker's own archived pages with those ``crawl --redis`` published (known.py)."""
        from crawler.distributed.known import shared_known

        known = shared_known(self.server, self.keys, own)
        log.info("%d archived pages known to this worker (%d from its own shard)", len(known), len(own))
        return known

    def reached(self, urls: list[str]) -> list[bool]:
        """Whether any worker of the crawl requested each URL (the shared duplicate filter)."""
        import scrapy
        from scrapy_redis.dupefilter import RFPDupeFilter

        dupefilter = RFPDupeFilter(self.server, key=self.keys.dupefilter)
        prints = [dupefilter.request_fingerprint(scrapy.Request(url)) for url in urls]
        return members(self.server, self.keys.dupefilter, prints)

    def confirm(self, page_id: str) -> bool:
        """True the first time any worker of the crawl finds this archived page unchanged, so
        that sites.jsonl counts it once however many workers reached it."""
        try:
            return bool(self.server.sadd(self.keys.confirmed, page_id))
        except redis_error() as exc:
            self.lost(exc)
            return False

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
        self.batch.flush()
        # Whatever this worker still held (a shutdown part-way) goes back for the others.
        try:
            moved = self._run_requeue(-1)[0]
        except redis_error() as exc:
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
        except redis_error() as exc:
            self.lost(exc)

    def _run_requeue(self, silent_ms: int) -> list[Any]:
        """REQUEUE for the workers silent longer than ``silent_ms``, or for this one (-1)."""
        return self._requeue(**self.keys.requeue_call(silent_ms, self.worker))

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
        self.batch.flush()  # what this worker finished must be off its in-flight hash first
        done = self._finish(**self.keys.finish_call(self.worker))
        if done == 2:  # nothing left but links held for maps that never answered: follow them
            held, fields = self.maps.drain(self.inflight_key)
            self.crawler.spider.follow_held(held)  # queued on Redis now
            self.batch.later("hdel", self.inflight_key, *fields)
            raise DontCloseSpider
        if done == 3:  # discovery is over everywhere: this worker re-checks what it did not reach
            asked = self.crawler.spider.recheck_archived(self.reached)  # queued on Redis now
            self.server.set(self.keys.rechecked, "done")  # only then may the crawl finish
            log.info("re-checking %d archived pages no worker reached", asked)
            raise DontCloseSpider
        if done:
            self.finished = True
            log.info("crawl %s is done: no request left on Redis", self.keys.crawl)
            return
        if self._by_url or self._riders:
            # Idle, so the engine has finished every request it took; one whose page never
            # reported "done" would hold the crawl open for ever. Say so, and let it go.
            unsettled = sorted(set(self._by_url) | set(self._riders))
            log.warning("requests finished without being settled: %s", ", ".join(unsettled))
            self.count("unsettled", len(unsettled))
            fields = [*self._by_url.values(), *(f for riders in self._riders.values() for f in riders)]
            self.server.hdel(self.inflight_key, *fields)
            self._by_url.clear()
            self._riders.clear()
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
        self.batch.later("hdel", self.inflight_key, inflight_id)
        for url, held in list(self._by_url.items()):
            if held == inflight_id:
                del self._by_url[url]

    def map_read(self, url: str, site: str) -> list[Any]:
        """A sitemap or feed was answered (maps.read): the links held for its site when it was
        the last, which leave the in-flight hash with the map's own request (``done``)."""
        held, fields = self.maps.read(url, site, self.inflight_key)
        if fields:
            self._riders.setdefault(clean_url(url) or url, []).extend(fields)
        return held

    def done(self, *urls: str | None) -> None:
        """The work for these URLs is archived: their requests leave the in-flight hash, with
        any held links taken with them. (The spider does not call this once the crawl is
        stopping on an output error.)"""
        keys = {clean_url(u) or u for u in urls if u}
        ids = [self._by_url.pop(key, None) for key in keys]
        ids = [i for i in ids if i] + [f for key in keys for f in self._riders.pop(key, [])]
        if ids and not self.failed:
            self.batch.later("hdel", self.inflight_key, *ids)
