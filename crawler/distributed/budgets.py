"""Per-site discovery budgets shared by every worker of a distributed crawl.

A single machine counts what each site used in memory (``crawler.discovery.SiteBudgets``); ten
workers counting apart would give a site ten budgets. Here the counts live in one Redis hash of
the crawl, so the limits (and the one line a site gets when it reaches one) hold for the whole
crawl. Checking and taking are two round trips, so workers racing for a site's last units can
overshoot a limit by a few requests: bounded by the workers' concurrency, not by the input.
"""

from __future__ import annotations

import logging
from typing import Any

from crawler.discovery import SiteBudgets
from crawler.distributed.keys import Keys, redis_error

log = logging.getLogger(__name__)


class SharedBudgets(SiteBudgets):
    """``SiteBudgets`` with its counts in the crawl's Redis hash (``Keys.budgets``)."""

    def __init__(self, limits: dict[str, int], server: Any, keys: Keys) -> None:
        super().__init__(limits)
        self.server = server
        self.key = keys.budgets

    def allows(self, site: str, limit: str) -> bool:
        cap = self.limits.get(limit, 0)
        if not cap:
            return True
        try:
            used = int(self.server.hget(self.key, f"used|{site}|{limit}") or 0)
        except redis_error() as exc:  # Redis lost: the coordinator stops the worker; count here
            log.warning("budget counts unavailable (%s): counting in this worker", exc)
            return super().allows(site, limit)
        return used < cap

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
