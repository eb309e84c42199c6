"""Articles as Markdown files with YAML front matter, as static-site generators (Hugo, Jekyll,
Eleventy) and note-taking apps (Obsidian, Logseq) read them: one file per article, its newest
version. The body is the record's ``markdown`` (``text`` for records written before it existed).

The front matter is written as JSON values, which YAML 1.2 reads as they are (and PyYAML, a YAML
1.1 parser, reads too): no quoting rules of our own to get wrong."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.archive import write_replacing

UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")  # what a file name keeps
REFERENCE_KEYS = ("n", "raw", "authors", "title", "container", "year", "doi", "pmid", "pmcid", "url")


def front_matter(record: dict[str, Any]) -> str:
    """The YAML block of one article: title, authors, dates, URL, site and its references."""
    fields: dict[str, Any] = {
        "title": record.get("title"),
        "authors": [a.get("name") if isinstance(a, dict) else a for a in record.get("authors") or []],
        "published": record.get("published"),
        "modified": record.get("modified"),
        "url": record.get("canonical_url") or record.get("url"),
        "site": record.get("site"),
        "site_name": record.get("site_name"),
        "id": record.get("id"),
        "version": record.get("version"),
        "fetched_at": record.get("fetched_at"),
        "tags": record.get("tags") or [],
        "categories": record.get("categories") or [],
    }
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}:" + ("" if value else " []"))
            lines += [f"  - {_json(v)}" for v in value]
        else:
            lines.append(f"{key}: {_json(value)}")
    references = [
        {k: ref.get(k) for k in REFERENCE_KEYS if ref.get(k) not in (None, [], "")}
        for ref in record.get("references") or []
    ]
    lines.append("references:" + ("" if references else " []"))
    lines += [f"  - {_json(ref)}" for ref in references]
    lines.append("---")
    return "\n".join(lines) + "\n"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def note_name(record: dict[str, Any], taken: set[str]) -> str:
    """``<site>/<last path segment>.md``, ASCII, unique within the export."""
    url = record.get("canonical_url") or record.get("url") or ""
    parts = urlsplit(url)
    segment = next((s for s in reversed(parts.path.split("/")) if s), "index")
    slug = unicodedata.normalize("NFKD", segment).encode("ascii", "ignore").decode()
    slug = UNSAFE_RE.sub("-", slug).strip("-.")[:80] or "article"
    site = UNSAFE_RE.sub("-", record.get("site") or parts.netloc or "site").strip("-.") or "site"
    name = f"{site}/{slug}.md"
    if name in taken:
        name = f"{site}/{slug}-{(record.get('id') or '')[:8]}.md"
    taken.add(name)
    return name


def write_notes(records: Iterable[dict[str, Any]], directory: Path) -> int:
    """One Markdown file per record into ``directory`` (by site); the number written."""
    taken: set[str] = set()
    count = 0
    for record in records:
        path = directory / note_name(record, taken)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = record.get("markdown") or record.get("text") or ""
        title = record.get("title")
        heading = f"# {title}\n\n" if title else ""
        write_replacing(path, [(front_matter(record) + "\n" + heading + body + "\n").encode("utf-8")])
        count += 1
    return count
