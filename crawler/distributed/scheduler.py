"""The scrapy-redis scheduler and queue of a distributed worker (crawler/distributed/).

Imported only by a worker's settings (``SCHEDULER``), so scrapy-redis stays an optional extra.
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.coordinator import Coordinator
from crawler.distributed.politeness import SitePoliteness, site_of
from crawler.distributed.scripts import ENQUEUE, POP
from crawler.queues import request_to_dict

log = logging.getLogger(__name__)


class InflightQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue, except that a popped request is moved (atomically) into
    this worker's in-flight hash, and its id is kept in ``meta["clinic_inflight"]``; its site's
    politeness lease is taken in the same step when the site may start now."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.coordinator: Coordinator = spider.coordinator
        self._pop = server.register_script(POP)
        # SitePoliteness, when the worker has it (it always has, unless a user disabled it)
        self.politeness: SitePoliteness | None = getattr(spider.crawler, "site_politeness", None)

    def _encode_request(self, request: Any) -> bytes:
        """The request's site, a newline, the request: the POP script reads the site."""
        site = site_of(request.url).encode()
        return site + b"\n" + self.serializer.dumps(request_to_dict(request, self.spider))

    def pop(self, timeout: int = 0) -> Any:
        while not self.coordinator.failed:
            try:
                request = self._pop_one()
                if request is None or not self.coordinator.over_budget(request):
                    return request
                if self.politeness is not None:
                    self.politeness.give_back(request)
            except RedisError as exc:
                self.coordinator.lost(exc)
        return None

    def _pop_one(self) -> Any:
        keys, args = [self.key, self.coordinator.inflight_key], ["", "", 0, 0]
        if self.politeness is not None:  # the site's politeness lease in the same round trip
            more_keys, args = self.politeness.pop_lease()
            keys += more_keys
        found = self._pop(keys=keys, args=args)
        if not found:
            return None
        inflight_id, data = found[0].decode(), found[1].split(b"\n", 1)[-1]
        try:
            request = self._decode_request(data)
        except Exception as exc:  # noqa: BLE001 - an undecodable entry must not stop the worker
            log.error("dropping an undecodable request from the shared queue: %s", exc)
            self.server.hdel(self.coordinator.inflight_key, inflight_id)
            self.coordinator.count("undecodable")
            return None
        request.meta["clinic_inflight"] = inflight_id
        request.meta.pop("clinic_site_lease", None)  # never a lease of another request
        if found[2]:
            self.politeness.leased(request, args[1])
        self.coordinator.taken(request)
        return request


class RedisScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis's scheduler; a request is marked seen and queued in one atomic step, and a
    request re-queued by this worker (a redirect, a retry) frees the in-flight entry of the
    request it replaces once the new one is safely in the queue."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        scheduler = super().from_crawler(crawler)
        # The engine asks an empty scheduler again every heartbeat (5 s by default): a worker
        # waiting for work should see another worker's new requests, and the end of the crawl,
        # sooner than that (a quarter of CLINIC_REDIS_HEARTBEAT: an idle ZCARD 4 times a second)
        poll = crawler.settings.getfloat("CLINIC_REDIS_HEARTBEAT", 1.0)
        if crawler.engine is not None and hasattr(crawler.engine, "_SLOT_HEARTBEAT_INTERVAL"):
            crawler.engine._SLOT_HEARTBEAT_INTERVAL = min(poll / 4, 5.0)
        return scheduler

    def open(self, spider: Any) -> Any:
        opened = super().open(spider)
        self._enqueue = self.server.register_script(ENQUEUE)
        return opened

    def enqueue_request(self, request: Any) -> bool:
        coordinator = self.spider.coordinator
        if coordinator.failed:  # stopping: the request that found this one will be re-queued
            return False
        replaced = request.meta.pop("clinic_inflight", None)
        try:
            queued = self._seen_and_queued(request)
            if replaced:
                coordinator.release(replaced)
        except RedisError as exc:
            coordinator.lost(exc)
            return False
        return queued

    def _seen_and_queued(self, request: Any) -> bool:
        """scrapy-redis's ``enqueue_request`` (dupefilter, then queue) as one Lua call."""
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        if not self._enqueue(keys=[self.df.key, self.queue.key], args=[fingerprint, -request.priority, data]):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True

    def has_pending_requests(self) -> bool:
        if self.spider.coordinator.failed:
            return False
        try:
            return super().has_pending_requests()
        except RedisError as exc:
            self.spider.coordinator.lost(exc)
            return False
