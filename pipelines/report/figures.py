"""The audit's figures for one site (or all sites together), from post summaries.

Pure functions over ``PostSummary`` lists: no files, no Scrapy, no plotting. The HTML, JSON and
CSV outputs all show these same numbers.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pipelines.references import journal_key
from pipelines.report.problems import CHECK_LABELS, Verification
from pipelines.report.summary import PostSummary

# Lists (topics, journals, authors, newest posts) show this many entries per site; the JSON
# and CSV outputs carry the same cut so that every format tells the same story.
TOP = 10
# Word-count histogram: 100-word bins up to 3,000 words, then one open bin. Clinic posts are
# rarely longer, and equal bins let two sites be compared bin by bin.
WORD_BIN = 100
WORD_BINS_MAX = 3000
# Title words that say nothing about the topic.
STOPWORDS = frozenset(
    """a about after all an and are as at be before best but by can do does for from get
    has have how i in into is it its more most my new not of on or our should so than that
    the their this to top up vs what when where which who why will with without you your""".split()
)
TITLE_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]")


@dataclass(frozen=True)
class Count:
    name: str
    count: int


@dataclass(frozen=True)
class AuthorRow:
    name: str
    credentials: list[str]
    posts: int


@dataclass(frozen=True)
class WordCounts:
    """Quantiles of the posts' word counts (None for a site without posts)."""

    min: int | None = None
    p10: float | None = None
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    p90: float | None = None
    max: int | None = None
    mean: float | None = None
    histogram: dict[str, int] = field(default_factory=dict)  # "0-99": posts, ..., "3000+": posts


@dataclass(frozen=True)
class PostLink:
    id: str
    title: str | None
    url: str
    published: str | None
    authors: list[str]


@dataclass(frozen=True)
class ProblemPost:
    id: str
    title: str | None
    url: str
    markers_without_entries: int
    unused_entries: int
    contradictions: int


@dataclass(frozen=True)
class VerificationFigures:
    """References by what ``verify`` found (verification.jsonl), counts and shares of all the
    references; ``no_line`` of the unchecked ones have no line for their post's newest version."""

    verified: int
    mismatch: int
    not_found: int
    unchecked: int
    no_line: int
    share_verified: float | None
    share_mismatch: float | None
    share_not_found: float | None
    share_unchecked: float | None


@dataclass
class SiteFigures:
    """Every figure of the report for one site; ``site`` is "all sites" for the totals."""

    site: str
    site_name: str | None
    posts: int
    dated_posts: int
    first_post: str | None
    last_post: str | None
    posts_per_month: dict[str, int]  # every month from the first post to the last, zeros included
    mean_posts_per_month: float | None
    categories: list[Count]
    tags: list[Count]
    title_words: list[Count]
    word_count: WordCounts
    authors: list[AuthorRow]
    posts_without_author: int
    posts_with_credentials: int  # posts with at least one author who states a credential
    credentials: list[Count]  # posts per credential
    posts_with_references: int
    share_with_references: float | None
    references: int
    mean_references: float | None
    references_with_doi: int
    references_with_pmid: int
    references_with_pmcid: int
    references_with_identifier: int
    share_doi: float | None
    share_pmid: float | None
    share_pmcid: float | None
    share_identifier: float | None
    journals: list[Count]
    cited_sites: list[Count]  # web pages cited, by site (NHS, Mayo Clinic, ...): not journals
    markers_without_entries: int
    unused_entries: int
    contradictions: int
    posts_with_citation_problems: int
    problem_posts: list[ProblemPost]
    newest: list[PostLink]
    check_findings: dict[str, int]  # offline check code -> findings, the report's order of codes
    posts_with_check_findings: int
    verification: VerificationFigures | None  # None: no verification.jsonl beside the archive
    retracted_references: int  # entries citing a work with a retraction notice
    retracted_cited_after: int  # ...that the post cited although published after the notice
    posts_with_problems: int  # posts with a check finding, a contradiction or a retracted reference
    posts_in_duplicate_clusters: int = 0
    posts_duplicated_on_other_sites: int = 0


