"""One line of ``verification.jsonl`` per reference checked, and the run's summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from pipelines.record import Reference
from pipelines.verify.lookup import Outcome

VERIFICATION = "verification.jsonl"  # written beside the archive, replaced whole by each run
STATUSES = ("verified", "mismatch", "not_found", "unchecked")
RESULT_KEYS = (
    "article_id",
    "version",
    "url",
    "n",
    "status",
    "source",
    "matched",
    "differences",
    "score",
    "reason",
    "retraction",
    "cited_after_retraction",
    "checked_at",
)
REFERENCE_FIELDS = frozenset(f.name for f in fields(Reference))


def as_reference(entry: Mapping[str, Any]) -> Reference:
    """An archived reference (the record's JSON) as the dataclass, unknown keys left out."""
    return Reference(**{k: v for k, v in entry.items() if k in REFERENCE_FIELDS})


def cited_after_retraction(
    retraction_date: str | None, published: str | None, modified: str | None
) -> bool | None:
    """Whether the post was published or modified after the notice's date; None when the date
    of the notice or of the post is unknown."""
    if not retraction_date:
        return None
    days = [d[:10] for d in (published, modified) if d]
    if not days:
        return None
    return any(day > retraction_date[:10] for day in days)


def result_line(
    article: Mapping[str, Any], ref: Reference, outcome: Outcome, checked_at: str
) -> dict[str, Any]:
    """The line for ``ref`` of ``article`` (its newest version), keys in RESULT_KEYS order."""
    retraction = outcome.retraction
    after = None
    if retraction is not None:
        after = cited_after_retraction(retraction.date, article.get("published"), article.get("modified"))
    line = {
        "article_id": article.get("id"),
        "version": article.get("version"),
        "url": article.get("url"),
        "n": ref.n,
        "status": outcome.status,
        "source": outcome.source,
        "matched": outcome.found.matched() if outcome.found else {},
        "differences": [d.as_dict() for d in outcome.differences],
        "score": outcome.score,
        "reason": outcome.reason,
        "retraction": retraction.as_dict() if retraction else None,
        "cited_after_retraction": after,
        "checked_at": checked_at,
    }
    assert tuple(line) == RESULT_KEYS
    return line


def summarise(lines: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Counts per status (every status, zeros too), ``retracted`` and ``cited_after_retraction``."""
    counts: Counter[str] = Counter({status: 0 for status in STATUSES})
    for line in lines:
        counts[line["status"]] += 1
        counts["retracted"] += line["retraction"] is not None
        counts["cited_after_retraction"] += line["cited_after_retraction"] is True
    counts.setdefault("retracted", 0)
    counts.setdefault("cited_after_retraction", 0)
    return dict(counts)


def summary_text(counts: Mapping[str, int], requests: int, cache_hits: int) -> str:
    """ "20 references: 14 verified, 2 mismatch, 3 not_found, 1 unchecked; 1 retracted (1 cited
    after the retraction); 17 requests, 3 cache hits"."""
    total = sum(counts.get(s, 0) for s in STATUSES)
    statuses = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
    return (
        f"{plural(total, 'reference')}: {statuses}; {counts.get('retracted', 0)} retracted "
        f"({counts.get('cited_after_retraction', 0)} cited after the retraction); "
        f"{plural(requests, 'request')}, {plural(cache_hits, 'cache hit')}"
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
