"""``clinic-archive validate``: every line of an archive file against its published JSON Schema,
read in bounded memory (a torn or over-long line is a bad line, not a crash)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.archive.lines import iter_lines
from pipelines.record import record_problems


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    problems: list[str]


def validate_file(path: str | Path, kind: str = "article") -> Iterator[BadLine | int]:
    """Yield a ``BadLine`` per invalid line (not JSON, not the ``kind``'s schema, torn,
    over-long), then the number of lines checked."""
    count = 0
    with Path(path).open("rb") as f:
        for line in iter_lines(f):
            count = line.number
            if problem := line.problem():
                yield BadLine(count, [problem])
                continue
            assert line.raw is not None
            try:
                record = json.loads(line.raw)
            except ValueError as exc:
                yield BadLine(count, [f"not JSON: {exc}"])
                continue
            problems = record_problems(record, kind)
            if problems:
                yield BadLine(count, problems)
    yield count
