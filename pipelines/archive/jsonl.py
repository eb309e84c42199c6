"""The archive on disk: ``articles.jsonl`` (versioned records), ``errors.jsonl``, ``crawls.jsonl``.

Each line is written with one ``write()`` on an ``O_APPEND`` descriptor, so a killed process leaves
at most one torn last line, which the next writer moves aside on open (``lines.py``); a write the
disk cannot hold (full, over quota, over a file size limit) is cut back to the last whole line and
stops the crawl. A lock file keeps two crawls from writing into one directory at once.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines import TOOL
from pipelines.archive.files import directory_problem
from pipelines.archive.index import PageIndex
from pipelines.archive.lines import iter_lines, parse_checked, repair_torn_tail
from pipelines.record import (
    ARTICLE_SCHEMA,
    Article,
    Author,
    Citation,
    NotArticle,
    PageError,
    Reference,
    utc_now,
)

log = logging.getLogger(__name__)

ARTICLES = "articles.jsonl"
ERRORS = "errors.jsonl"
CRAWLS = "crawls.jsonl"
SKIPPED = "skipped.jsonl"
SITES = "sites.jsonl"  # one line per site per crawl (crawler/sites.py)
LOCK = ".lock"


def shard_file(name: str, shard: str | None = None) -> str:
    """A distributed worker's own copy of an archive file: ``articles.jsonl`` ->
    ``articles-<shard>.jsonl``, ``.lock`` -> ``.lock-<shard>``. No shard: the name itself."""
    if not shard:
        return name
    stem, dot, ext = name.lstrip(".").partition(".")
    prefix = "." if name.startswith(".") else ""
    return f"{prefix}{stem}-{shard}{dot}{ext}"


def new_crawl_id() -> str:
    """``20261124T134000Z-1a2b``: sortable by start time, unique enough for one archive."""
    return f"{utc_now().replace('-', '').replace(':', '')}-{secrets.token_hex(2)}"


class ArchiveError(RuntimeError):
    """The archive cannot be written (locked, unwritable, disk full): stop with this message."""


def article_record(article: Article, version: int, crawl_id: str, tool: str = TOOL) -> dict[str, Any]:
    """The one place an ``Article`` becomes the JSON record of DESIGN.md."""
    return {
        "schema": ARTICLE_SCHEMA,
        "id": article.id,
        "version": version,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site": article.site,
        "site_name": article.site_name,
        "title": article.title,
        "authors": [_fields(a) for a in article.authors],
        "published": article.published,
        "modified": article.modified,
        "published_relative": article.published_relative,
        "language": article.language,
        "categories": article.categories,
        "tags": article.tags,
        "summary": article.summary,
        "text": article.text,
        "markdown": article.markdown,
        "headings": article.headings,
        "word_count": article.word_count,
        "page_type": article.page_type,
        "classification": article.classification,
        "references": [_fields(r) for r in article.references],
        "citations": [_fields(c) for c in article.citations],
        "unused_references": article.unused_references,
        "content_hash": article.content_hash,
        "fetched_at": article.fetched_at,
        "http": {"status": article.status, "etag": article.etag, "last_modified": article.last_modified},
        "fetch": {"rendered": article.rendered},
        "raw": article.raw,
        "crawl": {"id": crawl_id, "tool": tool},
    }


def _fields(obj: Author | Reference | Citation) -> dict[str, Any]:
    """``dataclasses.asdict`` for our flat models (fields hold strings, numbers and lists of
    strings), without its deep copy: 5x faster, and the crawl's main process pays it per post."""
    values = ((name, getattr(obj, name)) for name in _FIELDS[type(obj)])
    return {name: list(v) if isinstance(v, list) else v for name, v in values}


_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in (Author, Reference, Citation)}


