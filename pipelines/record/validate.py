"""Check archive lines against the published JSON Schemas (one per kind of line).

The schemas are package data (``pipelines/record/schema/``) and copies in the repository's
``schema/`` directory; ``clinic-archive schema NAME`` prints them. Each carries its version in
``x-version`` and ``$id``; an article record names its version in its ``schema`` field.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

# kind of line -> the file names it is written to (an archive directory's JSONL files)
SCHEMAS = {
    "article": ("articles",),
    "error": ("errors",),
    "crawl": ("crawls",),
    "site": ("sites",),
    "skipped": ("skipped",),
    "report": (),  # clinic-archive report --format json: not an archive file
}


@cache
def schema(kind: str = "article") -> dict[str, Any]:
    """The JSON Schema of one kind of line (``SCHEMAS``); KeyError for an unknown kind."""
    if kind not in SCHEMAS:
        raise KeyError(kind)
    path = resources.files("pipelines.record").joinpath(f"schema/{kind}.schema.json")
    return json.loads(path.read_text("utf-8"))


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema(kind))


def record_problems(record: Any, kind: str = "article") -> list[str]:
    """Human-readable schema violations of one line (empty when valid)."""
    problems = []
    for error in sorted(_validator(kind).iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or "(record)"
        problems.append(f"{where}: {error.message}")
    return problems


def kind_of_file(name: str) -> str | None:
    """The kind of line a JSONL file of an archive holds, by its name: ``articles.jsonl`` and a
    worker's ``articles-w1.jsonl`` hold articles; None for a file no schema covers."""
    if not name.endswith(".jsonl"):
        return None
    stem = name[: -len(".jsonl")]
    for kind, stems in SCHEMAS.items():
        if any(stem == s or stem.startswith(s + "-") for s in stems):
            return kind
    return None
