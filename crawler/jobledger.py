"""A write-ahead ledger next to Scrapy's JOBDIR, so an interrupted crawl resumes without loss.

Scrapy's JOBDIR persists the scheduler queue only on a clean shutdown, and marks requests as
seen when they are queued, so requests in flight at a stop, and the whole queue after a kill,
would never be fetched again. The ledger appends one JSON line per event, each with a single
``write()``: a request scheduled, handed to the downloader, and done (its page item archived
or dropped; a response without one once every request its callback yielded has been
scheduled: see ``Settled``). On resume, what was never
done is requested again: after a clean stop only what was in flight (the queue is restored
by Scrapy), after a kill everything unfinished (and Scrapy's unreliable queue is discarded).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.exceptions import IgnoreRequest

from pipelines.archive import iter_lines, repair_torn_tail
from pipelines.record import clean_url

LEDGER = "clinic-ledger.jsonl"
JOB = "clinic-job.json"
# Request meta worth keeping to rebuild a request (all plain values).
KEPT_META = (
    "probe", "stage", "seed", "listing", "via", "site_root", "dont_obey_robotstxt",
    "playwright", "render_scroll", "render_again",  # pages through the browser (crawler/fetch/render.py)
)  # fmt: skip


def _key(url: str) -> str:
    return clean_url(url) or url


def job_crawl_id(jobdir: str | Path) -> str | None:
    """The crawl id an earlier, interrupted run of this job used, if there was one."""
    job = Path(jobdir) / JOB
    return json.loads(job.read_text("utf-8"))["crawl_id"] if job.exists() else None


@dataclass(slots=True)
class Recovery:
    """What an earlier run of this job left unfinished."""

    clean_stop: bool
    requests: list[dict[str, Any]] = field(default_factory=list)


class JobLedger:
    """``on_error`` is told, once, when an event cannot be written (disk full, quota): the crawl
    must stop then, since a resume could no longer trust the ledger. A request whose "scheduled"
    event was not written is refused (IgnoreRequest), so it never enters Scrapy's queue or
    duplicate filter: a resumed crawl finds it again from its parent, which is not done."""

    def __init__(self, jobdir: str | Path, on_error: Callable[[OSError], None] | None = None) -> None:
        self.jobdir = Path(jobdir)
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.path = self.jobdir / LEDGER
        self.on_error = on_error
        self.failed = False
        self.resuming = self.path.exists() and self.path.stat().st_size > 0
        self.recovery = self._read() if self.resuming else Recovery(clean_stop=True)
        repair_torn_tail(self.path, keep=False)  # an event cut by a kill or a full disk: ours, not data
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._write({"e": "run"})

    # --- job identity ---------------------------------------------------------------------

    def crawl_id(self, new_id: str) -> str:
        """The job's crawl id: the one the first run chose, so a resumed crawl keeps it."""
        existing = job_crawl_id(self.jobdir)
        if existing:
            return existing
        (self.jobdir / JOB).write_text(json.dumps({"crawl_id": new_id}), "utf-8")
        return new_id

    def discard_scrapy_queue(self) -> None:
        """After a kill Scrapy's queue state is stale or torn; the ledger knows better."""
        shutil.rmtree(self.jobdir / "requests.queue", ignore_errors=True)

    def rebuild_if_damaged(self, lifo_queue: bool = True) -> str | None:
        """After a clean stop Scrapy restores its own queue, unless a full disk or a crash left it
        damaged (a 0-byte ``active.json`` made every rerun stop at once, forever): then the queue
        is discarded and every unfinished request comes from the ledger, as after a kill.
        Returns what was wrong, or None."""
        if not self.resuming or not self.recovery.clean_stop:
            return None
        damage = scrapy_queue_damage(self.jobdir / "requests.queue", lifo_queue)
        if damage:
            self.discard_scrapy_queue()
            self.recovery = self._read(assume_killed=True)
        return damage

    # --- events ---------------------------------------------------------------------------

    def scheduled(self, request: Any) -> None:
        meta = {k: request.meta[k] for k in KEPT_META if k in request.meta}
        callback = getattr(request.callback, "__name__", None)
        errback = getattr(request.errback, "__name__", None)
        event = {
            "e": "sched",
            "u": request.url,
            "cb": callback,
            "eb": errback,
            "p": request.priority,
            "m": meta,
        }
        if not self._write(event):
            raise IgnoreRequest(f"not recorded in the job ledger {self.path}")

    def started(self, request: Any) -> None:
        self._write({"e": "start", "u": request.url})

    def done(self, *urls: str | None) -> None:
        for url in {u for u in urls if u}:
            self._write({"e": "done", "u": url})

    def closed(self, reason: str) -> None:
        self._write({"e": "closed", "reason": reason})

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _write(self, event: dict[str, Any]) -> bool:
        """Append one event with one ``write()``; False (and ``on_error``, once) if it did not fit."""
        if self.failed or self._fd < 0:
            return False
        data = (json.dumps(event, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            written = os.write(self._fd, data)
            while written < len(data):  # the disk filled up inside the line: the next write says why
                more = os.write(self._fd, data[written:])
                if more <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                written += more
        except OSError as exc:
            self.failed = True
            if self.on_error is not None:
                self.on_error(exc)
            return False
        return True

    # --- recovery -------------------------------------------------------------------------

    def _read(self, assume_killed: bool = False) -> Recovery:
        scheduled: dict[str, dict[str, Any]] = {}
        started: set[str] = set()
        done: set[str] = set()
        last = None
        with self.path.open("rb") as f:
            for line in iter_lines(f):
                if line.problem() or line.raw is None:
                    break  # torn by a kill: the event never happened
                try:
                    event = json.loads(line.raw)
                except ValueError:
                    continue  # a damaged event: its request is replayed from another, or found again
                if not isinstance(event, dict) or "e" not in event:
                    continue
                last = event
                key = _key(event["u"]) if "u" in event else None
                kind = event["e"]
                if kind == "sched" and event.get("cb"):
                    scheduled.setdefault(key, event)
                elif kind == "start":
                    started.add(key)
                elif kind == "done":
                    done.add(key)
        clean_stop = bool(last and last["e"] == "closed") and not assume_killed
        unfinished = started if clean_stop else set(scheduled)
        todo = [scheduled[k] for k in scheduled if k in unfinished and k not in done]
        return Recovery(clean_stop, todo)


def scrapy_queue_damage(queue_dir: Path, lifo_queue: bool = True) -> str | None:
    """What is wrong with the disk queue Scrapy saved at a clean stop, or None: an unreadable
    ``active.json``, or (for the LIFO disk queue) a queue file whose records do not add up."""
    if not queue_dir.is_dir():
        return None
    active = queue_dir / "active.json"
    if active.exists():
        try:
            state = json.loads(active.read_bytes() or b"!")
        except ValueError:
            return f"{active.name} is not readable JSON ({active.stat().st_size} bytes)"
        if not isinstance(state, list | dict):
            return f"{active.name} does not hold a queue state"
    if lifo_queue:
        for path in sorted(p for p in queue_dir.rglob("*") if p.is_file() and p.name != "active.json"):
            if not _lifo_file_intact(path):
                return f"queue file {path.relative_to(queue_dir)} is damaged"
    return None


def _lifo_file_intact(path: Path) -> bool:
    """queuelib's LIFO file: a 4-byte count, then each record followed by its 4-byte size.
    Walked from the end, the sizes must lead back exactly to the count's end."""
    size_of = struct.Struct(">L")
    with path.open("rb") as f:
        end = f.seek(0, os.SEEK_END)
        if end < size_of.size:
            return False
        f.seek(0)
        (count,) = size_of.unpack(f.read(size_of.size))
        pos = end
        for _ in range(count):
            if pos - size_of.size < size_of.size:
                return False
            f.seek(pos - size_of.size)
            (length,) = size_of.unpack(f.read(size_of.size))
            pos -= size_of.size + length
        return pos == size_of.size
