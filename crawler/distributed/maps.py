"""Sitemaps and feeds read crawl-wide, so that a distributed recrawl spares unchanged posts on a
server that sends no ETag or Last-Modified as a single-machine one does (crawler/spiders/recrawl.py).

Only a sitemap's ``lastmod`` (or an Atom entry's ``updated``) can say an archived post has not
changed on such a server, and a home page's "Recent posts" links reach the posts first. On one
machine the spider holds those links until the site's maps are read; with several workers the
map may be read by one worker and the link found by another, so the state lives on Redis: which
map URLs were asked for and read, how many are pending per site, and the held links themselves
(a list per site, returned to whichever worker reads the site's last map; what is left when
nothing else is, to whichever worker finds the crawl otherwise done). Each step is one Lua script.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from crawler.distributed.keys import Keys
from crawler.distributed.scripts import DRAIN_HELD, HOLD, MAP_ASKED, MAP_READ

Held = tuple[str, int, str]  # (url, priority, via) of a link to an archived post
Taken = tuple[list[Held], list[str]]  # held links handed to a worker, and their in-flight fields


class SharedMaps:
    """The crawl's map and held-link state on Redis."""

    def __init__(self, server: Any, keys: Keys) -> None:
        self.server = server
        self.keys = keys
        self._asked = server.register_script(MAP_ASKED)
        self._read = server.register_script(MAP_READ)
        self._hold = server.register_script(HOLD)
        self._drain = server.register_script(DRAIN_HELD)

    def asked(self, url: str, site: str) -> bool:
        """True the first time any worker asks for this map URL (it is then pending for ``site``)."""
        keys = [self.keys.maps_asked, self.keys.maps_pending, self.keys.maps_started]
        return bool(self._asked(keys=keys, args=[url, site]))

    def read(self, url: str, site: str, inflight: str) -> Taken:
        """The map is answered: the links held for ``site`` when it was the last one pending.
        They stay in the worker's in-flight hash ``inflight`` until it removes their fields (the
        second list), so that a worker killed before queueing them loses none (scripts.REQUEUE)."""
        keys = [
            self.keys.maps_asked,
            self.keys.maps_read,
            self.keys.maps_pending,
            self.keys.held(site),
            self.keys.held_sites,
            inflight,
        ]
        return _taken(self._read(keys=keys, args=[url, site]))

    def hold(self, site: str, held: Held) -> bool:
        """Hold a link until the site's maps are read; False when they are (follow it now)."""
        keys = [self.keys.maps_started, self.keys.maps_pending, self.keys.held(site), self.keys.held_sites]
        return bool(self._hold(keys=keys, args=[site, json.dumps(list(held))]))

    def drain(self, inflight: str) -> Taken:
        """Every held link, for the worker that finds nothing else left in the crawl (in its
        in-flight hash until it removes them, as ``read``)."""
        return _taken(self._drain(keys=[self.keys.held_sites, inflight], args=[self.keys.held_prefix]))

    def confirmed(self, page_id: str) -> bool:
        """Some worker found this archived page unchanged (a 304, a sitemap lastmod)."""
        return bool(self.server.sismember(self.keys.confirmed, page_id))

    def confirmed_many(self, page_ids: list[str]) -> list[bool]:
        """``confirmed`` for many pages."""
        return members(self.server, self.keys.confirmed, page_ids)


def members(server: Any, key: str, items: list[str]) -> list[bool]:
    """Whether each item is in the Redis set ``key``: one round trip per thousand items."""
    found: list[bool] = []
    for i in range(0, len(items), 1000):
        found += [bool(x) for x in server.smismember(key, items[i : i + 1000])]
    return found


def _taken(raws: list[bytes]) -> Taken:
    """Held links as returned by MAP_READ or DRAIN_HELD, with their in-flight fields."""
    held: list[Held] = []
    for raw in raws:
        url, priority, via = json.loads(raw)
        held.append((url, int(priority), via))
    return held, ["held:" + hashlib.sha1(raw).hexdigest() for raw in raws]
