"""Politeness for the whole crawl: per-site leases and next-start times on Redis, so a site sees
the same concurrency and delay from ten workers as from one."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import sleep

from crawler.distributed.keys import Keys, redis_error
from crawler.distributed.scripts import ACQUIRE_SITE, RELEASE_SITE

log = logging.getLogger(__name__)


def site_of(url: str) -> str:
    """The politeness site of a URL: its host and port, as Scrapy's per-domain slots."""
    return urlsplit(url).netloc.lower()


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
        self._from_queue: dict[str, Any] = {}  # lease token -> the request it was taken with
        crawler.site_politeness = self  # the worker's queue takes leases with requests

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

        return cls(crawler, connection.from_settings(settings), Keys(crawl), concurrency, interval)

    def _site_keys(self, url: str) -> list[str]:
        site = site_of(url)
        return [self.keys.site_leases(site), self.keys.site_next(site), self.keys.leases_of(self.worker)]

    def _token(self) -> str:
        self._serial += 1
        return f"{self.worker}:{self._serial}"

    def pop_lease(self) -> tuple[list[str], list[Any]]:
        """The extra KEYS and ARGV of scripts.POP: take the popped request's site lease in the
        same round trip when the site may start now (``leased`` then records it)."""
        return [self.keys.leases_of(self.worker)], [
            self.keys.slot_prefix,
            self._token(),
            self.concurrency,
            self.lease_ms,
        ]

    def leased(self, request: Any, token: str) -> None:
        """The queue took ``request``'s lease with it: ``process_request`` need not ask again."""
        self._from_queue[token] = request
        request.meta["clinic_site_lease"] = token
        self.crawler.stats.inc_value("clinic/distributed/leases_with_request")

    def _unused_lease(self, request: Any) -> str | None:
        """A lease the queue took for this request, or else for another request of the same site
        that has not reached this middleware yet: a request made on the way (Scrapy's robots.txt
        middleware fetches the site's robots.txt while the page request waits for it) would
        otherwise wait for the very lease the waiting request holds. It takes that lease, and
        the waiting request asks for one of its own when it gets here."""
        token = request.meta.get("clinic_site_lease")
        if self._from_queue.pop(token, None) is not None:
            return token
        site = site_of(request.url)
        for token, holder in self._from_queue.items():
            if site_of(holder.url) == site:
                del self._from_queue[token]
                holder.meta.pop("clinic_site_lease", None)
                request.meta["clinic_site_lease"] = token
                self.crawler.stats.inc_value("clinic/distributed/leases_passed_on")
                return token
        return None

    async def process_request(self, request: Any, spider: Any = None) -> None:
        if self._unused_lease(request) is not None:
            return None
        token = self._token()
        keys = self._site_keys(request.url)
        waited = False
        while True:
            try:
                wait_ms = self._acquire(keys=keys, args=[token, self.concurrency, self.lease_ms])
            except redis_error() as exc:
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

    def give_back(self, request: Any) -> None:
        """The request's lease returns, and the site's next start is set an interval on."""
        token = request.meta.pop("clinic_site_lease", None)
        if not token:
            return
        self._from_queue.pop(token, None)
        keys, args = self._site_keys(request.url)[:2], [token, self.interval_ms]
        coordinator = getattr(self.crawler.spider, "coordinator", None)
        if coordinator is not None:  # with the worker's other commands of this turn (batch.py)
            coordinator.batch.later(self._release, keys=keys, args=args)
            return
        try:
            self._release(keys=keys, args=args)
        except redis_error() as exc:  # the lease expires by itself; the worker is stopping
            log.error("could not return a politeness lease to Redis: %s", exc)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self.give_back(request)
        return response

    def process_exception(self, request: Any, exception: Exception, spider: Any = None) -> None:
        self.give_back(request)
        return None
