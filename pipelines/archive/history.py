"""What changed in an archive, and its newest state: streaming reads of ``articles.jsonl``.

The archive is append-only history; these readers keep one small reference per line (id,
version, time, byte offset) and seek back only for the records a diff or an export needs,
so memory stays small for archives of any size.
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pipelines.archive.jsonl import ARTICLES, CRAWLS, iter_records
from pipelines.archive.lines import iter_lines, parse_checked, parse_line
from pipelines.record import word_count

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LineRef:
    """Where one version of one article sits in the file, and when it was written."""

    id: str
    version: int
    offset: int
    at: str  # fetched_at, or removed_at for a tombstone
    crawl_id: str | None
    site: str
    removed: bool


def scan(path: str | Path) -> Iterator[LineRef]:
    """Every complete line of an articles.jsonl, as a LineRef, in file order."""
    with Path(path).open("rb") as f:
        for line in iter_lines(f):
            offset = line.offset
            record = parse_checked(line, path)
            if record is not None and isinstance(record.get("id"), str):
                removed = "removed_at" in record
                yield LineRef(
                    id=record["id"],
                    version=record.get("version", 1),
                    offset=offset,
                    at=record.get("removed_at") if removed else record.get("fetched_at", ""),
                    crawl_id=(record.get("crawl") or {}).get("id"),
                    site=record.get("site", ""),
                    removed=removed,
                )


def read_at(f: BinaryIO, offset: int) -> dict[str, Any]:
    f.seek(offset)
    return json.loads(f.readline())


# --- export ---------------------------------------------------------------------------------


def export_lines(path: str | Path, latest: bool = True, include_removed: bool = False) -> Iterator[bytes]:
    """Archive lines to export: the newest version of each article (in file order), or all of
    them. A removed article's tombstone is left out unless ``include_removed``."""
    keep: set[int] | None = None
    if latest:
        newest: dict[str, LineRef] = {}
        for ref in scan(path):
            newest[ref.id] = ref
        keep = {r.offset for r in newest.values() if include_removed or not r.removed}
    with Path(path).open("rb") as f:
        for line in iter_lines(f):
            if problem := line.problem():
                log.warning("%s:%d: not exported: %s", path, line.number, problem)
                continue
            raw = line.raw
            assert raw is not None
            record = parse_line(raw, path) if b'"removed_at"' in raw else None
            is_tombstone = record is not None and "removed_at" in record
            if (keep is None and (include_removed or not is_tombstone)) or (
                keep is not None and line.offset in keep
            ):
                yield raw


def export_records(
    path: str | Path, latest: bool = True, include_removed: bool = False
) -> Iterator[dict[str, Any]]:
    """``export_lines`` as records (dicts), for the readers that want fields, not bytes."""
    for line in export_lines(path, latest=latest, include_removed=include_removed):
        yield json.loads(line)


# --- changes --------------------------------------------------------------------------------


@dataclass(slots=True)
class Changes:
    """New, changed and removed articles per site within a window of time or one crawl."""

    window: str  # "since 2024-01-01" or "crawl <id>"
    sites: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    # archived articles the crawl saw unchanged, per site (sites.jsonl; a crawl's window only)
    unchanged: dict[str, int] = field(default_factory=dict)

    def add(self, site: str, kind: str, entry: dict[str, Any]) -> None:
        buckets = self.sites.setdefault(site, {"new": [], "changed": [], "removed": []})
        buckets[kind].append(entry)

    def totals(self) -> dict[str, int]:
        return {k: sum(len(s[k]) for s in self.sites.values()) for k in ("new", "changed", "removed")}

    def as_dict(self) -> dict[str, Any]:
        """As JSON: the changes per site, and the articles each site's crawl saw unchanged."""
        return {
            "window": self.window,
            "totals": self.totals(),
            "sites": self.sites,
            "unchanged": self.unchanged,
        }


def last_crawl_id(directory: str | Path) -> str | None:
    """The most recent crawl (not a re-extraction) recorded in crawls.jsonl."""
    path = Path(directory) / CRAWLS
    last = None
    if path.exists():
        for summary in iter_records(path):
            if summary.get("kind", "crawl") == "crawl" and summary.get("crawl_id"):
                last = summary["crawl_id"]
    return last


def find_changes(directory: str | Path, since: str | None = None) -> Changes:
    """Changes since a date (ISO, compared with fetched_at/removed_at), or else those the most
    recent crawl found."""
    path = Path(directory) / ARTICLES
    crawl_id = None if since else last_crawl_id(directory)
    window = f"since {since}" if since else f"crawl {crawl_id}"
    changes = Changes(window)
    if not path.exists() or (not since and crawl_id is None):
        return changes

    def in_window(ref: LineRef) -> bool:
        return ref.at >= since if since else ref.crawl_id == crawl_id

    history: dict[str, list[LineRef]] = {}
    for ref in scan(path):
        history.setdefault(ref.id, []).append(ref)
    with path.open("rb") as f:
        for refs in history.values():
            inside = [r for r in refs if in_window(r)]
            if inside:
                _classify(f, refs, inside, changes)
    for buckets in changes.sites.values():
        for entries in buckets.values():
            entries.sort(key=lambda e: e.get("title") or "")
    if crawl_id:
        changes.unchanged = unchanged_by_site(directory, crawl_id)
    return changes