def share(part: int, whole: int) -> float | None:
    """A fraction rounded for display and comparison; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def grouped_counts(
    values: Iterable[str], top: int = TOP, key: Callable[[str], str] | None = None
) -> list[Count]:
    """Most frequent values, counting "BMJ", "bmj" and "B.M.J." as one (or the values ``key``
    maps to one key as one); each group is shown in its most frequent spelling."""
    spellings: dict[str, Counter[str]] = {}
    for value, count in Counter(values).items():  # group the distinct values only: far fewer
        spellings.setdefault((key or _group_key)(value), Counter())[value] += count
    rows = [Count(c.most_common(1)[0][0], c.total()) for c in spellings.values()]
    rows.sort(key=lambda r: (-r.count, r.name.casefold()))
    return rows[:top]


def _group_key(value: str) -> str:
    return " ".join(value.casefold().replace(".", " ").split())


def month_range(first: str, last: str) -> list[str]:
    """``YYYY-MM`` strings from ``first`` to ``last`` inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def posts_per_month(posts: Sequence[PostSummary]) -> dict[str, int]:
    counts = Counter(p.month for p in posts if p.month)
    if not counts:
        return {}
    return {m: counts.get(m, 0) for m in month_range(min(counts), max(counts))}


def title_words(posts: Sequence[PostSummary], top: int = TOP) -> list[Count]:
    """Topic words from titles (posts per word): topics of sites that use no categories or tags."""
    words: list[str] = []
    for post in posts:
        found = {w for w in TITLE_WORD.findall((post.title or "").casefold()) if len(w) > 2}
        words.extend(sorted(found - STOPWORDS))
    return grouped_counts(words, top)


def word_counts(posts: Sequence[PostSummary]) -> WordCounts:
    values = sorted(p.word_count for p in posts)
    if not values:
        return WordCounts()
    quantiles = (
        statistics.quantiles(values, n=20, method="inclusive") if len(values) > 1 else [values[0]] * 19
    )
    return WordCounts(
        min=values[0],
        p10=round(quantiles[1], 1),
        q1=round(quantiles[4], 1),
        median=round(float(statistics.median(values)), 1),
        q3=round(quantiles[14], 1),
        p90=round(quantiles[17], 1),
        max=values[-1],
        mean=round(statistics.fmean(values), 1),
        histogram=word_histogram(values),
    )


