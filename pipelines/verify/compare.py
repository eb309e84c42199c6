"""A reference against what a service says about the work: which fields agree, which differ.

Compared, when both sides have the field: the title, the first author's family name, the year,
the journal, the volume and the first page. Thresholds, and why:

- title: similarity at least TITLE_MIN_SIMILARITY (0.85), the larger of the Jaccard index of the
  two sets of words and difflib's ratio of the two sequences of words, after folding case,
  accents, punctuation, markup and British/American spellings. Either side may drop a subtitle
  (a blog's "Rotator cuff related shoulder pain" for the paper's "...: assessment, management
  and uncertainties"): the full title on one side is also compared with the part before the
  colon on the other. 0.85 lets one word in seven differ (a typo, a dropped article) and no
  more: "Exercise for osteoarthritis of the knee" and "... of the hip" (0.83) are two papers.
- first author: the family names are equal once folded ("Mølgaard" = "Molgaard"), or their
  last words are ("van Middelkoop" = "Middelkoop").
- year: the reference's year is any of the years the work may be cited under (Crossref's
  issued, print and online dates; PubMed's pubdate and epubdate): a paper online in December
  and in print in January is cited under either.
- journal: ``same_journal`` through the abbreviation table, against each name the service gives
  (Crossref's container-title and short-container-title, PubMed's source and full name).
- volume: equal ignoring leading zeros and spaces; pages: the first page only ("844-52" =
  "844-852" = "844"), since printed ranges are abbreviated every which way.

A reference found by a bibliographic search (no identifier) is accepted as that work only when
Crossref's relevance score is at least SEARCH_MIN_SCORE (40) AND the titles agree AND the year or
the first author agrees. Crossref's scores are not normalised (they grow with the query's length),
so the floor only throws out weak hits; the agreement on title and year or author decides.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.record import Reference
from pipelines.references import same_journal
from pipelines.verify.found import Found
from pipelines.verify.text import bare_volume, family_name, first_page, normal_title, same_family

TITLE_MIN_SIMILARITY = 0.85
SEARCH_MIN_SCORE = 40.0
# A title cut at its colon still names the work when this many words are left.
MIN_MAIN_TITLE_WORDS = 3
BRITISH_ENDINGS = (
    ("isation", "ization"),
    ("ised", "ized"),
    ("ise", "ize"),
    ("ising", "izing"),
    ("our", "or"),
)
FIELDS = ("title", "author", "year", "journal", "volume", "pages")


@dataclass(slots=True)
class Difference:
    field: str  # one of FIELDS
    ours: Any
    theirs: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "ours": self.ours, "theirs": self.theirs}


def spelling(word: str) -> str:
    """British and American spellings as one: "randomised" = "randomized", "orthopaedic" =
    "orthopedic", "behaviour" = "behavior"."""
    word = word.replace("ae", "e").replace("oe", "e")
    for british, american in BRITISH_ENDINGS:
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    return word


def word_similarity(a: str, b: str) -> float:
    """The larger of the Jaccard index of the two sets of words and difflib's ratio of the two
    sequences of words (words, not characters: "of the knee" and "of the hip" differ by a word,
    which in a six-word title is a different paper)."""
    x, y = [spelling(w) for w in a.split()], [spelling(w) for w in b.split()]
    if not x or not y:
        return 0.0
    jaccard = len(set(x) & set(y)) / len(set(x) | set(y))
    return max(jaccard, difflib.SequenceMatcher(None, x, y, autojunk=False).ratio())


def main_title(title: str | None) -> str | None:
    """The part before the first colon, when it is long enough to name a work."""
    if not title or ":" not in title:
        return None
    head = normal_title(title.split(":", 1)[0])
    return head if len(head.split()) >= MIN_MAIN_TITLE_WORDS else None


def title_similarity(ours: str | None, theirs: str | None, subtitle: str | None = None) -> float:
    """How alike two titles are, 0-1 (see the module's docstring)."""
    if not ours or not theirs:
        return 0.0
    full_theirs = f"{theirs}: {subtitle}" if subtitle and subtitle not in theirs else theirs
    a, b = normal_title(ours), normal_title(full_theirs)
    if a == b:
        return 1.0
    pairs = [(a, b), (a, normal_title(theirs))]
    pairs += [(short, b) for short in [main_title(ours)] if short]
    pairs += [(a, short) for short in [main_title(full_theirs)] if short]
    return max(word_similarity(x, y) for x, y in pairs)


def titles_agree(ours: str | None, found: Found) -> bool:
    return title_similarity(ours, found.title, found.subtitle) >= TITLE_MIN_SIMILARITY


def authors_agree(ref: Reference, found: Found) -> bool:
    return same_family(first_author(ref), found.first_author)


def first_author(ref: Reference) -> str | None:
    return family_name(ref.authors[0]) if ref.authors else None


def journal_agrees(ours: str, names: list[str]) -> bool:
    return any(journals_match(ours, name) for name in names)


@lru_cache(maxsize=4096)
def journals_match(ours: str, theirs: str) -> bool:
    """Cached: a run compares the same few thousand journal names again and again, and
    ``same_journal`` abbreviates both names word by word each time."""
    return normal_title(ours) == normal_title(theirs) or same_journal(ours, theirs)


def compare_fields(ref: Reference, found: Found) -> tuple[list[Difference], int]:
    """The fields that differ, and how many fields both sides had."""
    differences = []
    compared = 0
    theirs_title = found.title if not found.subtitle else f"{found.title}: {found.subtitle}"
    checks = [
        ("title", ref.title, theirs_title, lambda: titles_agree(ref.title, found)),
        ("author", first_author(ref), found.first_author, lambda: authors_agree(ref, found)),
        ("year", ref.year, found.years[0] if found.years else None, lambda: ref.year in found.years),
        (
            "journal",
            ref.container,
            found.journals[0] if found.journals else None,
            lambda: journal_agrees(ref.container or "", found.journals),
        ),
        ("volume", ref.volume, found.volume, lambda: bare_volume(ref.volume) == bare_volume(found.volume)),
        ("pages", ref.pages, found.pages, lambda: first_page(ref.pages) == first_page(found.pages)),
    ]
    for name, ours, theirs, agrees in checks:
        if ours in (None, "") or theirs in (None, ""):
            continue
        compared += 1
        if not agrees():
            differences.append(Difference(name, ours, theirs))
    return differences, compared


def accept_search_hit(ref: Reference, items: list[Found]) -> Found | None:
    """The first item, in Crossref's score order, that scores at least SEARCH_MIN_SCORE and whose
    title agrees with the reference's, and its year or first author too; None if none does."""
    for item in items:
        if (item.score or 0.0) < SEARCH_MIN_SCORE:
            break
        if not titles_agree(ref.title, item):
            continue
        if (ref.year is not None and ref.year in item.years) or authors_agree(ref, item):
            return item
    return None


def search_query(ref: Reference) -> str:
    """What a bibliographic search is sent: title, first author, journal and year, as Crossref
    advises for ``query.bibliographic`` (the parsed fields, not the string as printed, which may
    carry links and notes)."""
    parts = [ref.title, first_author(ref), ref.container, str(ref.year) if ref.year else None]
    return " ".join(" ".join(p.split()) for p in parts if p)
