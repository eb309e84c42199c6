"""Check archive lines against the published JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
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


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    problems: list[str]


def validate_file(path: str | Path) -> Iterator[BadLine | int]:
    """Yield a ``BadLine`` per invalid line, then the number of lines checked."""
    count = 0
    with Path(path).open("rb") as f:
        for count, raw in enumerate(f, start=1):
            try:
                record = json.loads(raw)
            except ValueError as exc:
                yield BadLine(count, [f"not JSON: {exc}"])
                continue
            problems = record_problems(record)
            if problems:
                yield BadLine(count, problems)
    yield count
