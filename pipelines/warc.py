"""Raw captures as standard WARC 1.1 files (via warcio), and reading them back.

Every fetched response is written as a ``response`` record followed by its ``request``
record, each its own gzip member so a file can be read from any record's offset. Bodies are
stored exactly as received (still gzip/br-encoded if the server encoded them); readers get
them decoded through warcio's ``content_stream()``.

warcio builds the records (headers, digests) but we gzip them: warcio hard-codes zlib level 9,
6 ms of the reactor thread per 100 KB page, while level 1 takes 0.8 ms for files ~20% larger
(measured on the 181 real web pages of the extraction benchmark; README "Performance").
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines import TOOL

log = logging.getLogger(__name__)
RAW_DIR = "raw"
# De-chunked by the HTTP client already: a reader must not try to de-chunk the stored body.
DROP_HEADERS = frozenset({"transfer-encoding"})
# zlib level of each record's gzip member. Per 100 KB of real web page HTML: level 1 0.8 ms CPU,
# 23.5% of the size; 6: 2.1 ms, 19.7%; 9 (warcio's own): 3.5 ms, 19.6%. The crawl's reactor
# thread pays it for every response, so the cheapest level wins; files are ~20% larger.
DEFAULT_COMPRESS_LEVEL = 1


@dataclass(frozen=True, slots=True)
class CapturePointer:
    """Where one response lives: ``{"warc": "raw/<file>", "offset": N, "record_id": "<urn:uuid:...>"}``."""

    warc: str
    offset: int
    record_id: str

    def as_dict(self) -> dict[str, Any]:
        return {"warc": self.warc, "offset": self.offset, "record_id": self.record_id}


def warc_date(iso_z: str) -> str:
    """Our timestamps are already WARC-Date shaped (``2026-11-24T13:40:00Z``)."""
    return iso_z


class WarcCapture:
    """Appends request/response pairs to one ``.warc.gz`` file under ``OUTPUT/raw/``."""

    def __init__(
        self,
        output_dir: str | Path,
        crawl_id: str,
        settings: dict[str, Any] | None = None,
        compress_level: int = DEFAULT_COMPRESS_LEVEL,
        shard: str | None = None,
    ) -> None:
        """``shard``: a distributed worker's name; its file is ``<crawl-id>-<shard>.warc.gz``."""
        raw_dir = Path(output_dir) / RAW_DIR
        raw_dir.mkdir(parents=True, exist_ok=True)
        self.path = _free_name(raw_dir, f"{crawl_id}-{shard}" if shard else crawl_id)
        self.relative = f"{RAW_DIR}/{self.path.name}"
        self._file: BinaryIO = self.path.open("ab")
        self._writer = WARCWriter(GzipMembers(self._file, compress_level), gzip=False, warc_version="1.1")
        info = {"software": TOOL, "format": "WARC File Format 1.1", "clinic-archive-crawl-id": crawl_id}
        info.update({k: str(v) for k, v in (settings or {}).items()})
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))
        self._file.flush()

    def capture(
        self,
        url: str,
        *,
        method: str,
        request_headers: list[tuple[str, str]],
        status: int,
        response_headers: list[tuple[str, str]],
        body: bytes,
        date: str,
    ) -> CapturePointer:
        """Write one exchange; returns where its response record starts."""
        reason = _reason(status)
        headers = [(k, v) for k, v in response_headers if k.lower() not in DROP_HEADERS]
        http_headers = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": warc_date(date)},
        )
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        offset = self._file.tell()
        self._writer.write_record(response)
        request_line = f"{method} {_request_target(url)} HTTP/1.1"
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": warc_date(date), "WARC-Concurrent-To": record_id},
        )
        self._writer.write_record(request)
        self._file.flush()
        return CapturePointer(self.relative, offset, record_id)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


class GzipMembers:
    """The stream warcio's writer writes to: each record becomes its own gzip member, at our
    zlib level. warcio calls ``flush()`` once, at the end of every record (``gzip=False`` makes
    it write the plain record), which is where a member ends; readers see what warcio's own
    ``gzip=True`` would give them, one member per record, only compressed faster."""

    def __init__(self, file: BinaryIO, level: int = DEFAULT_COMPRESS_LEVEL) -> None:
        self.file = file
        self.level = level
        self._member: Any = None  # the zlib compressor of the record being written

    def write(self, data: bytes) -> int:
        if self._member is None:
            self._member = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)  # gzip
        self.file.write(self._member.compress(data))
        return len(data)

    def flush(self) -> None:
        """End the record's member. The file itself is flushed by the caller, once per exchange."""
        if self._member is not None:
            self.file.write(self._member.flush())
            self._member = None

    def tell(self) -> int:
        return self.file.tell()


def _free_name(raw_dir: Path, crawl_id: str) -> Path:
    """``<crawl-id>.warc.gz``; a resumed crawl continues in ``<crawl-id>-2.warc.gz``, and so on."""
    path = raw_dir / f"{crawl_id}.warc.gz"
    n = 2
    while path.exists():
        path = raw_dir / f"{crawl_id}-{n}.warc.gz"
        n += 1
    return path


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# --- reading ------------------------------------------------------------------------------


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


def iter_captures(path: str | Path, relative_to: str | Path | None = None) -> Iterator[Capture]:
    """Response records of one WARC file in file order. A torn final record (a killed crawl)
    ends the file with a warning instead of an exception."""
    path = Path(path)
    relative = f"{RAW_DIR}/{path.name}" if relative_to is None else str(path.relative_to(relative_to))
    info: dict[str, str] = {}
    with path.open("rb") as f:
        records = ArchiveIterator(f)
        try:
            for record in records:
                rec_type = record.rec_type
                if rec_type == "warcinfo":
                    info = _warcinfo_fields(record)
                    continue
                if rec_type != "response" or record.http_headers is None:
                    continue
                body = record.content_stream().read()
                headers = {k.lower(): v for k, v in record.http_headers.headers}
                status = int(record.http_headers.get_statuscode() or 0)
                yield Capture(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    date=record.rec_headers.get_header("WARC-Date"),
                    status=status,
                    headers=headers,
                    body=body,
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                    offset=records.get_record_offset(),
                    warc=relative,
                    crawl_id=info.get("clinic-archive-crawl-id"),
                    info=info,
                )
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            log.warning("%s: stopped at a damaged record (%s); earlier records are fine", path, exc)


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
        body = record.content_stream().read()
        return Capture(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            date=record.rec_headers.get_header("WARC-Date"),
            status=int(record.http_headers.get_statuscode() or 0),
            headers={k.lower(): v for k, v in record.http_headers.headers},
            body=body,
            record_id=record.rec_headers.get_header("WARC-Record-ID"),
            offset=pointer["offset"],
            warc=pointer["warc"],
        )
