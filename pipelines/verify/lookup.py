"""Which request checks a reference, and what its answer says: a DOI is looked up at Crossref
(``works/{doi}``); a PMID or PMCID without a DOI at PubMed (``esummary.fcgi``, db pubmed or
pmc); a reference with neither but a title by a Crossref bibliographic search (``works``,
``query.bibliographic``, three rows). The request is described relative to the service's base
URL; the client that sends it (crawler/verify/) adds the base, the etiquette and the cache."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from pipelines.record import Reference
from pipelines.verify.compare import (
    SEARCH_MIN_SCORE,
    Difference,
    accept_search_hit,
    compare_fields,
    search_query,
)
from pipelines.verify.found import AnswerFormatError, Found, crossref_items, crossref_work, pubmed_summary
from pipelines.verify.retractions import Retraction, RetractionIndex, more_serious
from pipelines.verify.text import family_name

SEARCH_ROWS = 3
SERVICE_NAMES = {"crossref": "Crossref", "pubmed": "PubMed"}


@dataclass(frozen=True, slots=True)
class Lookup:
    kind: str  # "crossref", "pubmed" or "crossref-search": the result's source
    service: str  # "crossref" or "pubmed": whose base URL the path is relative to
    path: str  # "works/10.1136/bjsports-2016-096268", "esummary.fcgi", "works"
    params: tuple[tuple[str, str], ...] = ()
    key: str = ""  # what is looked up: the DOI, PMID, PMCID or the query
    db: str | None = None  # pubmed or pmc


@dataclass(frozen=True, slots=True)
class Reply:
    """A service's answer: its status and body, or why there is none (``error``)."""

    status: int | None = None
    body: bytes | None = None
    error: str | None = None


@dataclass(slots=True)
class Outcome:
    status: str  # verified, mismatch, not_found, unchecked
    source: str | None = None
    found: Found | None = None
    differences: list[Difference] = field(default_factory=list)
    score: float | None = None
    reason: str | None = None
    retraction: Retraction | None = None


def plan_lookup(ref: Reference) -> Lookup | None:
    """The request that checks ``ref``; None when it has no identifier and no title."""
    if ref.doi:
        return Lookup("crossref", "crossref", "works/" + quote(ref.doi, safe="/"), key=ref.doi)
    if ref.pmid or ref.pmcid:
        db, uid = ("pubmed", ref.pmid) if ref.pmid else ("pmc", (ref.pmcid or "").upper().removeprefix("PMC"))
        params = (("db", db), ("id", uid), ("retmode", "json"))
        return Lookup("pubmed", "pubmed", "esummary.fcgi", params, key=uid or "", db=db)
    if ref.title and ref.title.strip():
        query = search_query(ref)
        params = (("query.bibliographic", query), ("rows", str(SEARCH_ROWS)))
        return Lookup("crossref-search", "crossref", "works", params, key=query)
    return None


def verify_reference(
    ref: Reference, lookup: Lookup | None, reply: Reply | None, index: RetractionIndex | None = None
) -> Outcome:
    """What the answer to ``lookup`` says of ``ref``, with any retraction of the work (from the
    answer's metadata, else from the Retraction Watch ``index``)."""
    if lookup is None:
        outcome = Outcome("unchecked", reason="no identifier and no title")
    elif reply is None or reply.error:
        outcome = Outcome("unchecked", lookup.kind, reason=(reply.error if reply else None) or "not asked")
    else:
        outcome = read_reply(ref, lookup, reply)
    outcome.retraction = find_retraction(ref, outcome.found, index)
    return outcome


def read_reply(ref: Reference, lookup: Lookup, reply: Reply) -> Outcome:
    name = SERVICE_NAMES[lookup.service]
    if reply.status == 404:
        return Outcome("not_found", lookup.kind, reason=f"{name} does not know {what(lookup)}")
    if reply.status != 200:
        return Outcome("unchecked", lookup.kind, reason=f"{name} answered HTTP {reply.status}")
    try:
        payload = json.loads(reply.body or b"")
        if lookup.kind == "crossref":
            return compared(ref, crossref_work(payload))
        if lookup.kind == "pubmed":
            found = pubmed_summary(payload, lookup.key, lookup.db or "pubmed")
            if found is None:
                return Outcome("not_found", lookup.kind, reason=f"{name} does not know {what(lookup)}")
            return compared(ref, found)
        items = crossref_items(payload)
    except (ValueError, AnswerFormatError) as exc:
        return Outcome("unchecked", lookup.kind, reason=f"unreadable {name} answer: {exc}")
    hit = accept_search_hit(ref, items)
    if hit is not None:
        return compared(ref, hit)
    best = items[0].score if items else None
    if not items:
        why = "the Crossref search found nothing"
    elif (best or 0.0) < SEARCH_MIN_SCORE:
        why = f"no Crossref search result scores {SEARCH_MIN_SCORE:g} or more (best: {best or 0:g})"
    else:
        why = "no Crossref search result agrees on the title and the year or first author"
    return Outcome("not_found", lookup.kind, score=best, reason=why)


def compared(ref: Reference, found: Found) -> Outcome:
    differences, count = compare_fields(ref, found)
    status = "mismatch" if differences else "verified"
    reason = None if count else "nothing to compare: the reference gives none of the compared fields"
    return Outcome(status, found.source, found, differences, found.score, reason)


def what(lookup: Lookup) -> str:
    if lookup.kind == "crossref":
        return f"DOI {lookup.key}"
    if lookup.db == "pmc":
        return f"PMCID PMC{lookup.key}"
    return f"PMID {lookup.key}"


def find_retraction(ref: Reference, found: Found | None, index: RetractionIndex | None) -> Retraction | None:
    """A notice from the service's metadata, else from the index: by the DOIs and PMIDs of the
    reference and of the work found; by title, first author and year for a reference with no
    identifier of its own."""
    notice = None
    for entry in found.notices if found else []:
        notice = more_serious(notice, entry)
    if notice is not None or index is None:
        return notice
    dois = [d for d in (ref.doi, found.doi if found else None) if d]
    pmids = [p for p in (ref.pmid, found.pmid if found else None) if p]
    for doi in dois:
        notice = notice or index.match(doi, None, None, None, None)
    for pmid in pmids:
        notice = notice or index.match(None, pmid, None, None, None)
    if notice is None and not (ref.doi or ref.pmid or ref.pmcid):
        first = family_name(ref.authors[0]) if ref.authors else None
        notice = index.match(None, None, ref.title, first, ref.year)
    return notice
