"""Offline checks of a post's references: what can be found wrong without asking anyone.

Each finding is added to its reference's ``checks`` as ``{"code", "message", "evidence"}``:

- ``year_after_post``: the reference is dated after the post was published (and last modified);
- ``year_in_future``: after the year the page was fetched;
- ``doi_invalid``: a DOI whose suffix is missing, too short or holds characters DOIs never do;
- ``doi_publisher``: a DOI whose registrant prefix belongs to another publisher than the journal
  named (data/doi_prefixes.tsv, data/journal_facts.tsv; a journal that changed publishers lists
  every prefix it has had);
- ``pages_reversed`` and ``pages_absurd``: an end page before the start (NLM's "1163-7" is
  1163-1167, not reversed), or a range no article has;
- ``volume_unlikely``: a volume far from the one the journal's regular numbering gives for the
  year (data/journal_facts.tsv), or a year before the journal's first volume;
- ``duplicate``: the same work (DOI, PMID, or title and year) listed twice;
- ``uncited``: no in-text marker cites the entry while markers cite others (never when the post
  has no markers at all: a further-reading list is not a citation problem).

Journals are compared through the abbreviation table (``journals.same_journal``), so "N Engl J
Med" and "The New England Journal of Medicine" are one journal. Everything is derived from the
page and its fetch date, so re-extracting an archived capture gives the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from pipelines.record import Citation, Reference
from pipelines.references.journals import DATA_DIR, WORD_RE, journal_tokens, same_journal

DOI_SUFFIX_RE = re.compile(r"^10\.\d{4,9}/(?P<suffix>.*)$")
DOI_BAD_CHARS_RE = re.compile(r"[\s<>\"{}|\\^`]")
PAGES_RE = re.compile(r"^\s*(?P<start>\d{1,7})\s*[-\u2010-\u2015]+\s*(?P<end>\d{1,7})\s*$")
MAX_PAGES = 400  # a range longer than this is a book's, or a misread
MAX_START_PAGE = 20000  # print journals' page numbers stay below; larger numbers are e-locators


@dataclass(frozen=True, slots=True)
class JournalFacts:
    name: str
    prefixes: tuple[str, ...]
    year: int | None  # a year of known numbering, its volume, and the volumes a year since
    volume: int | None
    per_year: int | None

    def expected_volumes(self, year: int) -> tuple[int, int] | None:
        """The volumes the journal's numbering gives ``year`` (within 25 years of the known one)."""
        if not (self.year and self.volume and self.per_year) or abs(year - self.year) > 25:
            return None
        first = self.volume + (year - self.year) * self.per_year
        return first, first + self.per_year - 1


@cache
def doi_publishers() -> dict[str, str]:
    rows = _rows("doi_prefixes.tsv")
    return {row[0]: row[1] for row in rows}


@cache
def journal_facts() -> dict[tuple[str, ...], JournalFacts]:
    """The table, keyed by each journal's abbreviated name tokens (``journal_tokens``)."""
    facts = {}
    for row in _rows("journal_facts.tsv"):
        name, prefixes, year, volume, per_year = (row + [""] * 5)[:5]
        entry = JournalFacts(
            name,
            tuple(p.strip() for p in prefixes.split(",") if p.strip()),
            int(year) if year else None,
            int(volume) if volume else None,
            int(per_year) if per_year else None,
        )
        facts[tuple(journal_tokens(name))] = entry
    return facts


def _rows(name: str) -> list[list[str]]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=4096)
def find_journal(container: str | None) -> JournalFacts | None:
    """The table's entry for a journal name in any of its forms (full, abbreviated, acronym)."""
    if not container:
        return None
    facts = journal_facts()
    exact = facts.get(tuple(journal_tokens(container)))
    if exact is not None:
        return exact
    first = (WORD_RE.findall(container) or [""])[0].lower()[:1]
    for entry in facts.values():
        if entry.name[:1].lower() == first and same_journal(container, entry.name):
            return entry
    return None


def publisher_of(doi: str) -> tuple[str, str] | None:
    """(prefix, publisher) of a DOI, the longest listed prefix first."""
    table = doi_publishers()
    for prefix in _long_prefixes():  # "10.1002/14651858" before Wiley's 10.1002
        if doi.startswith((prefix + "/", prefix + ".")):
            return prefix, table[prefix]
    registrant = doi.split("/", 1)[0]
    return (registrant, table[registrant]) if registrant in table else None


@cache
def _long_prefixes() -> tuple[str, ...]:
    return tuple(sorted((p for p in doi_publishers() if "/" in p), key=len, reverse=True))


def finding(code: str, message: str, evidence: str) -> dict[str, str]:
    return {"code": code, "message": message, "evidence": evidence}


