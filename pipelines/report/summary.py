"""One small, text-free summary per article: all the report needs from a record.

The report streams archives of 100,000+ records. Keeping a ``PostSummary`` per id (instead of
whole records) is what keeps memory bounded: the text is read once for the near-duplicate
signature and then dropped. Repeated strings (sites, names, journals) are interned so that
thousands of posts by the same author share one string.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipelines.report.problems import (
    Contradiction,
    Finding,
    Mismatch,
    Retraction,
    Verification,
    check_findings,
    contradictions,
    mismatches,
    retractions,
    verification,
)
from pipelines.report.verification import VerificationIndex

# a host name given as a container ("www.ncbi.nlm.nih.gov"); not a dotted abbreviation ("J.Biomech")
HOST_RE = re.compile(
    r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|gov|edu|int|info|io|co|uk|au|ca|nz|ie|de|fr|nl|eu|us)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    credentials: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PostSummary:
    """The facts of one article version that the figures are computed from."""

    id: str
    site: str
    site_name: str | None
    url: str
    title: str | None
    published: str | None  # ISO date (YYYY-MM-DD...), or None when the post gives none
    word_count: int
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    references: int
    journals: tuple[str, ...]  # ``references[].container`` of each entry that has one
    cited_sites: tuple[str, ...]  # the site of each web page cited (a site, not a journal)
    with_doi: int
    with_pmid: int
    with_pmcid: int
    with_any_id: int
    markers_without_entries: int  # citations whose marker points to no entry (``ref`` null)
    unused_entries: int  # entries that no marker cites (``unused_references``)
    contradicted: tuple[Contradiction, ...]  # citations flagged as disagreeing with the cited entry
    findings: tuple[Finding, ...] = ()  # the references' offline check findings
    retracted: tuple[Retraction, ...] = ()  # cited works with a retraction notice (verification.jsonl)
    mismatched: tuple[Mismatch, ...] = ()  # entries the database describes otherwise (verification.jsonl)
    verification: Verification | None = None  # None: no verification.jsonl beside the archive

    @property
    def month(self) -> str | None:
        return self.published[:7] if self.published else None

    @property
    def contradictions(self) -> int:
        return len(self.contradicted)

    @property
    def problems(self) -> int:
        """What the post's table counts as problems: check findings, contradictions, retractions."""
        return len(self.findings) + len(self.contradicted) + len(self.retracted)

    @property
    def citation_problems(self) -> int:
        return self.markers_without_entries + self.unused_entries + self.contradictions


def _strings(values: Any) -> tuple[str, ...]:
    """Interned, non-empty strings of a list field; anything else in it is ignored."""
    if not isinstance(values, list):
        return ()
    return tuple(sys.intern(v.strip()) for v in values if isinstance(v, str) and v.strip())


def _optional(value: Any) -> str | None:
    return sys.intern(value) if isinstance(value, str) and value else None


def _authors(values: Any) -> tuple[Author, ...]:
    if not isinstance(values, list):
        return ()
    authors = []
    for value in values:
        if isinstance(value, dict) and isinstance(value.get("name"), str) and value["name"].strip():
            authors.append(Author(sys.intern(value["name"].strip()), _strings(value.get("credentials"))))
    return tuple(authors)


def _list(record: dict[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    return value if isinstance(value, list) else []


def summarize(record: dict[str, Any], verified: VerificationIndex | None = None) -> PostSummary:
    """Reduce one archive record to the report's facts (tolerant of missing fields); with the
    index of verification.jsonl, also how its references fared there (this version's lines)."""
    refs = [r for r in _list(record, "references") if isinstance(r, dict)]
    citations = [c for c in _list(record, "citations") if isinstance(c, dict)]
    published = record.get("published")
    word_count = record.get("word_count")
    post_id = str(record.get("id") or record.get("canonical_url") or record.get("url"))
    checked = verified.of(post_id, record.get("version")) if verified is not None else {}
    return PostSummary(
        id=post_id,
        site=sys.intern(str(record.get("site") or "")),
        site_name=_optional(record.get("site_name")),
        url=str(record.get("canonical_url") or record.get("url") or ""),
        title=record.get("title") if isinstance(record.get("title"), str) else None,
        published=published if isinstance(published, str) and published else None,
        word_count=word_count if isinstance(word_count, int) else 0,
        authors=_authors(record.get("authors")),
        categories=_strings(record.get("categories")),
        tags=_strings(record.get("tags")),
        references=len(refs),
        journals=tuple(sys.intern(r["container"].strip()) for r in refs if _is_journal(r)),
        cited_sites=tuple(sys.intern(site) for r in refs if (site := _cited_site(r))),
        with_doi=sum(1 for r in refs if r.get("doi")),
        with_pmid=sum(1 for r in refs if r.get("pmid")),
        with_pmcid=sum(1 for r in refs if r.get("pmcid")),
        with_any_id=sum(1 for r in refs if r.get("doi") or r.get("pmid") or r.get("pmcid")),
        markers_without_entries=sum(1 for c in citations if c.get("ref") is None),
        # a list no marker cites at all is further reading, not a citation problem
        unused_entries=len(_list(record, "unused_references"))
        if any(isinstance(c, dict) and c.get("ref") is not None for c in citations)
        else 0,
        contradicted=contradictions(refs, citations),
        findings=check_findings(refs),
        retracted=retractions(refs, citations, checked),
        mismatched=mismatches(refs, checked),
        verification=verification(refs, checked) if verified is not None else None,
    )


def _cited_site(ref: dict[str, Any]) -> str | None:
    """The site a web page reference is on: its container (the site's name) or its link's host."""
    if ref.get("style") != "url" and not (_has_text(ref.get("container")) and not _is_journal(ref)):
        return None
    if _has_text(ref.get("container")):
        return ref["container"].strip()
    url = ref.get("url")
    host = urlsplit(url).hostname if isinstance(url, str) else None
    return host.removeprefix("www.") if host else None


def _is_journal(ref: dict[str, Any]) -> bool:
    """A reference's container names a journal: not a web page's site, nor a host name
    ("www.ncbi.nlm.nih.gov" of a link to PubMed Central)."""
    container = ref.get("container")
    if not _has_text(container) or ref.get("style") == "url":
        return False
    return not HOST_RE.fullmatch(container.strip())


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
