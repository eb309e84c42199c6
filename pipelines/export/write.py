"""``clinic-archive export``: one archive into one of ``FORMATS``, written so that a reader never
sees a half-written file (each file is written beside its place and renamed into it)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.archive import ARTICLES, export_lines, export_records, write_replacing
from pipelines.export.csl import collect_items
from pipelines.export.formats import FORMATS, REFERENCE_FORMATS
from pipelines.export.managers import bibtex_text, ris_text
from pipelines.export.notes import write_notes
from pipelines.export.tables import table_rows, write_csv, write_parquet


class ExportError(Exception):
    """An export that cannot be written: the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which articles an export holds: of these sites (keys as in records' ``site``) and
    published on or after ``since`` (YYYY-MM-DD; articles with no date are left out then)."""

    sites: frozenset[str] = frozenset()
    since: str | None = None

    def keeps(self, record: dict[str, Any]) -> bool:
        if self.sites and record.get("site") not in self.sites:
            return False
        if self.since:
            published = record.get("published")
            return isinstance(published, str) and published[:10] >= self.since
        return True

    def __bool__(self) -> bool:
        return bool(self.sites or self.since)


def export_archive(
    archive: Path,
    fmt: str,
    out: Path,
    latest: bool = False,
    include_removed: bool = False,
    select: Selection = Selection(),
) -> str:
    """Write ``archive``'s articles (``archive`` is its directory) to ``out`` in ``fmt``, those
    ``select`` keeps; ``out`` is a directory for the formats that write several files and may be
    ``-`` (stdout) for the others. Returns what was written, for the user."""
    source = archive / ARTICLES
    if not source.exists():
        raise ExportError(f"no archive in {archive} (expected {source})")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        lines = list(export_lines(source, latest=latest, include_removed=include_removed))
        if select:
            lines = [line for line in lines if select.keeps(json.loads(line))]
        _write(out, b"".join(lines), source)
        return f"{len(lines)} lines"

    def records(latest: bool, include_removed: bool) -> Iterator[dict[str, Any]]:
        return (r for r in export_records(source, latest, include_removed) if select.keeps(r))

    if fmt in REFERENCE_FORMATS:  # the newest version of each article, never a tombstone
        items = collect_items(records(latest=True, include_removed=False))
        text = {"csl-json": _csl_json, "ris": ris_text, "bibtex": bibtex_text}[fmt](items)
        _write(out, text.encode("utf-8"), source)
        return f"{len(items)} references"
    if str(out) == "-":
        raise ExportError(f"--format {fmt} writes several files: give a directory with -o")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file: --format {fmt} writes into a directory")
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "markdown":  # the newest version of each article, never a tombstone
        count = write_notes(records(latest=True, include_removed=False), out)
        return f"{count} articles as Markdown files"
    rows = table_rows(records(latest, include_removed))
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            hint = "pip install 'clinic-archive[parquet]'"
            raise ExportError(f"--format parquet needs pyarrow: {hint}") from exc
    staging = out / ".export.part"
    staging.mkdir(exist_ok=True)
    written = (write_parquet if fmt == "parquet" else write_csv)(rows, staging)
    for path in written:
        path.replace(out / path.name)
    staging.rmdir()
    return f"{len(rows['articles'])} article rows and {len(rows['references'])} reference rows"


def _csl_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def _write(out: Path, data: bytes, source: Path) -> None:
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if out.resolve() == source.resolve():
        raise ExportError("-o must not be the archive itself")
    if out.is_dir():
        raise ExportError(f"{out} is a directory: give a file name with -o")
    write_replacing(out, [data])  # readers never see a half-written export
