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

Modules by role: ``keys`` (names on Redis), ``scripts`` (the Lua scripts), ``crawls`` (creating,
inspecting and cleaning a crawl; a worker's settings), ``coordinator`` (a worker's in-flight
requests, heartbeats and the end of the crawl), ``politeness`` (per-site leases), ``known``
(the archive's pages, shared for an incremental recrawl), ``maps`` (sitemaps read and links
held crawl-wide) and ``scheduler`` (the scrapy-redis scheduler and queue, imported only by a
worker's settings so that scrapy-redis stays an optional extra).
"""

from crawler.distributed.budgets import SharedBudgets
from crawler.distributed.coordinator import Coordinator
from crawler.distributed.crawls import (
    clean_crawl,
    connect,
    crawl_meta,
    crawl_status,
    create_crawl,
    list_crawls,
    worker_settings,
    workers_of,
)
from crawler.distributed.keys import DistributedError, Keys, check_name, default_worker_id, redis_error
from crawler.distributed.known import publish_known
from crawler.distributed.politeness import SitePoliteness

__all__ = [
    "Coordinator",
    "DistributedError",
    "Keys",
    "SharedBudgets",
    "SitePoliteness",
    "check_name",
    "clean_crawl",
    "connect",
    "crawl_meta",
    "crawl_status",
    "create_crawl",
    "default_worker_id",
    "list_crawls",
    "publish_known",
    "redis_error",
    "worker_settings",
    "workers_of",
]
