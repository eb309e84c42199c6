"""Reading, parsing and repairing JSON Lines files in bounded memory, whatever is in them.

A crash can leave the end of a file unterminated (a torn write) or, on some file systems, a long
run of NUL bytes; a hostile or broken file can hold a "line" of gigabytes. Every reader of the
archive goes through ``iter_lines``, which never holds more than ``MAX_LINE_BYTES`` of one line:
a longer one is skipped to its end and reported, not read. A writer that opens a file with a
torn tail moves the tail aside (``<file>.torn-<time>``) before it appends, so nothing is dropped
in silence and the next line starts clean.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

# An article record is 10-300 KB (a 20 MB page gives a few MB); a longer line is damage.
MAX_LINE_BYTES = 64 * 1024 * 1024
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a JSONL file: its number, where it starts, and its bytes (newline included)."""

    number: int
    offset: int
    size: int  # bytes on disk, newline included
    raw: bytes | None  # None: longer than the limit, so not read into memory
    complete: bool  # ends with a newline; False only for a torn last line

    def problem(self) -> str | None:
        """Why this line cannot be a record before even parsing it, or None."""
        if not self.complete:
            nul = " of NUL bytes" if self.raw is not None and not self.raw.strip(b"\0") else ""
            return f"torn last line{nul} ({self.size:,} bytes, no newline): not a record"
        if self.raw is None:
            return f"line of {self.size:,} bytes, over the {MAX_LINE_BYTES:,}-byte limit: not read"
        return None


def iter_lines(f: BinaryIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Every line of an open binary file, in order, holding at most ``max_bytes`` of one."""
    offset = 0
    number = 0
    while raw := f.readline(max_bytes + 1):
        number += 1
        size = len(raw)
        complete = raw.endswith(b"\n")
        if not complete and size > max_bytes:  # too long: read on to its end, keeping nothing
            raw = None
            while more := f.readline(CHUNK):
                size += len(more)
                if more.endswith(b"\n"):
                    complete = True
                    break
        yield Line(number, offset, size, raw, complete)
        offset += size


def repair_torn_tail(path: Path, keep: bool = True) -> Path | None:
    """Cut an unterminated last line (a killed or crashed writer, a NUL-filled tail) off the file,
    moving it to ``<file>.torn-<time>`` first (``keep``). Returns where it went (or the file
    itself when not kept); None when the file ended cleanly. Reads in bounded chunks."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb+") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return None
        cut = _after_last_newline(f, size)
        moved = path
        if keep:
            moved = path.with_name(f"{path.name}.torn-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
            with moved.open("xb") as out:
                f.seek(cut)
                while chunk := f.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        f.truncate(cut)
        return moved


def _after_last_newline(f: BinaryIO, size: int) -> int:
    """The offset just after the file's last newline (0 when it has none), read backwards."""
    pos = size
    while pos > 0:
        start = max(0, pos - CHUNK)
        f.seek(start)
        chunk = f.read(pos - start)
        idx = chunk.rfind(b"\n")
        if idx >= 0:
            return start + idx + 1
        pos = start
    return 0


def parse_line(raw: bytes, path: str | Path = "", lineno: int = 0) -> dict[str, Any] | None:
    """One archive line as a dict; None (with a warning) for a damaged one, which readers skip:
    a bad line in the middle of an archive must not stop a crawl or a report. ``validate``
    still lists it by line number."""
    try:
        record = json.loads(raw)
    except ValueError as exc:
        log.warning("%s:%d: skipping a damaged line (%s)", path, lineno, exc)
        return None
    if not isinstance(record, dict):
        log.warning("%s:%d: skipping a line that is not a JSON object", path, lineno)
        return None
    return record


def parse_checked(line: Line, path: str | Path = "") -> dict[str, Any] | None:
    """``parse_line`` for a line from ``iter_lines``: a torn or over-long one is warned about
    and skipped; a blank one skipped quietly."""
    problem = line.problem()
    if problem:
        log.warning("%s:%d: skipping a %s", path, line.number, problem)
        return None
    assert line.raw is not None
    return parse_line(line.raw, path, line.number) if line.raw.strip() else None
