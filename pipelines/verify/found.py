"""What Crossref or PubMed says about a work, read from their documented JSON into the fields a
reference is compared on.

Crossref (``GET /works/{doi}``, and the items of ``GET /works?query.bibliographic=``): ``title``
and ``subtitle`` (lists), ``author[].family``, ``issued`` / ``published-print`` /
``published-online`` (``date-parts``), ``container-title`` and ``short-container-title`` (lists),
``volume``, ``issue``, ``page`` (or ``article-number``), ``DOI``, ``score`` (search items),
``updated-by`` / ``update-to`` (notices). PubMed E-utilities ``esummary`` (``retmode=json``):
``result.uids`` and ``result[uid]``: ``title``, ``authors[].name`` ("Crossley KM"),
``pubdate`` / ``epubdate`` ("2016 Jul"), ``source`` / ``fulljournalname``, ``volume``, ``issue``,
``pages`` ("844-52"), ``articleids[]`` (``idtype``: pubmed, doi, pmc, pmcid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.verify.retractions import Retraction, bare_doi, bare_pmid, crossref_notices
from pipelines.verify.text import clean_markup, family_name, year_in


@dataclass(slots=True)
class Found:
    """A work as a service describes it. ``years`` lists every year the work may be cited under
    (issued, print, online), the first the one to show; ``journals`` every form of its name."""

    source: str  # "crossref", "pubmed" or "crossref-search"
    title: str | None = None
    subtitle: str | None = None
    first_author: str | None = None  # family name
    years: list[int] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    score: float | None = None  # Crossref's relevance score of a search item
    notices: list[Retraction] = field(default_factory=list)

    def matched(self) -> dict[str, str | None]:
        return {"doi": self.doi, "pmid": self.pmid}


class AnswerFormatError(ValueError):
    """A 200 whose body is not the service's documented JSON."""


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        values = next((v for v in values if isinstance(v, str) and v.strip()), None)
    return clean_markup(values) if isinstance(values, str) else None


def _text(value: Any) -> str | None:
    return clean_markup(str(value)) if value not in (None, "") else None


def from_crossref(message: dict[str, Any], source: str = "crossref") -> Found:
    """One Crossref work (the ``message`` of ``/works/{doi}``, or a search item)."""
    if not isinstance(message, dict):
        raise AnswerFormatError("a Crossref work is not a JSON object")
    authors = [a for a in message.get("author") or [] if isinstance(a, dict)]
    first = next((a for a in authors if a.get("sequence") == "first"), authors[0] if authors else None)
    family = clean_markup(first.get("family") or first.get("name")) if first else None
    years = []
    for key in ("issued", "published-print", "published-online", "published"):
        try:
            year = int(message[key]["date-parts"][0][0])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
        if year not in years:
            years.append(year)
    journals = [
        j
        for key in ("container-title", "short-container-title")
        for j in (clean_markup(v) for v in message.get(key) or [] if isinstance(v, str))
        if j
    ]
    doi = bare_doi(message.get("DOI"))
    score = message.get("score")
    return Found(
        source=source,
        title=_first(message.get("title")),
        subtitle=_first(message.get("subtitle")),
        first_author=family,
        years=years,
        journals=journals,
        volume=_text(message.get("volume")),
        issue=_text(message.get("issue")),
        pages=_text(message.get("page")) or _text(message.get("article-number")),
        doi=doi,
        score=float(score) if isinstance(score, (int, float)) else None,
        notices=crossref_notices(message, doi),
    )


def crossref_work(payload: Any) -> Found:
    """The body of ``/works/{doi}``: ``{"status": "ok", "message": {...}}``."""
    if not isinstance(payload, dict) or payload.get("status") != "ok" or "message" not in payload:
        raise AnswerFormatError("not a Crossref work response")
    return from_crossref(payload["message"])


def crossref_items(payload: Any) -> list[Found]:
    """The items of a ``/works?query...`` search, best score first."""
    try:
        items = payload["message"]["items"]
    except (KeyError, TypeError):
        raise AnswerFormatError("not a Crossref search response") from None
    found = [from_crossref(item, "crossref-search") for item in items or [] if isinstance(item, dict)]
    return sorted(found, key=lambda f: -(f.score or 0.0))


def pubmed_summary(payload: Any, uid: str, db: str = "pubmed") -> Found | None:
    """The summary of ``uid`` in an ``esummary`` answer of ``db`` (pubmed or pmc); None when
    PubMed does not know it."""
    try:
        result = payload["result"]
    except (KeyError, TypeError):
        raise AnswerFormatError("not an E-utilities esummary response") from None
    doc = result.get(uid) if uid in (result.get("uids") or []) else None
    if not isinstance(doc, dict) or doc.get("error"):
        return None
    ids = {
        str(a.get("idtype", "")).lower(): str(a.get("value", ""))
        for a in doc.get("articleids") or []
        if isinstance(a, dict)
    }
    names = [a.get("name") for a in doc.get("authors") or [] if isinstance(a, dict)]
    years = [y for y in (year_in(doc.get("pubdate")), year_in(doc.get("epubdate"))) if y]
    journals = [j for j in (_text(doc.get("source")), _text(doc.get("fulljournalname"))) if j]
    return Found(
        source="pubmed",
        title=clean_markup((doc.get("title") or "").rstrip(".")) or None,
        first_author=family_name(names[0]) if names else None,
        years=list(dict.fromkeys(years)),
        journals=journals,
        volume=_text(doc.get("volume")),
        issue=_text(doc.get("issue")),
        pages=_text(doc.get("pages")),
        doi=bare_doi(ids.get("doi")),
        pmid=bare_pmid(ids.get("pubmed") or ids.get("pmid") or (uid if db == "pubmed" else None)),
    )
