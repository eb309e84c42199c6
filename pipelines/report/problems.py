"""What a content manager must fix in one post: reference check findings, contradicted
citations, retracted works it cites, and how its references fared in ``verify``.

Pure functions of one archive record (and its version's verification lines). Only posts with
problems carry strings here; a clean post shares the empty tuple, so the summaries of a large
archive stay small.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.report.verification import MISMATCH, NOT_FOUND, VERIFIED, Checked, Notice

# The offline checks of pipelines/references/checks.py, in the order the report lists them
# (the worst first: a reference dated after the post cannot be what the post relied on), and
# how a content manager reads each.
CHECK_LABELS = {
    "year_after_post": "dated after the post",
    "year_in_future": "dated in the future",
    "doi_invalid": "malformed DOI",
    "doi_publisher": "DOI of another publisher than the journal's",
    "pages_reversed": "pages reversed",
    "pages_absurd": "impossible page range",
    "volume_unlikely": "unlikely volume for the journal",
    "duplicate": "listed twice",
    "uncited": "not cited in the text",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One offline check finding about one reference entry."""

    code: str
    n: int | None
    message: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A sentence that says something the entry it cites does not."""

    marker: str
    n: int | None
    sentence: str
    entry: str | None  # the cited entry as printed (its raw string), when the marker has one
    reason: str


@dataclass(frozen=True, slots=True)
class Retraction:
    """A cited work that was retracted, with the sentences citing it and the notice."""

    n: int
    entry: str
    sentences: tuple[str, ...]  # the post's sentences whose marker cites this entry
    notice: Notice


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A reference the literature database describes otherwise: which fields, both values."""

    n: int
    entry: str
    differences: tuple[tuple[str, str, str], ...]  # (field, the post's value, the database's)


@dataclass(frozen=True, slots=True)
class Verification:
    """A post's references by verification status; ``no_line`` of the unchecked ones have no
    line in verification.jsonl for the post's newest version (it changed since ``verify`` ran)."""

    verified: int = 0
    mismatch: int = 0
    not_found: int = 0
    unchecked: int = 0
    no_line: int = 0


def _dicts(values: Any) -> list[dict[str, Any]]:
    return [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check_findings(refs: list[dict[str, Any]]) -> tuple[Finding, ...]:
    """Every ``references[].checks`` finding, in entry order."""
    found = [
        Finding(
            sys.intern(check["code"]),
            _number(ref.get("n")),
            _text(check.get("message")),
            _text(check.get("evidence")),
        )
        for ref in refs
        for check in _dicts(ref.get("checks"))
        if isinstance(check.get("code"), str) and check["code"]
    ]
    return tuple(found) if found else ()


def contradictions(refs: list[dict[str, Any]], citations: list[dict[str, Any]]) -> tuple[Contradiction, ...]:
    """The citations flagged as contradicting their entry, with that entry's printed text."""
    raw = {ref.get("n"): ref.get("raw") for ref in refs}
    found = [
        Contradiction(
            marker=_text(c.get("marker")),
            n=_number(c.get("ref")),
            sentence=_text(c.get("sentence")),
            entry=raw.get(c.get("ref")) if isinstance(raw.get(c.get("ref")), str) else None,
            reason=c["contradiction"],
        )
        for c in citations
        if isinstance(c.get("contradiction"), str) and c["contradiction"]
    ]
    return tuple(found) if found else ()


def verification(refs: list[dict[str, Any]], checked: Mapping[int, Checked]) -> Verification:
    """How many of the post's entries ``verify`` found, found different, did not find, or did
    not check (an entry without a line counts as unchecked)."""
    counts = dict.fromkeys((VERIFIED, MISMATCH, NOT_FOUND), 0)
    unchecked = no_line = 0
    for ref in refs:
        line = checked.get(ref.get("n"))  # type: ignore[arg-type]
        if line is None:
            no_line += 1
        if line is not None and line.status in counts:
            counts[line.status] += 1
        else:
            unchecked += 1
    return Verification(counts[VERIFIED], counts[MISMATCH], counts[NOT_FOUND], unchecked, no_line)


def retractions(
    refs: list[dict[str, Any]], citations: list[dict[str, Any]], checked: Mapping[int, Checked]
) -> tuple[Retraction, ...]:
    """The entries whose cited work has a retraction notice, with the sentences citing each."""
    found = []
    for ref in refs:
        line = checked.get(ref.get("n"))  # type: ignore[arg-type]
        if line is None or line.notice is None:
            continue
        sentences = tuple(
            dict.fromkeys(_text(c.get("sentence")) for c in citations if c.get("ref") == ref["n"])
        )
        found.append(
            Retraction(ref["n"], _text(ref.get("raw")), tuple(s for s in sentences if s), line.notice)
        )
    return tuple(found) if found else ()


def mismatches(refs: list[dict[str, Any]], checked: Mapping[int, Checked]) -> tuple[Mismatch, ...]:
    """The entries verify found different in the database, with the fields that differ."""
    found = [
        Mismatch(ref["n"], _text(ref.get("raw")), line.differences)
        for ref in refs
        if (line := checked.get(ref.get("n"))) is not None and line.differences  # type: ignore[arg-type]
    ]
    return tuple(found) if found else ()
