"""Articles for analysis tools: an ``articles`` table (one row per archived version) and a
``references`` table (one row per reference of a version, keyed by article id and version), as
Parquet (pyarrow, the ``parquet`` extra) or CSV (lists joined with "; ")."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# (column, type) of each table; types: str, int, list (of strings)
ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "str"),
    ("version", "int"),
    ("url", "str"),
    ("canonical_url", "str"),
    ("site", "str"),
    ("site_name", "str"),
    ("title", "str"),
    ("authors", "list"),
    ("published", "str"),
    ("modified", "str"),
    ("language", "str"),
    ("categories", "list"),
    ("tags", "list"),
    ("summary", "str"),
    ("text", "str"),
    ("word_count", "int"),
    ("page_type", "str"),
    ("reference_count", "int"),
    ("citation_count", "int"),
    ("content_hash", "str"),
    ("fetched_at", "str"),
    ("http_status", "int"),
    ("crawl_id", "str"),
    ("removed_at", "str"),
)
REFERENCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "str"),
    ("version", "int"),
    ("n", "int"),
    ("raw", "str"),
    ("authors", "list"),
    ("title", "str"),
    ("container", "str"),
    ("year", "int"),
    ("volume", "str"),
    ("issue", "str"),
    ("issue_qualifier", "str"),
    ("pages", "str"),
    ("doi", "str"),
    ("pmid", "str"),
    ("pmcid", "str"),
    ("url", "str"),
    ("style", "str"),
    ("cited_by_markers", "int"),
)
TABLES = {"articles": ARTICLE_COLUMNS, "references": REFERENCE_COLUMNS}


def article_row(record: dict[str, Any]) -> dict[str, Any]:
    """One archive line (an article version or a tombstone) as an ``articles`` row."""
    row = {name: record.get(name) for name, _ in ARTICLE_COLUMNS}
    row["authors"] = [a.get("name") if isinstance(a, dict) else a for a in record.get("authors") or []]
    row["reference_count"] = len(record.get("references") or [])
    row["citation_count"] = len(record.get("citations") or [])
    row["http_status"] = (record.get("http") or {}).get("status")
    row["crawl_id"] = (record.get("crawl") or {}).get("id") or record.get("crawl_id")
    return row


def reference_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``references`` rows of one article version."""
    cited = [c.get("ref") for c in record.get("citations") or []]
    rows = []
    for ref in record.get("references") or []:
        row = {name: ref.get(name) for name, _ in REFERENCE_COLUMNS}
        row["article_id"], row["version"] = record.get("id"), record.get("version")
        row["cited_by_markers"] = cited.count(ref.get("n"))
        rows.append(row)
    return rows


def table_rows(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {"articles": [], "references": []}
    for record in records:
        rows["articles"].append(article_row(record))
        rows["references"] += reference_rows(record)
    return rows


def write_parquet(rows: dict[str, list[dict[str, Any]]], directory: Path) -> list[Path]:
    """``articles.parquet`` and ``references.parquet`` in ``directory``, typed columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"str": pa.string(), "int": pa.int64(), "list": pa.list_(pa.string())}
    written = []
    for name, columns in TABLES.items():
        schema = pa.schema([(column, types[kind]) for column, kind in columns])
        path = directory / f"{name}.parquet"
        pq.write_table(pa.Table.from_pylist(rows[name], schema=schema), path)
        written.append(path)
    return written


def write_csv(rows: dict[str, list[dict[str, Any]]], directory: Path) -> list[Path]:
    """``articles.csv`` and ``references.csv`` in ``directory`` (UTF-8, a header line; lists
    joined with "; ", empty cells for nulls)."""
    written = []
    for name, columns in TABLES.items():
        path = directory / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([column for column, _ in columns])
            for row in rows[name]:
                writer.writerow([_cell(row.get(column), kind) for column, kind in columns])
        written.append(path)
    return written


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    return "; ".join(value) if kind == "list" else str(value)
