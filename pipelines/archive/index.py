"""The index of known pages: the newest state of every article, kept on disk beside the archive.

A recrawl must know, for each article, its version, content hash, validators and dates. Reading
them from ``articles.jsonl`` on every start costs time and memory that grow with the archive
(a million records: ~10 s and ~750 MB). The index is an SQLite file next to it
(``articles.index.sqlite``; a shard's ``articles-<worker>.index.sqlite``) that remembers how far
into the JSONL file it is current: opening it reads only the lines appended since, and lookups
go to disk, so memory stays flat however large the archive grows.

It is a cache, never the record: a missing, damaged or foreign index (the JSONL file replaced,
shortened, or its first line changed) is rebuilt from the JSONL file, and an index behind the
file (a crash before its last commit) catches up on open.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipelines.archive.lines import iter_lines, parse_checked

log = logging.getLogger(__name__)
VERSION = 1  # of the index's own layout; another one is rebuilt
COMMIT_EVERY = 1000  # pages per transaction while writing
HEAD_BYTES = 4096  # the start of the JSONL file that identifies it
FIELDS = (
    "id", "version", "content_hash", "url", "canonical_url", "site", "etag", "last_modified",
    "fetched_at", "published", "removed",
)  # fmt: skip
COLUMNS = ", ".join(f"{f} {'INTEGER' if f in ('version', 'removed') else 'TEXT'}" for f in FIELDS)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS pages ({COLUMNS}, PRIMARY KEY (id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pages_site ON pages (site);
CREATE TABLE IF NOT EXISTS urls (url TEXT PRIMARY KEY, id TEXT) WITHOUT ROWID;
"""


def index_path(jsonl: Path) -> Path:
    """``articles.jsonl`` -> ``articles.index.sqlite``; a shard's ``articles-w1.index.sqlite``."""
    return jsonl.with_name(f"{jsonl.stem}.index.sqlite")


class PageIndex:
    """``get(id)``, ``by_url(url)``, ``for_sites(sites)``; ``put(page, end)`` after each line the
    archive appends (``end``: the JSONL file's size after it); ``close()``."""

    def __init__(self, jsonl: Path, page_type: Any) -> None:
        self.jsonl = Path(jsonl)
        self.path = index_path(self.jsonl)
        self.page_type = page_type  # KnownPage: built from a record, and from a row
        self._pending = 0
        self._identified = False
        self.in_memory = False
        try:
            try:
                self.db = self._connect()
                self._catch_up()
            except sqlite3.DatabaseError:  # a damaged index: it is only a cache
                self._discard()
                self.db = self._connect()
                self._catch_up()
        except (sqlite3.Error, OSError) as exc:  # no room or no permission for it: memory will do
            self._to_memory(exc)

    # --- reading -------------------------------------------------------------------------

    def get(self, page_id: str) -> Any:
        row = self.db.execute(f"SELECT {', '.join(FIELDS)} FROM pages WHERE id = ?", (page_id,)).fetchone()
        return self._page(row) if row else None

    def by_url(self, url: str) -> Any:
        """The newest state of the article that last had ``url`` as its URL or canonical URL."""
        row = self.db.execute("SELECT id FROM urls WHERE url = ?", (url,)).fetchone()
        return self.get(row[0]) if row else None

    def for_sites(self, sites: Iterable[str]) -> Iterator[Any]:
        for site in sorted(set(sites)):
            rows = self.db.execute(f"SELECT {', '.join(FIELDS)} FROM pages WHERE site = ?", (site,))
            yield from (self._page(row) for row in rows)

    def __iter__(self) -> Iterator[Any]:
        yield from (self._page(row) for row in self.db.execute(f"SELECT {', '.join(FIELDS)} FROM pages"))

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM pages").fetchone()[0]

    # --- writing -------------------------------------------------------------------------

    def put(self, page: Any, end: int) -> None:
        """Remember ``page`` as its article's newest state; the JSONL file now ends at ``end``."""
        try:
            self._put(page)
            self._set("offset", str(end))
            if not self._identified:  # the file's first line was just written: it names the file now
                self._identify()
            self._pending += 1
            if self._pending >= COMMIT_EVERY:
                self.commit()
        except sqlite3.Error as exc:  # the disk filled up under the index: the JSONL file has it all
            self._to_memory(exc)

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0

    def close(self) -> None:
        try:
            self.commit()
        except sqlite3.Error as exc:  # a cache: the next open catches up from the JSONL file
            log.warning("could not save the index %s: %s", self.path, exc)
        finally:
            self.db.close()

    # --- keeping up with the JSONL file --------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # a cache: a lost commit is caught up on open
        db.executescript(SCHEMA)
        return db

    def _to_memory(self, exc: BaseException) -> None:
        """Go on with an index in memory, rebuilt from the JSONL file: the crawl must not stop
        because its cache cannot be written (the archive's own writes decide that)."""
        if self.in_memory:
            raise exc
        log.warning("cannot keep the index %s on disk (%s); it is kept in memory instead", self.path, exc)
        with contextlib.suppress(AttributeError, sqlite3.Error):
            self.db.close()
        self.in_memory = True
        self.db = sqlite3.connect(":memory:")
        self.db.executescript(SCHEMA)
        self._catch_up()

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _catch_up(self) -> None:
        """Read the JSONL lines the index has not seen; rebuild when it is not this file's."""
        size = self.jsonl.stat().st_size if self.jsonl.exists() else 0
        offset = int(self._get("offset") or 0)
        stored = self._get("head")
        if self._get("version") != str(VERSION) or (stored and stored != self._head()) or offset > size:
            self.db.executescript("DELETE FROM pages; DELETE FROM urls; DELETE FROM meta;")
            self._set("version", str(VERSION))
            offset = 0
        end = offset
        if offset < size:
            with self.jsonl.open("rb") as f:
                f.seek(offset)
                for line in iter_lines(f):
                    if not line.complete:
                        break  # a torn tail: not part of the archive (yet)
                    record = parse_checked(line, self.jsonl)  # a damaged line is warned about, skipped
                    if record is not None and isinstance(record.get("id"), str):
                        self._put(self.page_type.from_record(record))
                    end = offset + line.offset + line.size
        self._set("offset", str(end))
        self._identify()
        self.commit()

    def _identify(self) -> None:
        try:
            head = self._head()
        except OSError:  # out of file descriptors, say: try again at the next page
            return
        if head:
            self._set("head", head)
        self._identified = bool(head)

    def _head(self) -> str:
        """What identifies the JSONL file: a hash of its first bytes (up to its first line's end)."""
        if not self.jsonl.exists():
            return ""
        with self.jsonl.open("rb") as f:
            first = f.readline(HEAD_BYTES)
        return hashlib.sha256(first).hexdigest() if first.endswith(b"\n") else ""

    def _put(self, page: Any) -> None:
        values = tuple(int(getattr(page, f)) if f == "removed" else getattr(page, f) for f in FIELDS)
        self.db.execute(f"INSERT OR REPLACE INTO pages VALUES ({', '.join('?' * len(FIELDS))})", values)
        for url in {page.url, page.canonical_url} - {""}:
            self.db.execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (url, page.id))

    def _page(self, row: tuple) -> Any:
        values = dict(zip(FIELDS, row, strict=True))
        values["removed"] = bool(values["removed"])
        return self.page_type(**values)

    def _get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
