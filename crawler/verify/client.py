"""The HTTP side of verification: one rate limit shared by every request, retries with
exponential back-off on 429 (its Retry-After honoured) and 5xx, a bounded number of tries, a
timeout on each. The standard library only (urllib): a few requests a second need no more."""

from __future__ import annotations

import email.utils
import http.client
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from pipelines.verify import Reply

# Tries per request (the first and three retries): a service down for longer is down for now,
# and its references are "unchecked" until the next run.
MAX_TRIES = 4
# Back-off before retry k (k = 1, 2, 3): BACKOFF_BASE * 2**(k-1) seconds: 0.5, 1, 2.
BACKOFF_BASE = 0.5
# A Retry-After longer than this (seconds) is not waited for: the request is given up as
# unchecked rather than holding the whole run (Crossref asks for seconds, not hours).
MAX_RETRY_AFTER = 120.0
# Bodies larger than this are cut (a work's metadata is a few KB; a search of 3 rows ~30 KB).
MAX_BODY = 8 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RateLimiter:
    """At most ``rate`` requests a second across all threads (0: no limit): each request takes
    the next free slot, 1/rate after the previous one."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class ClientCounts:
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0


class HttpClient:
    """GET with the etiquette, the shared rate limit and the retries. Thread-safe."""

    def __init__(
        self,
        user_agent: str,
        limiter: RateLimiter,
        timeout: float,
        tries: int = MAX_TRIES,
        backoff: float = BACKOFF_BASE,
    ) -> None:
        self.headers = {"User-Agent": user_agent, "Accept": "application/json"}
        self.limiter = limiter
        self.timeout = timeout
        self.tries = tries
        self.backoff = backoff
        self.counts = ClientCounts()
        self._lock = threading.Lock()

    def get(self, url: str) -> Reply:
        """The answer's status and body (any status but a retried one), or why there is none."""
        problem = ""
        for attempt in range(1, self.tries + 1):
            self.limiter.wait()
            with self._lock:
                self.counts.requests += 1
                self.counts.retries += attempt > 1
            delay = self.backoff * 2 ** (attempt - 1)
            try:
                request = urllib.request.Request(url, headers=self.headers)
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return Reply(response.status, response.read(MAX_BODY))
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUSES:
                    return Reply(exc.code, exc.read(MAX_BODY))
                problem = f"HTTP {exc.code}"
                asked = retry_after(exc.headers.get("Retry-After"))
                if asked is not None:
                    if asked > MAX_RETRY_AFTER:
                        return Reply(error=f"service error: HTTP {exc.code}, asked to wait {asked:.0f} s")
                    delay = max(delay, asked)
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                problem = f"network error: {reason}"
            if attempt < self.tries:
                time.sleep(delay)
        return Reply(error=f"service error: {problem} after {self.tries} tries")
