"""Reading raw captures back from WARC files (written by ``warc.py``), whatever state they are in.

A crawl writes each record as its own gzip member, so one damaged record (flipped bytes, a
zero-filled block, a file cut off mid-record) costs that record only: reading stops at the
damage, looks for the next gzip member from which a whole record reads, and goes on from there.
Each damaged region is reported (``Damage``), never skipped in silence. A body is decoded (de-
chunked, decompressed) no further than ``max_body`` bytes, the crawl's own ``DOWNLOAD_MAXSIZE``,
so a gzip bomb the crawl refused is refused again rather than inflated into memory.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from pipelines.archive.warc import DISCOVERED_VIA, RAW_DIR, RENDERED

log = logging.getLogger(__name__)
GZIP_MEMBER = b"\x1f\x8b\x08"  # gzip magic and deflate: where every record of our files starts
SCAN_CHUNK = 1 << 20  # bytes read at a time when looking for the next member after damage
READ_BLOCK = 1 << 20  # bytes of a body asked for at a time
# What a damaged member raises inside warcio, zlib or our own reading of its headers.
READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error, AttributeError, TypeError)


@dataclass(slots=True)
class Capture:
    """One response record, body decoded (de-chunked, decompressed)."""

    url: str
    date: str
    status: int
    headers: dict[str, str]
    body: bytes
    record_id: str
    offset: int
    warc: str  # the file's name relative to the output directory ("raw/<file>")
    crawl_id: str | None = None
    info: dict[str, str] = field(default_factory=dict)  # the file's warcinfo fields
    oversize: bool = False  # the decoded body is over max_body: ``body`` holds only its start
    discovered_via: tuple[str, ...] = ()  # how the crawl found the URL (pipelines/archive/warc.py)
    rendered: bool = False  # the body is what a headless browser built (warc.RENDERED)


@dataclass(frozen=True, slots=True)
class Damage:
    """A region of a WARC file that could not be read: from ``start`` to where reading resumed
    (``end``; None when nothing readable followed), and what went wrong there."""

    path: str
    start: int
    end: int | None
    reason: str

    def describe(self) -> str:
        where = (
            f"bytes {self.start:,}-{self.end:,}"
            if self.end is not None
            else f"byte {self.start:,} to the end"
        )
        return f"{self.path}: damaged record(s) skipped, {where} ({self.reason})"


def warc_started(path: str | Path) -> datetime | None:
    """When a WARC file was started: the ``WARC-Date`` of its leading warcinfo record, which
    warcio writes to the microsecond (responses carry the second only). None when the file does
    not begin with a readable warcinfo record."""
    try:
        with Path(path).open("rb") as f:
            if not _starts_record(f, 0):
                return None
            record = next(iter(ArchiveIterator(f)), None)
            if record is None or record.rec_type != "warcinfo":
                return None
            return datetime.fromisoformat(record.rec_headers.get_header("WARC-Date") or "")
    except READ_ERRORS:
        return None


def iter_captures(
    path: str | Path,
    relative_to: str | Path | None = None,
    *,
    max_body: int = 0,
    damage: list[Damage] | None = None,
) -> Iterator[Capture]:
    """Response records of one WARC file in file order. A damaged record is skipped, reading
    goes on at the next readable one, and the region goes to ``damage`` (to the log without it)."""
    path = Path(path)
    relative = f"{RAW_DIR}/{path.name}" if relative_to is None else str(path.relative_to(relative_to))
    info: dict[str, str] = {}
    start: int | None = 0
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        while start is not None and start < size:
            last = start - 1  # the offset of the last record read whole
            end = start  # and where it ended
            try:
                if not _starts_record(f, start):
                    raise ValueError("not the start of a WARC record")
                records = ArchiveIterator(f)
                for record in records:
                    capture = _capture(record, relative, info, max_body)
                    # after the body is read: asked before, warcio reads the record to its end
                    last = records.get_record_offset()  # absolute: warcio starts at f.tell()
                    end = last + records.get_record_length()
                    if isinstance(capture, Capture):
                        capture.offset = last
                    if isinstance(capture, dict):
                        info = capture
                    elif capture is not None:
                        yield capture
                if end >= size:
                    return
                # warcio ends quietly at a member cut short (a torn tail): the rest was not read
                raise EOFError(f"{size - end:,} bytes after the last whole record do not read as one")
            except READ_ERRORS as exc:
                resume = _next_record(f, last + 1, max_body)
                region = Damage(relative, last + 1, resume, f"{type(exc).__name__}: {exc}"[:200])
                if damage is not None:
                    damage.append(region)
                else:
                    log.warning("%s", region.describe())
                start = resume


def _capture(record: Any, relative: str, info: dict[str, str], max_body: int, offset: int = -1) -> Any:
    """A Capture for a response record, the fields of a warcinfo record, None for the others."""
    if not str(record.format).startswith("warc") or not record.rec_headers.get_header("WARC-Record-ID"):
        # warcio reads lenient ARC records out of junk, such as a damaged member's remains
        raise ValueError(f"not a WARC record ({record.format})")
    if record.rec_type == "warcinfo":
        return _warcinfo_fields(record)
    if record.rec_type != "response" or record.http_headers is None:
        read_bounded(record.content_stream(), max_body)  # read it: damage inside shows here, not later
        return None
    body = read_bounded(record.content_stream(), max_body)
    oversize = bool(max_body) and len(body) > max_body
    return Capture(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        date=record.rec_headers.get_header("WARC-Date"),
        status=int(record.http_headers.get_statuscode() or 0),
        headers={k.lower(): v for k, v in record.http_headers.headers},
        body=body[:max_body] if oversize else body,
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        offset=offset,
        warc=relative,
        crawl_id=info.get("clinic-archive-crawl-id"),
        info=info,
        oversize=oversize,
        discovered_via=tuple((record.rec_headers.get_header(DISCOVERED_VIA) or "").split()),
        rendered=record.rec_headers.get_header(RENDERED) == "true",
    )


def read_bounded(stream: Any, limit: int) -> bytes:
    """A record's content up to ``limit`` + 1 bytes (all of it when ``limit`` is 0): enough to
    tell that it is over the limit, never more. warcio's readers may return less than asked."""
    if not limit:
        return stream.read()
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(READ_BLOCK, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _starts_record(f: BinaryIO, offset: int) -> bool:
    """Whether a record can start at ``offset``: a gzip member, or an uncompressed "WARC/" line.
    Anything else (zeros, garbage) is not handed to warcio, which would read it line by line."""
    f.seek(offset)
    head = f.read(5)
    f.seek(offset)
    return head.startswith(GZIP_MEMBER) or head == b"WARC/"


def _next_record(f: BinaryIO, offset: int, max_body: int) -> int | None:
    """The first offset at or after ``offset`` where a gzip member holds a whole readable record.
    Scans in chunks (memory stays flat), trying each place the gzip magic occurs."""
    position = offset
    while True:
        f.seek(position)
        chunk = f.read(SCAN_CHUNK + len(GZIP_MEMBER) - 1)
        if len(chunk) < len(GZIP_MEMBER):
            return None
        found = chunk.find(GZIP_MEMBER)
        while found != -1:
            candidate = position + found
            if _reads_whole_record(f, candidate, max_body):
                return candidate
            found = chunk.find(GZIP_MEMBER, found + 1)
        position += SCAN_CHUNK


def _reads_whole_record(f: BinaryIO, offset: int, max_body: int) -> bool:
    try:
        f.seek(offset)
        record = next(iter(ArchiveIterator(f)), None)
        if record is None:
            return False
        _capture(record, "", {}, max_body)  # the same checks and reads as the real pass
        return True
    except READ_ERRORS:
        return False


def _warcinfo_fields(record: Any) -> dict[str, str]:
    fields = {}
    for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def read_capture(output_dir: str | Path, pointer: dict[str, Any]) -> Capture:
    """The response a record's ``raw`` pointer names, read by seeking to its offset."""
    path = Path(output_dir) / pointer["warc"]
    with path.open("rb") as f:
        f.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(f)))
        capture = _capture(record, pointer["warc"], {}, 0, pointer["offset"])
        if not isinstance(capture, Capture):
            raise ValueError(f"{path} at {pointer['offset']}: not a response record")
        return capture
