"""What the archive already holds, shared with a distributed crawl's workers, so that a recrawl
on many machines is incremental as on one: ``crawl --redis`` publishes the newest state of each
archived article of the seeds' sites (ETag, Last-Modified, last fetch, version) under the crawl's
``known`` key; each worker reads it when it starts, beside its own shard. With it a worker asks
for an archived post conditionally, skips one whose sitemap ``lastmod`` predates the last fetch,
and numbers a changed post's new version after the archive's newest.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from crawler.distributed.keys import Keys
from pipelines.archive import KnownPage

CHUNK = 1000  # fields per HSET, and per HSCAN page


def publish_known(server: Any, keys: Keys, pages: Iterable[KnownPage]) -> int:
    """Store ``pages`` under the crawl's ``known`` hash, in chunks; returns how many."""
    count, chunk = 0, {}
    for page in pages:
        chunk[page.id] = json.dumps(dataclasses.asdict(page), separators=(",", ":"))
        if len(chunk) >= CHUNK:
            server.hset(keys.known, mapping=chunk)
            count, chunk = count + len(chunk), {}
    if chunk:
        server.hset(keys.known, mapping=chunk)
        count += len(chunk)
    return count


def shared_known(server: Any, keys: Keys, own: dict[str, KnownPage]) -> dict[str, KnownPage]:
    """The worker's own shard's pages with the crawl's published ones, by id, the newer version
    of each (the shard's on a tie: it may hold a version written after the publishing)."""
    known = dict(own)
    fields = {f.name for f in dataclasses.fields(KnownPage)}
    for _id, raw in server.hscan_iter(keys.known, count=CHUNK):
        try:
            data = json.loads(raw)
            page = KnownPage(**{k: v for k, v in data.items() if k in fields})
        except (ValueError, TypeError):
            continue  # not ours, or from another version: that page is fetched as new
        mine = known.get(page.id)
        if mine is None or page.version > mine.version:
            known[page.id] = page
    return known
