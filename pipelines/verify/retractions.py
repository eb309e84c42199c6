"""Retracted works: the notices Crossref attaches to a work's metadata, and an index of the
Retraction Watch database as Crossref publishes it (a CSV), matched to references offline.

The CSV's columns (the published layout): Record ID, Title, Subject, Institution, Journal,
Publisher, Country, Author (names separated by ";"), URLS, ArticleType, RetractionDate,
RetractionDOI, RetractionPubMedID, OriginalPaperDate, OriginalPaperDOI, OriginalPaperPubMedID,
RetractionNature, Reason, Paywalled, Notes; dates as "1/31/2019 0:00" (month first).
A reference is matched by the original paper's DOI, else its PMID, else (for a reference with
neither) by its normalised title, the first author's family name and the year together.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines.verify.text import normal_title, normal_words, same_family, year_in

# The notices that make a cited work unsafe to cite, most serious first: Crossref's update
# types and Retraction Watch's RetractionNature, both folded to snake case. Corrections,
# errata and reinstatements are not flagged: the work stands.
FLAGGED = ("retraction", "partial_retraction", "withdrawal", "removal", "expression_of_concern")
REQUIRED_COLUMNS = (
    "Title",
    "Author",
    "RetractionDate",
    "RetractionDOI",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
)
US_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)
# a title this short ("Editorial", "Reply") names no one work
MIN_TITLE_WORDS = 4


class RetractionFileError(ValueError):
    """The retractions CSV cannot be used (not the published layout)."""


@dataclass(slots=True)
class Retraction:
    nature: str  # one of FLAGGED
    date: str | None  # ISO date of the notice
    notice_doi: str | None
    source: str  # "crossref" (the work's metadata) or "retraction-watch" (the CSV)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def nature_key(text: str | None) -> str:
    """ "Expression of concern" -> "expression_of_concern"."""
    return "_".join(normal_words((text or "").replace("_", " ")))


def more_serious(a: Retraction | None, b: Retraction) -> Retraction:
    """The notice to report when a work has several: the most serious, then the earliest."""
    if a is None:
        return b
    rank_a, rank_b = FLAGGED.index(a.nature), FLAGGED.index(b.nature)
    if rank_a != rank_b:
        return a if rank_a < rank_b else b
    return a if (a.date or "9999") <= (b.date or "9999") else b


def bare_doi(doi: str | None) -> str | None:
    """A DOI as the archive stores it: lower case, no resolver prefix; None for "unavailable"."""
    text = DOI_PREFIX_RE.sub("", (doi or "").strip()).lower()
    return text if text.startswith("10.") else None


def bare_pmid(pmid: str | None) -> str | None:
    text = (pmid or "").strip()
    return text if text.isdigit() and int(text) > 0 else None


def sheet_date(text: str | None) -> str | None:
    """ "1/31/2019 0:00" (the CSV's dates) or "2019-01-31" -> "2019-01-31"."""
    if match := US_DATE_RE.match(text or ""):
        month, day, year = (int(g) for g in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    if match := ISO_DATE_RE.match(text or ""):
        return "-".join(match.groups())
    return None


@dataclass
class RetractionIndex:
    """Retraction Watch rows by original DOI, original PMID, and (title, year) with authors."""

    by_doi: dict[str, Retraction] = field(default_factory=dict)
    by_pmid: dict[str, Retraction] = field(default_factory=dict)
    by_title: dict[tuple[str, int], list[tuple[str | None, Retraction]]] = field(default_factory=dict)
    rows: int = 0  # rows read, flagged or not

    @classmethod
    def from_csv(cls, lines: Iterable[str]) -> RetractionIndex:
        """Build the index from the CSV's lines (header first). RetractionFileError when a
        column the matching needs is missing, or the text is not CSV."""
        index = cls()
        reader = csv.DictReader(lines)
        try:
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise RetractionFileError(
                    f"not the Retraction Watch CSV layout: no column {', '.join(missing)}"
                )
            for row in reader:
                index.add(row)
        except csv.Error as exc:
            raise RetractionFileError(f"not readable as CSV: line {reader.line_num}: {exc}") from None
        return index

    def add(self, row: dict[str, str | None]) -> None:
        self.rows += 1
        nature = nature_key(row.get("RetractionNature"))
        if nature not in FLAGGED:
            return
        notice = Retraction(
            nature,
            sheet_date(row.get("RetractionDate")),
            bare_doi(row.get("RetractionDOI")),
            "retraction-watch",
        )
        if doi := bare_doi(row.get("OriginalPaperDOI")):
            self.by_doi[doi] = more_serious(self.by_doi.get(doi), notice)
        if pmid := bare_pmid(row.get("OriginalPaperPubMedID")):
            self.by_pmid[pmid] = more_serious(self.by_pmid.get(pmid), notice)
        title, year = normal_title(row.get("Title")), year_in(row.get("OriginalPaperDate"))
        if len(title.split()) >= MIN_TITLE_WORDS and year:
            authors = (row.get("Author") or "").split(";")
            first = normal_words(authors[0])
            self.by_title.setdefault((title, year), []).append((first[-1] if first else None, notice))

    def __len__(self) -> int:
        return len(self.by_doi) + len(self.by_pmid) + len(self.by_title)

    def match(
        self, doi: str | None, pmid: str | None, title: str | None, family: str | None, year: int | None
    ) -> Retraction | None:
        """The notice for a work: by DOI, else PMID; by title, first author's family name and year
        only when the work has neither identifier (a reference with a DOI that is not listed is
        not retracted, whatever its title)."""
        if doi or pmid:
            found = self.by_doi.get(bare_doi(doi) or "") if doi else None
            return found or (self.by_pmid.get(pmid) if pmid else None)
        if not title or not year or not family:
            return None
        best = None
        for author, notice in self.by_title.get((normal_title(title), year), []):
            if author is None or same_family(author, family):
                best = more_serious(best, notice)
        return best


def crossref_notices(message: dict[str, Any], doi: str | None) -> list[Retraction]:
    """Notices in a Crossref work's metadata: ``updated-by`` entries (this work was retracted,
    withdrawn or marked with an expression of concern by the notice they name) and
    ``update-to`` entries (the DOI cited is itself such a notice: its own DOI is the notice's)."""
    notices = []
    for key in ("updated-by", "update-to"):
        for entry in message.get(key) or []:
            if not isinstance(entry, dict):
                continue
            nature = nature_key(entry.get("type"))
            if nature not in FLAGGED:
                continue
            notice_doi = bare_doi(entry.get("DOI")) if key == "updated-by" else bare_doi(doi)
            notices.append(Retraction(nature, crossref_date(entry.get("updated")), notice_doi, "crossref"))
    return notices


def crossref_date(value: Any) -> str | None:
    """``{"date-parts": [[2020, 6, 5]]}`` -> "2020-06-05" (month and day default to 1)."""
    try:
        parts = [int(p) for p in value["date-parts"][0] if p is not None]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if not parts:
        return None
    year, month, day = (*parts, 1, 1)[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"
