"""Per-site discovery budgets shared by every worker of a distributed crawl.

A single machine counts what each site used in memory (``crawler.discovery.SiteBudgets``); ten
workers counting apart would give a site ten budgets. Here the counts live in one Redis hash of
the crawl, so the limits (and the one line a site gets when it reaches one) hold for the whole
crawl. A page request's units are checked and taken in one Lua script (``take``), so workers
racing for a site's last pages cannot overshoot its limits; the sitemap budgets grant what is
left of a site's units with one HINCRBY (``use``), which cannot overshoot either.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.discovery import SiteBudgets
from crawler.distributed.keys import Keys, redis_error
from crawler.distributed.scripts import TAKE_BUDGET

log = logging.getLogger(__name__)


class SharedBudgets(SiteBudgets):
    """``SiteBudgets`` with its counts in the crawl's Redis hash (``Keys.budgets``)."""

    def __init__(self, limits: dict[str, int], server: Any, keys: Keys) -> None:
        super().__init__(limits)
        self.server = server
        self.key = keys.budgets
        self._take = server.register_script(TAKE_BUDGET)

    def take(self, site: str, limits: tuple[str, ...]) -> str | None:
        capped = [limit for limit in limits if self.limits.get(limit, 0)]
        if not capped:
            return None
        args = [x for limit in capped for x in (f"used|{site}|{limit}", self.limits[limit])]
        try:
            refused = int(self._take(keys=[self.key], args=args))
        except redis_error() as exc:  # Redis lost: the coordinator stops the worker; count here
            log.warning("budget counts unavailable (%s): counting in this worker", exc)
            return super().take(site, limits)
        return capped[refused - 1] if refused else None

    def use(self, site: str, limit: str, n: int = 1) -> int:
        cap = self.limits.get(limit, 0)
        try:
            used = int(self.server.hincrby(self.key, f"used|{site}|{limit}", n))
        except redis_error():
            return super().use(site, limit, n)
        return n if not cap else max(0, min(n, n - (used - cap)))

    def refuse(self, site: str, limit: str, n: int = 1) -> bool:
        try:
            return int(self.server.hincrby(self.key, f"refused|{site}|{limit}", n)) == n
        except redis_error():
            return super().refuse(site, limit, n)