def unchanged_by_site(directory: str | Path, crawl_id: str) -> dict[str, int]:
    """Per site, the archived articles one crawl saw unchanged (same content, a 304, or a sitemap
    lastmod older than the last fetch), from its lines in sites.jsonl (and workers' sites-*.jsonl)."""
    counts: dict[str, int] = {}
    for path in sorted(Path(directory).glob("sites*.jsonl")):
        if path.stem != "sites" and not path.stem.startswith("sites-"):
            continue
        for line in iter_records(path):
            if line.get("crawl_id") == crawl_id and isinstance(line.get("articles"), dict):
                site = str(line.get("site"))
                counts[site] = counts.get(site, 0) + int(line["articles"].get("unchanged") or 0)
    return {site: n for site, n in counts.items() if n}


def _classify(f: BinaryIO, refs: list[LineRef], inside: list[LineRef], changes: Changes) -> None:
    last = inside[-1]
    before = [r for r in refs if r.offset < inside[0].offset]
    if last.removed:
        earlier = [r for r in refs if not r.removed and r.offset < last.offset]
        record = read_at(f, earlier[-1].offset) if earlier else read_at(f, last.offset)
        entry = _entry(record)
        entry["removed_at"] = last.at
        changes.add(last.site, "removed", entry)
    elif not before:
        changes.add(last.site, "new", _entry(read_at(f, last.offset)))
    else:
        old = read_at(f, before[-1].offset)
        new = read_at(f, last.offset)
        entry = _entry(new)
        entry["diff"] = diff_summary(old, new)
        changes.add(last.site, "changed", entry)


def _entry(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "url": record.get("url"),
        "title": record.get("title"),
        "version": record.get("version"),
        "published": record.get("published"),
    }


def diff_summary(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A short account of what changed between two versions of an article."""
    if "removed_at" in old:  # it came back after a removal
        return {"summary": "back after removal", "words": [0, new.get("word_count", 0)]}
    old_paras = (old.get("text") or "").split("\n\n")
    new_paras = (new.get("text") or "").split("\n\n")
    matcher = difflib.SequenceMatcher(a=old_paras, b=new_paras, autojunk=False)
    added = removed = edited = 0
    first_added = None
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_n, new_n = i2 - i1, j2 - j1
        edited += min(old_n, new_n)  # a replaced run: paired paragraphs edited, the rest added/removed
        added += max(0, new_n - old_n)
        removed += max(0, old_n - new_n)
        if first_added is None and tag in ("insert", "replace"):
            first_added = _new_words(" ".join(old_paras[i1:i2]), " ".join(new_paras[j1:j2]))
    old_words, new_words = word_count(old.get("text") or ""), word_count(new.get("text") or "")
    old_refs, new_refs = len(old.get("references") or []), len(new.get("references") or [])
    parts = [f"{new_words - old_words:+d} words ({old_words} -> {new_words})"]
    if edited or added or removed:
        parts.append(f"paragraphs: {edited} edited, {added} added, {removed} removed")
    if old.get("title") != new.get("title"):
        parts.append(f"title: {old.get('title')!r} -> {new.get('title')!r}")
    if old_refs != new_refs:
        parts.append(f"references: {old_refs} -> {new_refs}")
    if first_added:
        parts.append(f"new text: {first_added!r}")
    return {
        "summary": "; ".join(parts),
        "words": [old_words, new_words],
        "paragraphs": {"edited": edited, "added": added, "removed": removed},
        "references": [old_refs, new_refs],
        "title_changed": old.get("title") != new.get("title"),
        "first_new_text": first_added,
    }


SNIPPET = 120  # characters of new text shown in a summary: enough to recognise the edit


def _new_words(old: str, new: str) -> str | None:
    """The first run of words the new text has and the old one lacks."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace") and j2 > j1:
            snippet = " ".join(b[j1:j2])
            return snippet if len(snippet) <= SNIPPET else snippet[: SNIPPET - 1] + "…"
    return None


def format_changes(changes: Changes) -> str:
    """The text report of ``clinic-archive changes``."""
    totals = changes.totals()
    sites = sorted(set(changes.sites) | set(changes.unchanged))
    unchanged = f", {sum(changes.unchanged.values())} unchanged" if changes.unchanged else ""
    lines = [
        f"Changes {changes.window}: {totals['new']} new, {totals['changed']} changed, "
        f"{totals['removed']} removed{unchanged}, across {len(sites)} site(s)."
    ]
    for site in sites:
        buckets = changes.sites.get(site, {"new": [], "changed": [], "removed": []})
        same = f", {changes.unchanged[site]} unchanged" if site in changes.unchanged else ""
        lines.append(
            f"\n{site}: {len(buckets['new'])} new, {len(buckets['changed'])} changed, "
            f"{len(buckets['removed'])} removed{same}"
        )
        for e in buckets["new"]:
            lines.append(f"  + new      {e['title']}  <{e['url']}>")
        for e in buckets["changed"]:
            lines.append(f"  ~ changed  {e['title']} (v{e['version']})  <{e['url']}>")
            lines.append(f"             {e['diff']['summary']}")
        for e in buckets["removed"]:
            lines.append(f"  - removed  {e['title']}  <{e['url']}>  (gone at {e['removed_at']})")
    return "\n".join(lines)
