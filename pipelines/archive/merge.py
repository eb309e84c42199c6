"""Merge archive shards (one per worker, or several archives) into one archive.

Lines are grouped per article id and ordered by the time they were fetched (or removed);
a line whose content equals the previous kept version (same content_hash, or a second
tombstone in a row) is dropped, and versions are renumbered 1..n. Errors and crawl summaries
are concatenated without exact repeats; raw WARC files are linked (or copied) alongside, so
every record's ``raw`` pointer still resolves. Memory: one small tuple per line.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.archive.jsonl import ARTICLES, REMOVED, JsonlWriter, KnownPage, load_known_pages
from pipelines.archive.lines import iter_lines, parse_checked
from pipelines.archive.warc import RAW_DIR


@dataclass(frozen=True, slots=True, order=True)
class _Line:
    at: str  # fetched_at or removed_at: the order of history
    source: int  # which file, then where in it: ties keep file order
    offset: int
    id: str = field(compare=False)
    content: str = field(compare=False)  # content_hash, or REMOVED for a tombstone


@dataclass(slots=True)
class MergeStats:
    shards: int = 0
    lines_read: int = 0
    lines_written: int = 0
    duplicates_dropped: int = 0
    articles: int = 0
    errors: int = 0
    crawls: int = 0
    warcs: int = 0


def shard_files(directory: Path, stem: str) -> list[Path]:
    """``articles.jsonl`` and ``articles-<worker>.jsonl`` (likewise errors, crawls) of one dir."""
    return sorted(
        p for p in directory.glob(f"{stem}*.jsonl") if p.stem == stem or p.stem.startswith(f"{stem}-")
    )


def known_across_shards(directory: str | Path, sites: Iterable[str] | None = None) -> dict[str, KnownPage]:
    """Newest state of every article of ``directory``, its ``articles.jsonl`` and its workers'
    ``articles-<worker>.jsonl`` read together (the highest version of each id wins): what a
    distributed recrawl shares with its workers (crawler/distributed/known.py)."""
    known: dict[str, KnownPage] = {}
    sites = None if sites is None else list(sites)
    stem = ARTICLES.removesuffix(".jsonl")
    for path in shard_files(Path(directory), stem):
        shard = path.stem.removeprefix(f"{stem}-") if path.stem != stem else None
        for page in load_known_pages(directory, shard, sites=sites).values():
            if page.id not in known or page.version > known[page.id].version:
                known[page.id] = page
    return known


def _scan(path: Path, source: int) -> Iterator[_Line]:
    with path.open("rb") as f:
        for line in iter_lines(f):
            record = parse_checked(line, path)
            if record is not None and isinstance(record.get("id"), str):
                removed = "removed_at" in record
                at = record.get("removed_at") if removed else record.get("fetched_at", "")
                yield _Line(
                    at if isinstance(at, str) else "",  # a malformed time sorts first, never crashes
                    source,
                    line.offset,
                    record["id"],
                    REMOVED if removed else record.get("content_hash", ""),
                )


def merge_archives(inputs: list[Path], output: Path) -> MergeStats:
    """Write one archive in ``output`` from the shards found in ``inputs``."""
    stats = MergeStats()
    output.mkdir(parents=True, exist_ok=True)
    files = [f for d in inputs for f in shard_files(d, "articles")]
    stats.shards = len(files)
    by_id: dict[str, list[_Line]] = {}
    for source, path in enumerate(files):
        for line in _scan(path, source):
            stats.lines_read += 1
            by_id.setdefault(line.id, []).append(line)
    kept: list[tuple[_Line, int]] = []  # (line, its version in the merged history)
    for lines in by_id.values():
        lines.sort()
        version, last = 0, None
        for line in lines:
            if line.content == last:
                stats.duplicates_dropped += 1
                continue
            version += 1
            last = line.content
            kept.append((line, version))
    kept.sort(key=lambda pair: pair[0])
    stats.articles = len(by_id)
    handles = [p.open("rb") for p in files]
    writer = JsonlWriter(output / "articles.jsonl")
    try:
        for line, version in kept:
            f = handles[line.source]
            f.seek(line.offset)
            record = json.loads(f.readline())
            record["version"] = version
            writer.append(record)
            stats.lines_written += 1
    finally:
        writer.close()
        for f in handles:
            f.close()
    stats.errors = _concat([f for d in inputs for f in shard_files(d, "errors")], output / "errors.jsonl")
    stats.crawls = _concat([f for d in inputs for f in shard_files(d, "crawls")], output / "crawls.jsonl")
    _concat([f for d in inputs for f in shard_files(d, "skipped")], output / "skipped.jsonl")
    # per-site lines; a distributed crawl's workers each count the sites' pages they fetched
    _concat([f for d in inputs for f in shard_files(d, "sites")], output / "sites.jsonl")
    stats.warcs = _link_raw(inputs, output / RAW_DIR)
    return stats


def _concat(files: list[Path], target: Path) -> int:
    """Append every distinct line of ``files`` to ``target``; returns how many."""
    seen: set[bytes] = set()
    writer = JsonlWriter(target)
    try:
        for path in files:
            with path.open("rb") as f:
                for line in iter_lines(f):
                    if line.raw not in seen and (record := parse_checked(line, path)) is not None:
                        seen.add(line.raw)
                        writer.append(record)
    finally:
        writer.close()
    return len(seen)


def _link_raw(inputs: list[Path], raw_out: Path) -> int:
    """Make each shard's WARC files available under the merged archive's raw/ (hard links when
    the file system allows, copies otherwise). Worker WARC names are unique per worker."""
    count = 0
    for directory in inputs:
        for warc in sorted((directory / RAW_DIR).glob("*.warc.gz")):
            raw_out.mkdir(parents=True, exist_ok=True)
            target = raw_out / warc.name
            if target.exists():
                if target.stat().st_size != warc.stat().st_size and not os.path.samefile(target, warc):
                    raise ValueError(f"two different WARC files are both named {warc.name}")
                continue
            try:
                os.link(warc, target)
            except OSError:
                shutil.copy2(warc, target)
            count += 1
    return count