def dumps(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class JsonlWriter:
    """Append-only JSON Lines file: one ``write()`` per record, torn tail repaired on open."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if moved := repair_torn_tail(self.path):
                log.warning("%s ended without a newline; its torn tail was moved to %s", self.path, moved)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self.size = os.fstat(self._fd).st_size  # where the next line starts
        except OSError as exc:
            raise ArchiveError(f"cannot open {self.path} for writing: {exc.strerror}") from exc

    def append(self, record: dict[str, Any]) -> None:
        line = dumps(record)
        try:
            written = os.write(self._fd, line)
        except OSError as exc:
            raise ArchiveError(f"cannot write to {self.path}: {exc.strerror}") from exc
        self.size += written
        if os.fstat(self._fd).st_nlink == 0:  # still writable, but gone from the directory
            raise ArchiveError(
                f"{self.path} was deleted while the crawl was writing to it; "
                "nothing more is written (the output directory was removed?)"
            )
        if written != len(line):  # disk full mid-line: cut it off so no half record stays
            self.size -= written
            os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
            raise ArchiveError(
                f"cannot write to {self.path}: only {written} of {len(line)} bytes fit (disk full?); "
                "the partial line was removed"
            )

    def close(self) -> None:
        if self._fd >= 0:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                raise ArchiveError(f"cannot flush {self.path} to disk: {exc.strerror}") from exc
            finally:
                os.close(self._fd)
                self._fd = -1


def iter_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Stream the records of a JSONL file in bounded memory. A torn last line, an over-long line
    and damaged lines are skipped, each with a warning."""
    with Path(path).open("rb") as f:
        for line in iter_lines(f):
            if (record := parse_checked(line, path)) is not None:
                yield record


class ArchiveLock:
    """An exclusive ``flock`` on ``OUTPUT/.lock``: a second crawl into the same directory refuses."""

    def __init__(self, directory: Path, shard: str | None = None) -> None:
        self.directory = Path(directory)
        self.shard = shard
        self.path = self.directory / shard_file(LOCK, shard)
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ArchiveError(f"cannot create {self.path}: {exc.strerror}") from exc
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(self._fd)
            who = f"worker {shard}" if shard else "crawl"
            raise ArchiveError(
                f"another {who} (pid {holder}) is writing to {directory}; "
                "wait for it to finish or choose another --output"
            ) from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1
        key = _lock_key(self.directory, self.shard)
        if _HELD.get(key) is self:
            del _HELD[key]


# Locks held for a whole run by this process (the crawl command takes it before anything else
# opens files in the directory); an Archive opened meanwhile in this process shares it.
_HELD: dict[str, ArchiveLock] = {}


def _lock_key(directory: Path, shard: str | None = None) -> str:
    return f"{os.path.realpath(directory)}\0{shard or ''}"


def hold_lock(directory: str | Path, shard: str | None = None) -> ArchiveLock:
    """Create the directory if needed and take its lock (or one shard's) until ``release()``;
    raises ArchiveError if the directory cannot be used or another process has the lock."""
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(directory_problem(directory, exc)) from exc
    lock = ArchiveLock(Path(directory), shard)
    _HELD[_lock_key(lock.directory, shard)] = lock
    return lock


@dataclass(frozen=True, slots=True)
class KnownPage:
    """The newest line of one article in the archive: what a recrawl needs to know about it."""

    id: str
    version: int
    content_hash: str
    url: str
    canonical_url: str
    site: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None
    published: str | None = None
    removed: bool = False

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> KnownPage:
        http = record.get("http") or {}
        return cls(
            id=record["id"],
            version=record.get("version", 1),
            content_hash=REMOVED if record.get("removed_at") else record.get("content_hash", ""),
            url=record.get("url", ""),
            canonical_url=record.get("canonical_url", ""),
            site=record.get("site", ""),
            etag=http.get("etag"),
            last_modified=http.get("last_modified"),
            fetched_at=record.get("fetched_at"),
            published=record.get("published"),
            removed=bool(record.get("removed_at")),
        )


REMOVED = "removed"  # the content hash of a tombstone: never equal to a real one


def load_known_pages(
    directory: str | Path, shard: str | None = None, sites: Iterable[str] | None = None
) -> dict[str, KnownPage]:
    """Newest state of every article in ``directory``'s archive (or one shard of it), by id;
    only those of ``sites`` when given. Read through the on-disk index (``index.py``), which
    catches up with the archive first, so the cost is that of the pages returned."""
    path = Path(directory) / shard_file(ARTICLES, shard)
    if not path.exists():
        return {}
    index = PageIndex(path, KnownPage)
    try:
        pages = index.for_sites(sites) if sites is not None else iter(index)
        return {page.id: page for page in pages}
    finally:
        index.close()


def by_url(known: dict[str, KnownPage]) -> dict[str, KnownPage]:
    """The same pages keyed by their URL and their canonical URL."""
    index: dict[str, KnownPage] = {}
    for page in known.values():
        index[page.url] = page
        index[page.canonical_url] = page
    return index


def tombstone_record(
    page: KnownPage, status: int, removed_at: str, crawl_id: str, tool: str = TOOL
) -> dict[str, Any]:
    """The line that says an article is gone (404/410 on recrawl); its history stays above it."""
    return {
        "schema": ARTICLE_SCHEMA,
        "id": page.id,
        "version": page.version + 1,
        "url": page.url,
        "canonical_url": page.canonical_url,
        "site": page.site,
        "removed_at": removed_at,
        "http": {"status": status},
        "crawl": {"id": crawl_id, "tool": tool},
    }


class Archive:
    """An output directory: versioned article records, error lines and crawl summaries."""

    def __init__(
        self,
        directory: str | Path,
        crawl_id: str,
        tool: str = TOOL,
        shard: str | None = None,
        known: Iterable[KnownPage] = (),
    ) -> None:
        self.directory = Path(directory)
        self.shard = shard
        # pages archived elsewhere (a distributed crawl's other shards): versions continue from them
        self._known = {key: p for p in list(known) for key in (p.id, p.url, p.canonical_url) if key}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(directory_problem(self.directory, exc)) from exc
        self.crawl_id = crawl_id
        self.tool = tool
        held = _HELD.get(_lock_key(self.directory, shard))
        self._lock = held or ArchiveLock(self.directory, shard)
        self._owns_lock = held is None
        try:
            self._open()
        except ArchiveError:
            if self._owns_lock:
                self._lock.release()
            raise

    def _open(self) -> None:
        articles = self.directory / shard_file(ARTICLES, self.shard)
        try:
            size = articles.stat().st_size if articles.exists() else 0
            moved = repair_torn_tail(articles)
        except OSError as exc:
            raise ArchiveError(f"cannot open {articles} for writing: {exc.strerror}") from exc
        self._articles = JsonlWriter(articles)
        try:
            self._index = PageIndex(articles, KnownPage)  # id and URL -> newest state, on disk
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"cannot open the index of {articles}: {exc}") from exc
        self._errors = JsonlWriter(self.directory / shard_file(ERRORS, self.shard))
        self._skipped = JsonlWriter(self.directory / shard_file(SKIPPED, self.shard))
        if moved:  # said where the crawl's errors are read, not only in its log
            torn = size - articles.stat().st_size
            message = (
                f"{articles.name} ended in {torn:,} bytes without a newline (a crash or a full disk); "
                f"moved to {moved.name}, the archive goes on from its last whole line"
            )
            log.warning("%s", message)
            self.log_error(PageError(str(articles), "archive", "torn_tail", message))

    def add(self, article: Article, crawl_id: str | None = None) -> tuple[str, dict[str, Any]]:
        """Append the article unless unchanged. Returns ("new" | "changed" | "unchanged", record).
        ``crawl_id`` overrides the archive's own (re-extraction keeps each capture's crawl)."""
        crawl_id = crawl_id or self.crawl_id
        previous = _newer(self._index.get(article.id), self._known.get(article.id))
        if previous and previous.content_hash == article.content_hash:
            return "unchanged", article_record(article, previous.version, crawl_id, self.tool)
        version = previous.version + 1 if previous else 1
        record = article_record(article, version, crawl_id, self.tool)
        self._articles.append(record)
        self._remember(KnownPage.from_record(record))
        return ("changed" if previous else "new"), record

    def remove(self, url: str, status: int, at: str, crawl_id: str | None = None) -> dict[str, Any] | None:
        """Append a tombstone for the article at ``url``; None if unknown or already removed."""
        page = _newer(self._index.by_url(url), self._known.get(url))
        if page is None or page.removed:
            return None
        record = tombstone_record(page, status, at, crawl_id or self.crawl_id, self.tool)
        self._articles.append(record)
        self._remember(KnownPage.from_record(record))
        return record

    def _remember(self, page: KnownPage) -> None:
        self._index.put(page, self._articles.size)

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

    def log_skip(self, page: NotArticle, crawl_id: str | None = None) -> dict[str, Any]:
        """A fetched page that is not archived as an article, and why: one line of skipped.jsonl."""
        line = {
            "url": page.url,
            "kind": page.kind,
            "reason": page.reason,
            **({"score": page.score, "signals": list(page.signals)} if page.score is not None else {}),
            "at": utc_now(),
            "crawl": crawl_id or self.crawl_id,
        }
        self._skipped.append(line)
        return line

    def close(self) -> None:
        problems = []
        for writer in (self._articles, self._errors, self._skipped):
            try:
                writer.close()
            except ArchiveError as exc:
                problems.append(exc)
        try:
            self._index.close()
        except sqlite3.Error as exc:  # a cache: the next open rebuilds or catches up
            log.warning("could not save the index of %s: %s", self._articles.path, exc)
        if self._owns_lock:
            self._lock.release()
        if problems:
            raise problems[0]


def append_crawl_summary(directory: str | Path, summary: dict[str, Any], shard: str | None = None) -> None:
    writer = JsonlWriter(Path(directory) / shard_file(CRAWLS, shard))
    try:
        writer.append(summary)
    finally:
        writer.close()


def append_site_lines(directory: str | Path, records: list[dict[str, Any]], shard: str | None = None) -> None:
    """The per-site lines of one crawl, appended to ``sites.jsonl`` (or a worker's own file)."""
    if not records:
        return
    writer = JsonlWriter(Path(directory) / shard_file(SITES, shard))
    try:
        for record in records:
            writer.append(record)
    finally:
        writer.close()


def _newer(a: KnownPage | None, b: KnownPage | None) -> KnownPage | None:
    return a if b is None or (a is not None and a.version >= b.version) else b
