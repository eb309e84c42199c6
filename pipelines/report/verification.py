"""What ``clinic-archive verify`` found about each reference, as the report needs it.

``verify`` writes ``verification.jsonl`` beside the archive: one line per reference, keyed by
``article_id``, ``version`` and ``n`` (the entry number). The report only counts the lines of
the newest version of each post, so the index is kept per version and a post's summary looks
up its own version: lines about an older version (the post changed since ``verify`` ran) are
never matched, and that post's references count as unchecked.

The index is built before the archive is streamed and holds, per reference, one shared object
per status (the common case) or a small one with its retraction notice (rare), so it stays
small next to the archive it describes.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.verify import STATUSES

VERIFIED, MISMATCH, NOT_FOUND, UNCHECKED = STATUSES


@dataclass(frozen=True, slots=True)
class Notice:
    """A retraction (or expression of concern...) of the cited work, from its notice."""

    nature: str | None
    date: str | None
    notice_doi: str | None
    source: str | None
    cited_after: bool | None  # the post cites it although it was published after the notice


@dataclass(frozen=True, slots=True)
class Checked:
    """One reference's verification: its status, the fields the database gives otherwise
    (``(field, ours, theirs)``, for a mismatch) and, when the work was retracted, the notice."""

    status: str
    notice: Notice | None = None
    differences: tuple[tuple[str, str, str], ...] = ()


# one shared object per status: most references carry no notice
_PLAIN = {status: Checked(status) for status in STATUSES}


@dataclass
class VerificationIndex:
    """``(article_id, version) -> {n: Checked}`` of every usable line of a verification file."""

    by_version: dict[tuple[str, int], dict[int, Checked]] = field(default_factory=dict)
    lines: int = 0  # lines read, usable or not
    bad_lines: int = 0  # not JSON objects, or missing the keys or a known status

    def add(self, line: Mapping[str, Any] | None) -> None:
        """Index one line; a later line about the same reference replaces an earlier one."""
        self.lines += 1
        key = _key(line)
        if key is None or line is None:
            self.bad_lines += 1
            return
        article_id, version, n = key
        self.by_version.setdefault((sys.intern(article_id), version), {})[n] = _checked(line)

    def of(self, article_id: str, version: Any) -> Mapping[int, Checked]:
        """The verified references of one version of a post (empty when ``verify`` has not seen it)."""
        if not isinstance(version, int):
            return {}
        return self.by_version.get((article_id, version), {})


def _key(line: Mapping[str, Any] | None) -> tuple[str, int, int] | None:
    if not isinstance(line, Mapping) or line.get("status") not in _PLAIN:
        return None
    article_id, version, n = line.get("article_id"), line.get("version"), line.get("n")
    if not isinstance(article_id, str) or not _is_int(version) or not _is_int(n):
        return None
    return article_id, version, n


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(line: Mapping[str, Any]) -> Checked:
    retraction = line.get("retraction")
    differences = _differences(line.get("differences")) if line["status"] == MISMATCH else ()
    if not isinstance(retraction, Mapping) and not differences:
        return _PLAIN[line["status"]]
    notice = None
    if isinstance(retraction, Mapping):
        cited_after = line.get("cited_after_retraction")
        notice = Notice(
            nature=_text(retraction.get("nature")),
            date=_text(retraction.get("date")),
            notice_doi=_text(retraction.get("notice_doi")),
            source=_text(retraction.get("source")),
            cited_after=cited_after if isinstance(cited_after, bool) else None,
        )
    return Checked(line["status"], notice, differences)


def _differences(values: Any) -> tuple[tuple[str, str, str], ...]:
    """``differences`` of a mismatch line: (field, ours, theirs), unreadable items left out."""
    if not isinstance(values, list):
        return ()
    found = []
    for item in values:
        if isinstance(item, Mapping) and (name := _text(item.get("field"))):
            found.append((name, str(item.get("ours") or "—"), str(item.get("theirs") or "—")))
    return tuple(found)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
