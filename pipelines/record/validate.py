"""Check archive lines against the published JSON Schema."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@cache
def schema() -> dict[str, Any]:
    path = resources.files("pipelines.record").joinpath("schema/article.schema.json")
    return json.loads(path.read_text("utf-8"))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def record_problems(record: Any) -> list[str]:
    """Human-readable schema violations of one record (empty when valid)."""
    problems = []
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or "(record)"
        problems.append(f"{where}: {error.message}")
    return problems
