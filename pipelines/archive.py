"""The archive on disk: ``articles.jsonl`` (versioned records), ``errors.jsonl``, ``crawls.jsonl``.

Each line is written with one ``write()`` on an ``O_APPEND`` descriptor, so a killed process
leaves at most one torn last line, which the next writer cuts off on open. A lock file keeps
two crawls from writing into the same directory at once.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines import TOOL
from pipelines.models import Article, PageError
from pipelines.normalize import utc_now

SCHEMA_ID = "clinic-archive/article@1"
ARTICLES = "articles.jsonl"
ERRORS = "errors.jsonl"
CRAWLS = "crawls.jsonl"
LOCK = ".lock"


def new_crawl_id() -> str:
    """``20261124T134000Z-1a2b``: sortable by start time, unique enough for one archive."""
    return f"{utc_now().replace('-', '').replace(':', '')}-{secrets.token_hex(2)}"


class ArchiveError(RuntimeError):
    """The archive cannot be written (locked, unwritable, disk full): stop with this message."""


def article_record(article: Article, version: int, crawl_id: str, tool: str = TOOL) -> dict[str, Any]:
    """The one place an ``Article`` becomes the JSON record of DESIGN.md."""
    return {
        "schema": SCHEMA_ID,
        "id": article.id,
        "version": version,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site": article.site,
        "site_name": article.site_name,
        "title": article.title,
        "authors": [dataclasses.asdict(a) for a in article.authors],
        "published": article.published,
        "modified": article.modified,
        "language": article.language,
        "categories": article.categories,
        "tags": article.tags,
        "summary": article.summary,
        "text": article.text,
        "word_count": article.word_count,
        "references": [dataclasses.asdict(r) for r in article.references],
        "citations": [dataclasses.asdict(c) for c in article.citations],
        "unused_references": article.unused_references,
        "content_hash": article.content_hash,
        "fetched_at": article.fetched_at,
        "http": {"status": article.status, "etag": article.etag, "last_modified": article.last_modified},
        "raw": article.raw,
        "crawl": {"id": crawl_id, "tool": tool},
    }


def dumps(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class JsonlWriter:
    """Append-only JSON Lines file: one ``write()`` per record, torn tail repaired on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            repair_torn_tail(self.path)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot open {self.path} for writing: {exc.strerror}") from exc

    def append(self, record: dict[str, Any]) -> None:
        line = dumps(record)
        try:
            written = os.write(self._fd, line)
        except OSError as exc:
            raise ArchiveError(f"cannot write to {self.path}: {exc.strerror}") from exc
        if written != len(line):  # disk full mid-line: cut it off so no half record stays
            os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
            raise ArchiveError(f"short write to {self.path} (disk full?); the partial line was removed")

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = -1


def repair_torn_tail(path: Path) -> bool:
    """Cut an unterminated last line (left by a killed writer). True if something was cut."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb+") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return False
        block = 65536
        pos = size
        while pos > 0:
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            idx = chunk.rfind(b"\n")
            if idx >= 0:
                f.truncate(start + idx + 1)
                return True
            pos = start
        f.truncate(0)
        return True


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a JSONL file; an unterminated last line (a torn write) is skipped."""
    with Path(path).open("rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                return
            if raw.strip():
                yield json.loads(raw)


class ArchiveLock:
    """An exclusive ``flock`` on ``OUTPUT/.lock``: a second crawl into the same directory refuses."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot create {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(self._fd)
            raise ArchiveError(
                f"another crawl (pid {holder}) is writing to {directory}; "
                "wait for it to finish or choose another --output"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


class Archive:
    """An output directory: versioned article records, error lines and crawl summaries."""

    def __init__(self, directory: str | Path, crawl_id: str, tool: str = TOOL) -> None:
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create output directory {self.directory}: {exc.strerror}") from exc
        self.crawl_id = crawl_id
        self.tool = tool
        self._lock = ArchiveLock(self.directory)
        self._latest = self._load_index()  # id -> (version, content_hash)
        self._articles = JsonlWriter(self.directory / ARTICLES)
        self._errors = JsonlWriter(self.directory / ERRORS)

    def _load_index(self) -> dict[str, tuple[int, str]]:
        path = self.directory / ARTICLES
        index: dict[str, tuple[int, str]] = {}
        if path.exists():
            repair_torn_tail(path)
            for record in iter_records(path):
                index[record["id"]] = (record.get("version", 1), record.get("content_hash", ""))
        return index

    def add(self, article: Article, crawl_id: str | None = None) -> tuple[str, dict[str, Any]]:
        """Append the article unless unchanged. Returns ("new" | "changed" | "unchanged", record).
        ``crawl_id`` overrides the archive's own (re-extraction keeps each capture's crawl)."""
        crawl_id = crawl_id or self.crawl_id
        previous = self._latest.get(article.id)
        if previous and previous[1] == article.content_hash:
            return "unchanged", article_record(article, previous[0], crawl_id, self.tool)
        version = previous[0] + 1 if previous else 1
        record = article_record(article, version, crawl_id, self.tool)
        self._articles.append(record)
        self._latest[article.id] = (version, article.content_hash)
        return ("changed" if previous else "new"), record

    def log_error(self, error: PageError) -> dict[str, Any]:
        line = {
            "url": error.url,
            "stage": error.stage,
            "error": error.error,
            "message": error.message,
            "at": utc_now(),
            "crawl": self.crawl_id,
        }
        self._errors.append(line)
        return line

    def close(self) -> None:
        try:
            self._articles.close()
            self._errors.close()
        finally:
            self._lock.release()


def append_crawl_summary(directory: str | Path, summary: dict[str, Any]) -> None:
    writer = JsonlWriter(Path(directory) / CRAWLS)
    try:
        writer.append(summary)
    finally:
        writer.close()