def word_histogram(values: Iterable[int]) -> dict[str, int]:
    """Posts per 100-word bin, from the empty bin 0-99 up to the longest post's bin."""
    counts = Counter(min(v // WORD_BIN, WORD_BINS_MAX // WORD_BIN) for v in values)
    if not counts:
        return {}
    return {_bin_label(b): counts.get(b, 0) for b in range(max(counts) + 1)}


def _bin_label(index: int) -> str:
    low = index * WORD_BIN
    return f"{low}+" if low >= WORD_BINS_MAX else f"{low}-{low + WORD_BIN - 1}"


def authors(posts: Sequence[PostSummary]) -> list[AuthorRow]:
    """Each author with the posts they signed and every credential they were given."""
    by_name: dict[str, tuple[int, dict[str, None]]] = {}
    for post in posts:
        for author in {a.name: a for a in post.authors}.values():
            count, creds = by_name.get(author.name, (0, {}))
            creds.update(dict.fromkeys(author.credentials))
            by_name[author.name] = (count + 1, creds)
    rows = [AuthorRow(name, list(creds), count) for name, (count, creds) in by_name.items()]
    return sorted(rows, key=lambda r: (-r.posts, r.name.casefold()))


def credentials(posts: Sequence[PostSummary]) -> list[Count]:
    return grouped_counts(
        (cred for p in posts for cred in dict.fromkeys(c for a in p.authors for c in a.credentials)), TOP
    )


def newest(posts: Sequence[PostSummary], top: int = TOP) -> list[PostLink]:
    dated = sorted((p for p in posts if p.published), key=lambda p: (p.published, p.id), reverse=True)
    return [PostLink(p.id, p.title, p.url, p.published, [a.name for a in p.authors]) for p in dated[:top]]


def problem_posts(posts: Sequence[PostSummary], top: int = TOP) -> list[ProblemPost]:
    """The posts whose citations most need checking, worst first."""
    flagged = [p for p in posts if p.citation_problems]
    flagged.sort(key=lambda p: (-p.citation_problems, p.published or "", p.id))
    return [
        ProblemPost(p.id, p.title, p.url, p.markers_without_entries, p.unused_entries, p.contradictions)
        for p in flagged[:top]
    ]


def check_counts(posts: Sequence[PostSummary]) -> dict[str, int]:
    """Findings per check code: the known codes in the report's order, then any other."""
    counts = Counter(f.code for p in posts for f in p.findings)
    order = {code: i for i, code in enumerate(CHECK_LABELS)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def verification_figures(posts: Sequence[PostSummary]) -> VerificationFigures | None:
    """The shares of references verified, mismatched, not found and unchecked (None without
    verification.jsonl)."""
    found = [p.verification for p in posts if p.verification is not None]
    if not found:
        return None
    total = Verification(*(sum(getattr(v, k) for v in found) for k in Verification.__slots__))
    refs = total.verified + total.mismatch + total.not_found + total.unchecked
    return VerificationFigures(
        verified=total.verified,
        mismatch=total.mismatch,
        not_found=total.not_found,
        unchecked=total.unchecked,
        no_line=total.no_line,
        share_verified=share(total.verified, refs),
        share_mismatch=share(total.mismatch, refs),
        share_not_found=share(total.not_found, refs),
        share_unchecked=share(total.unchecked, refs),
    )


def site_figures(site: str, posts: Sequence[PostSummary]) -> SiteFigures:
    """All figures for one group of posts (one site, or every site for the totals)."""
    months = posts_per_month(posts)
    dated = [p.published for p in posts if p.published]
    refs = sum(p.references for p in posts)
    with_id = {
        "doi": sum(p.with_doi for p in posts),
        "pmid": sum(p.with_pmid for p in posts),
        "pmcid": sum(p.with_pmcid for p in posts),
        "any": sum(p.with_any_id for p in posts),
    }
    with_refs = sum(1 for p in posts if p.references)
    names = Counter(p.site_name for p in posts if p.site_name and p.site == site)
    return SiteFigures(
        site=site,
        site_name=names.most_common(1)[0][0] if names else None,
        posts=len(posts),
        dated_posts=len(dated),
        first_post=min(dated) if dated else None,
        last_post=max(dated) if dated else None,
        posts_per_month=months,
        mean_posts_per_month=round(len(dated) / len(months), 2) if months else None,
        categories=grouped_counts(c for p in posts for c in dict.fromkeys(p.categories)),
        tags=grouped_counts(t for p in posts for t in dict.fromkeys(p.tags)),
        title_words=title_words(posts),
        word_count=word_counts(posts),
        authors=authors(posts),
        posts_without_author=sum(1 for p in posts if not p.authors),
        posts_with_credentials=sum(1 for p in posts if any(a.credentials for a in p.authors)),
        credentials=credentials(posts),
        posts_with_references=with_refs,
        share_with_references=share(with_refs, len(posts)),
        references=refs,
        mean_references=round(refs / len(posts), 2) if posts else None,
        references_with_doi=with_id["doi"],
        references_with_pmid=with_id["pmid"],
        references_with_pmcid=with_id["pmcid"],
        references_with_identifier=with_id["any"],
        share_doi=share(with_id["doi"], refs),
        share_pmid=share(with_id["pmid"], refs),
        share_pmcid=share(with_id["pmcid"], refs),
        share_identifier=share(with_id["any"], refs),
        # one journal is one row, whatever form its name is written in (the abbreviation table)
        journals=grouped_counts((j for p in posts for j in p.journals), key=journal_key),
        cited_sites=grouped_counts(s for p in posts for s in p.cited_sites),
        markers_without_entries=sum(p.markers_without_entries for p in posts),
        unused_entries=sum(p.unused_entries for p in posts),
        contradictions=sum(p.contradictions for p in posts),
        posts_with_citation_problems=sum(1 for p in posts if p.citation_problems),
        problem_posts=problem_posts(posts),
        newest=newest(posts),
        check_findings=check_counts(posts),
        posts_with_check_findings=sum(1 for p in posts if p.findings),
        verification=verification_figures(posts),
        retracted_references=sum(len(p.retracted) for p in posts),
        retracted_cited_after=sum(1 for p in posts for r in p.retracted if r.notice.cited_after),
        posts_with_problems=sum(1 for p in posts if p.problems),
    )
