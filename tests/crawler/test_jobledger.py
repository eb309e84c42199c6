"""The resume ledger when its disk fills up: it says so once, refuses the request it could not
record, and a later run reads it cleanly."""

from __future__ import annotations

import errno
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest

from crawler.jobledger import JobLedger


def parse_page(response):  # a callback by name, as the spider's are
    return None


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """A real EFBIG past ``limit`` bytes for writes of this process (as a full disk would)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_full_disk_stops_the_ledger_and_refuses_the_unrecorded_request(tmp_path: Path) -> None:
    failures: list[OSError] = []
    ledger = JobLedger(tmp_path, on_error=failures.append)
    recorded = scrapy.Request("https://clinic.example/blog/recorded/", callback=parse_page)
    ledger.scheduled(recorded)
    size = ledger.path.stat().st_size
    lost = scrapy.Request("https://clinic.example/blog/" + "x" * 200 + "/", callback=parse_page)
    with file_size_limit(size + 40):  # room for part of the next line only
        with pytest.raises(IgnoreRequest):
            ledger.scheduled(lost)  # kept out of Scrapy's queue and duplicate filter
        ledger.started(recorded)  # later events are skipped quietly
        ledger.done(recorded.url)
    assert [e.errno for e in failures] == [errno.EFBIG]  # said once
    assert not ledger.path.read_bytes().endswith(b"\n")  # the cut line is there...
    ledger.close()

    again = JobLedger(tmp_path)  # ...and the next run reads around it and appends cleanly
    assert [r["u"] for r in again.recovery.requests] == [recorded.url]
    assert again.path.read_bytes().endswith(b'{"e":"run"}\n')
    again.close()
