"""Raw captures as standard WARC 1.1 files (reading them back: ``captures.py``).

Every fetched response is written as a ``response`` record followed by its ``request``
record, each its own gzip member so a file can be read from any record's offset. Bodies and
HTTP headers are stored exactly as received (bodies still gzip/br-encoded if the server
encoded them); readers get bodies decoded through warcio's ``content_stream()``.

The crawl's reactor thread writes a record for every response, so the writing is kept cheap
(README "Performance"): the two records of an exchange are put together here, digests
included, rather than through warcio's record builder, and each gzip member is compressed by
ISA-L (``isal``) at level 1, 4x faster than zlib's level 1 with files no larger; zlib is used
when ``isal`` is not installed or for levels above ISA-L's 3. warcio's own writer
(zlib level 9) took 6 ms per 100 KB page; this takes ~0.5 ms. The warcinfo record, written
once per file, still comes from warcio.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import uuid
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.warcwriter import WARCWriter

from pipelines import TOOL

log = logging.getLogger(__name__)
RAW_DIR = "raw"
# De-chunked by the HTTP client already: a reader must not try to de-chunk the stored body.
DROP_HEADERS = frozenset({"transfer-encoding"})
# A WARC named field of our own (WARC 1.1 allows extension fields): how the crawl found the URL,
# sources separated by spaces, e.g. "feed post_sitemap"
DISCOVERED_VIA = "Clinic-Discovered-Via"
# ...and "true" when the body is the DOM a headless browser built, not the bytes the server sent
RENDERED = "Clinic-Rendered"
# Compression level of each record's gzip member. Per 100 KB of real web page HTML (the 181
# pages of the extraction benchmark): ISA-L level 1 0.24 ms CPU, 23.8% of the size; zlib level 1
# 1.0 ms, 24.3%; zlib 6 2.1 ms, 19.7%; zlib 9 (warcio's own) 3.5 ms, 19.6%. Levels 0-3 use ISA-L
# when installed; 4-9 zlib. The crawl's reactor thread pays it for every response.
DEFAULT_COMPRESS_LEVEL = 1
ISAL_MAX_LEVEL = 3

try:
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _isal_zlib = None


def gzip_compressor(level: int = DEFAULT_COMPRESS_LEVEL) -> Any:
    """A compressor object producing one gzip member: ISA-L for levels 0-3 when installed, else zlib."""
    if _isal_zlib is not None and level <= ISAL_MAX_LEVEL:
        return _isal_zlib.compressobj(level, _isal_zlib.DEFLATED, 16 + _isal_zlib.MAX_WBITS)
    return zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


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
        self._members = GzipMembers(self._file, compress_level)
        writer = WARCWriter(self._members, gzip=False, warc_version="1.1")
        info = {"software": TOOL, "format": "WARC File Format 1.1", "clinic-archive-crawl-id": crawl_id}
        info.update({k: str(v) for k, v in (settings or {}).items()})
        writer.write_record(writer.create_warcinfo_record(self.path.name, info))
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
        discovered_via: tuple[str, ...] = (),
        rendered: bool = False,
    ) -> CapturePointer:
        """Write one exchange; returns where its response record starts. ``discovered_via``
        (how the crawl found the URL) is kept in the response record's ``DISCOVERED_VIA``
        field, so a re-extraction weighs the same evidence the crawl did."""
        headers = [(k, v) for k, v in response_headers if k.lower() not in DROP_HEADERS]
        response_head = _http_head(f"HTTP/1.1 {status} {_reason(status)}", headers)
        record_id = _record_id()
        extra = [f"{DISCOVERED_VIA}: {' '.join(discovered_via)}"] if discovered_via else []
        if rendered:
            extra.append(f"{RENDERED}: true")
        response = _warc_record("response", record_id, url, date, response_head, body, None, extra)
        request_head = _http_head(f"{method} {_request_target(url)} HTTP/1.1", request_headers)
        request = _warc_record("request", _record_id(), url, date, request_head, b"", concurrent_to=record_id)
        offset = self._file.tell()
        for record in (response, request):
            self._members.write_member(record)
        self._file.flush()
        return CapturePointer(self.relative, offset, record_id)

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _digest(*parts: bytes) -> str:
    sha1 = hashlib.sha1()
    for part in parts:
        sha1.update(part)
    return "sha1:" + base64.b32encode(sha1.digest()).decode("ascii")


def _http_head(first_line: str, headers: list[tuple[str, str]]) -> bytes:
    """The HTTP message head as it was on the wire: header values arrive decoded as Latin-1
    (the crawler's ``_pairs``), so encoding them back gives the original bytes."""
    lines = [first_line, *(f"{name}: {value}" for name, value in headers), "", ""]
    text = "\r\n".join(lines)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a caller's own non-Latin-1 text: keep it, as UTF-8
        return text.encode("utf-8")


def _warc_record(
    kind: str,
    record_id: str,
    url: str,
    date: str,
    head: bytes,
    payload: bytes,
    concurrent_to: str | None,
    extra: list[str] | None = None,
) -> list[bytes]:
    """A WARC 1.1 ``response`` or ``request`` record (``application/http``) as its byte parts,
    with the same named fields and digests warcio writes."""
    fields = [
        "WARC/1.1",
        f"WARC-Type: {kind}",
        f"WARC-Record-ID: {record_id}",
        f"WARC-Target-URI: {url}",
        f"WARC-Date: {warc_date(date)}",
    ]
    if concurrent_to:
        fields.append(f"WARC-Concurrent-To: {concurrent_to}")
    fields += extra or []
    fields += [
        f"WARC-Payload-Digest: {_digest(payload)}",
        f"WARC-Block-Digest: {_digest(head, payload)}",
        f"Content-Type: application/http; msgtype={kind}",
        f"Content-Length: {len(head) + len(payload)}",
        "",
        "",
    ]
    return ["\r\n".join(fields).encode("utf-8"), head, payload, b"\r\n\r\n"]


class GzipMembers:
    """Writes each WARC record as its own gzip member, at our level: ours through
    ``write_member``, and warcio's warcinfo record as a stream (warcio calls ``flush()`` once,
    at the end of every record, with ``gzip=False``), which is where a member ends."""

    def __init__(self, file: BinaryIO, level: int = DEFAULT_COMPRESS_LEVEL) -> None:
        self.file = file
        self.level = level
        self._member: Any = None  # the zlib compressor of the record being written

    def write(self, data: bytes) -> int:
        if self._member is None:
            self._member = gzip_compressor(self.level)
        self.file.write(self._member.compress(data))
        return len(data)

    def flush(self) -> None:
        """End the record's member. The file itself is flushed by the caller, once per exchange."""
        if self._member is not None:
            self.file.write(self._member.flush())
            self._member = None

    def write_member(self, parts: list[bytes]) -> None:
        """One whole record, given as its byte parts."""
        for part in parts:
            self.write(part)
        self.flush()

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
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
