"""The report's lists of things to fix, one row per item with the post it is in: check findings,
contradicted citations, retracted works cited, and one row per post for the posts table.

Pure functions over ``PostSummary`` objects. The JSON output carries every row; the HTML page
shows the first rows of the long lists (see ``render``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipelines.report.problems import CHECK_LABELS
from pipelines.report.summary import PostSummary


@dataclass(frozen=True)
class FindingRow:
    code: str
    site: str
    post_id: str
    title: str | None
    url: str
    n: int | None  # the reference entry's number
    message: str
    evidence: str


@dataclass(frozen=True)
class ContradictionRow:
    site: str
    post_id: str
    title: str | None
    url: str
    marker: str
    n: int | None
    sentence: str
    entry: str | None  # the cited entry as printed
    reason: str


@dataclass(frozen=True)
class RetractionRow:
    site: str
    post_id: str
    title: str | None
    url: str
    published: str | None
    n: int
    entry: str
    sentences: list[str]  # the post's sentences citing the entry
    nature: str | None
    date: str | None
    notice_doi: str | None
    source: str | None
    cited_after: bool | None  # the post was published after the notice


@dataclass(frozen=True)
class MismatchRow:
    site: str
    post_id: str
    title: str | None
    url: str
    n: int
    entry: str
    differences: list[dict[str, str]]  # {"field", "ours", "theirs"}


@dataclass(frozen=True)
class PostRow:
    """One line of the posts table."""

    id: str
    site: str
    title: str | None
    url: str
    published: str | None
    authors: list[str]
    words: int
    references: int
    verified: float | None  # share of the references verified; None without verification.jsonl
    findings: int
    contradictions: int
    retractions: int
    problems: int  # findings + contradictions + retractions


def _newest_first(posts: Iterable[PostSummary]) -> list[PostSummary]:
    """Newest first, undated last, then by id (stable sorts, most significant last)."""
    ordered = sorted(posts, key=lambda p: p.id)
    ordered.sort(key=lambda p: p.published or "", reverse=True)
    return ordered


def _by_site(posts: Iterable[PostSummary], sites: Sequence[str] | None) -> list[PostSummary]:
    """Site by site (in the report's order, else by name), each site's newest posts first."""
    ordered = _newest_first(posts)
    rank = {site: i for i, site in enumerate(sites or sorted({p.site for p in ordered}))}
    ordered.sort(key=lambda p: rank.get(p.site, len(rank)))
    return ordered


def finding_rows(posts: Iterable[PostSummary], sites: Sequence[str] | None = None) -> list[FindingRow]:
    """Every check finding, grouped by code (the report's order), then site, then post."""
    code_rank = {c: i for i, c in enumerate(CHECK_LABELS)}
    rows = [
        FindingRow(f.code, p.site, p.id, p.title, p.url, f.n, f.message, f.evidence)
        for p in _by_site((p for p in posts if p.findings), sites)
        for f in p.findings
    ]
    rows.sort(key=lambda r: (code_rank.get(r.code, len(code_rank)), r.code))  # stable: keeps the post order
    return rows


def contradiction_rows(
    posts: Iterable[PostSummary], sites: Sequence[str] | None = None
) -> list[ContradictionRow]:
    """Every contradicted citation, by site, newest post first."""
    return [
        ContradictionRow(p.site, p.id, p.title, p.url, c.marker, c.n, c.sentence, c.entry, c.reason)
        for p in _by_site((p for p in posts if p.contradicted), sites)
        for c in p.contradicted
    ]


def retraction_rows(posts: Iterable[PostSummary], sites: Sequence[str] | None = None) -> list[RetractionRow]:
    """Every reference to a retracted work; those cited after the notice first, then by site."""
    rows = [
        RetractionRow(
            site=p.site,
            post_id=p.id,
            title=p.title,
            url=p.url,
            published=p.published,
            n=r.n,
            entry=r.entry,
            sentences=list(r.sentences),
            nature=r.notice.nature,
            date=r.notice.date,
            notice_doi=r.notice.notice_doi,
            source=r.notice.source,
            cited_after=r.notice.cited_after,
        )
        for p in _by_site((p for p in posts if p.retracted), sites)
        for r in p.retracted
    ]
    rows.sort(key=lambda r: not r.cited_after)
    return rows


def post_rows(posts: Iterable[PostSummary]) -> list[PostRow]:
    """One row per post, the posts with most problems first, then the newest."""
    ordered = _newest_first(posts)
    ordered.sort(key=lambda p: -p.problems)
    return [
        PostRow(
            id=p.id,
            site=p.site,
            title=p.title,
            url=p.url,
            published=p.published,
            authors=[a.name for a in p.authors],
            words=p.word_count,
            references=p.references,
            verified=(
                round(p.verification.verified / p.references, 4)
                if p.verification is not None and p.references
                else None
            ),
            findings=len(p.findings),
            contradictions=p.contradictions,
            retractions=len(p.retracted),
            problems=p.problems,
        )
        for p in ordered
    ]


def mismatch_rows(posts: Iterable[PostSummary], sites: Sequence[str] | None = None) -> list[MismatchRow]:
    """Every reference the database describes otherwise, by site, newest post first."""
    return [
        MismatchRow(
            p.site,
            p.id,
            p.title,
            p.url,
            m.n,
            m.entry,
            [{"field": f, "ours": ours, "theirs": theirs} for f, ours, theirs in m.differences],
        )
        for p in _by_site((p for p in posts if p.mismatched), sites)
        for m in p.mismatched
    ]