def check_reference(ref: Reference, post_year: int | None, fetch_year: int | None) -> list[dict[str, str]]:
    """The findings about one reference on its own."""
    found = []
    if ref.year and post_year and ref.year > post_year:
        found.append(
            finding("year_after_post", "dated after the post was written", f"{ref.year} > {post_year}")
        )
    if ref.year and fetch_year and ref.year > fetch_year:
        found.append(finding("year_in_future", "dated in the future", f"{ref.year} > {fetch_year}"))
    if ref.doi:
        found += _doi_findings(ref)
    if ref.pages:
        found += _page_findings(ref.pages)
    if ref.volume and ref.year and ref.volume.isdigit():
        journal = find_journal(ref.container)
        expected = journal.expected_volumes(ref.year) if journal else None
        if journal and expected:
            low, high = expected
            slack = max(3, 2 * (journal.per_year or 1) + 1)  # about two years of numbering either way
            if not low - slack <= int(ref.volume) <= high + slack:
                want = str(low) if low == high else f"{low}-{high}"
                message = (
                    f"{journal.name} had no volume {ref.volume} in {ref.year}"
                    if low > 0
                    else f"{journal.name} had not started in {ref.year}"
                )
                evidence = f"volume {ref.volume}; expected about {want}"
                found.append(finding("volume_unlikely", message, evidence))
    return found


def _doi_findings(ref: Reference) -> list[dict[str, str]]:
    doi = ref.doi or ""
    match = DOI_SUFFIX_RE.match(doi)
    suffix = match.group("suffix") if match else ""
    if not match or len(suffix) < 2 or DOI_BAD_CHARS_RE.search(doi) or suffix.endswith(("-", "/")):
        return [finding("doi_invalid", "the DOI is not well formed", doi)]
    journal = find_journal(ref.container)
    owner = publisher_of(doi)
    if journal is None or owner is None or not journal.prefixes:
        return []
    prefix, publisher = owner
    if any(doi.startswith(p + "/") or p.startswith(prefix) or prefix.startswith(p) for p in journal.prefixes):
        return []
    theirs = ", ".join(f"{doi_publishers().get(p, '?')} {p}" for p in journal.prefixes)
    return [
        finding(
            "doi_publisher",
            f"the DOI belongs to {publisher}, not to the publisher of {journal.name}",
            f"{doi}: prefix {prefix} ({publisher}); {journal.name}: {theirs}",
        )
    ]


def _page_findings(pages: str) -> list[dict[str, str]]:
    match = PAGES_RE.match(pages)
    if not match:
        return []
    start, end_text = int(match.group("start")), match.group("end")
    if len(end_text) < len(match.group("start")):  # NLM's short end page: "1163-7" is 1163-1167
        end_text = match.group("start")[: -len(end_text)] + end_text
    end = int(end_text)
    if end < start:
        return [finding("pages_reversed", "the last page comes before the first", pages)]
    if end - start > MAX_PAGES or start > MAX_START_PAGE:
        return [finding("pages_absurd", "no article has such a page range", pages)]
    return []


def work_key(ref: Reference) -> str | None:
    """What makes two entries one work: DOI, PMID, or title and year."""
    if ref.doi:
        return "doi:" + ref.doi.lower()
    if ref.pmid:
        return "pmid:" + ref.pmid
    if ref.title and ref.year and len(ref.title) >= 20:
        return f"title:{' '.join(WORD_RE.findall(ref.title.lower()))}:{ref.year}"
    return None


def check_references(
    references: list[Reference],
    citations: Iterable[Citation],
    unused: Iterable[int],
    published: str | None = None,
    modified: str | None = None,
    fetched_at: str | None = None,
) -> None:
    """Fill each reference's ``checks`` (the post's dates as ISO strings; ``unused``: the
    entries no marker cites, as ``link_citations`` returns them)."""
    post_year = max((int(d[:4]) for d in (published, modified) if d and d[:4].isdigit()), default=None)
    fetch_year = int(fetched_at[:4]) if fetched_at and fetched_at[:4].isdigit() else None
    first_seen: dict[str, int] = {}
    cited_any = any(c.ref is not None for c in citations)
    uncited = set(unused) if cited_any else set()
    for ref in references:
        checks = check_reference(ref, post_year, fetch_year)
        key = work_key(ref)
        if key is not None and key in first_seen:
            same = f"the same work as entry {first_seen[key]}"
            checks.append(finding("duplicate", same, key.split(":", 1)[1]))
        elif key is not None:
            first_seen[key] = ref.n
        if ref.n in uncited:
            checks.append(
                finding("uncited", "no sentence cites this entry, while others are cited", f"entry {ref.n}")
            )
        ref.checks = checks
