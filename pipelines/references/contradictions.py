"""Flag a citation whose sentence contradicts the entry it links to.

A sentence often says where or when the cited work appeared ("a study published in the Journal
of Back and Musculoskeletal Rehabilitation", "a 2018 review", "Gattie et al. found"). When none
of the entries the nearest marker points to fits what the sentence says, and no other entry
cited in that sentence does either, the marker probably points to the wrong entry, or the
sentence misreports the source. Only explicit cues count: a capitalised phrase is taken for a
journal only with a journal word ("Journal", "Annals"), a known acronym ("BMJ", "JAMA") or after
"published in"; a year only next to "study", "review", "published in" and the like.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipelines.record import Citation, Reference
from pipelines.references.authoryear import ET_AL, NOT_NAMES, SURNAME, YEAR, entry_names, name_fits
from pipelines.references.journals import ALIASES, WORD_RE, is_known_alias, same_journal

STUDY_WORDS = (
    r"(?:study|studies|review|trial|meta-analysis|analysis|paper|article|report|guidelines?|survey|"
    r"consensus|statement|publication|update|overview|experiment|cohort)"
)
YEAR_CUES = (
    re.compile(
        rf"\b(?i:a|an|the|this|that|one|their|his|her)\s+(?P<value>{YEAR})\s+(?:[\w-]+\s+){{0,3}}?{STUDY_WORDS}\b"
    ),
    re.compile(
        rf"\b(?:published|appeared|conducted|released|issued)\s+in\s+(?:[A-Z][a-z]+\s+)?(?P<value>{YEAR})\b"
    ),
    re.compile(rf"\b[Ii]n\s+(?P<value>{YEAR}),?\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?{STUDY_WORDS}\b"),
)
AUTHOR_CUE = re.compile(
    rf"(?<![\w-])(?P<value>{SURNAME})(?:\s+{ET_AL}|\s+and\s+(?:colleagues|co-?workers|co-?authors|team))"
)
# A run of capitalised words, joined by the small words of titles: a candidate journal name.
CAPITAL_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|&|for|in|on|the|de)\s+)*[A-Z][\w'’-]*)*")
JOURNAL_HEADS = frozenset(
    {"journal", "annals", "archives", "lancet", "proceedings", "bulletin", "transactions"}
)
ACRONYMS = frozenset(k for k in ALIASES if " " not in k)
PUBLISHED_IN = re.compile(
    r"\b(?:published|appeared|reported|printed|featured)\s+(?:online\s+)?in\s+(?:the\s+)?(?:journal\s+)?$",
    re.I,
)
# How far before a name PUBLISHED_IN looks ("published online in the journal " is 33 characters):
# a bounded window, so that a sentence of many capitalised runs is not searched from its start for
# each of them (quadratic).
PUBLISHED_IN_REACH = 120


@dataclass(frozen=True, slots=True)
class Mention:
    """Something a sentence says about a source: where it appeared, when, or who wrote it."""

    start: int
    end: int
    kind: str  # journal | year | author
    value: str


@dataclass(slots=True)
class MarkerSpan:
    """One marker in a sentence (offsets in the sentence) and the citations it made."""

    start: int
    end: int
    citations: list[Citation]


def find_mentions(sentence: str, containers: list[str]) -> list[Mention]:
    """Journal names, years and author names the sentence gives for the work it cites."""
    found = [_journal(sentence, m, containers) for m in CAPITAL_RUN.finditer(sentence)]
    mentions = [m for m in found if m]
    for cue in YEAR_CUES if "19" in sentence or "20" in sentence else ():  # each cue holds a YEAR
        mentions += [
            Mention(m.start("value"), m.end("value"), "year", m.group("value"))
            for m in cue.finditer(sentence)
        ]
    for m in AUTHOR_CUE.finditer(sentence):
        if m.group("value").lower() not in NOT_NAMES:
            mentions.append(Mention(m.start("value"), m.end("value"), "author", m.group("value")))
    return mentions


LEADING_SMALL_WORDS = re.compile(r"^(?:(?:The|A|An|In|This|That|Our)\s+)+")


def _journal(sentence: str, match: re.Match[str], containers: list[str]) -> Mention | None:
    name = LEADING_SMALL_WORDS.sub("", match.group(0))
    start = match.end() - len(name)
    words = [w.lower() for w in WORD_RE.findall(name)]
    if not words:
        return None
    journal = bool(JOURNAL_HEADS & set(words)) or is_known_alias(name) or words[0] in ACRONYMS
    if not journal and PUBLISHED_IN.search(sentence, max(0, start - PUBLISHED_IN_REACH), start):
        journal = any(same_journal(name, c) for c in containers)
    return Mention(start, match.end(), "journal", name) if journal else None


def flag_sentence(
    sentence: str, markers: list[MarkerSpan], refs: dict[int, Reference], containers: list[str]
) -> None:
    """Set ``contradiction`` on the citations of ``sentence`` that its mentions contradict."""
    if not markers:
        return
    # each entry once, however often the sentence cites it: a long sentence stays linear
    cited = list({c.ref: refs[c.ref] for m in markers for c in m.citations if c.ref in refs}.values())
    starts = [m.start for m in markers]  # markers come in order
    fits: dict[tuple[str, str, int], bool] = {}  # (kind, value, entry) -> fits, asked once a sentence
    for mention in find_mentions(sentence, containers):
        if _inside_marker(mention, markers, starts):
            continue  # "Smith et al. (2020)" is the marker itself, not a claim about it
        target = _nearest(mention, markers, starts)
        entries = [refs[c.ref] for c in target.citations if c.ref in refs]
        checkable = [r for r in entries if _known(mention.kind, r)]
        if (
            not checkable
            or any(_fits_once(mention, r, fits) for r in checkable)
            or any(_fits_once(mention, r, fits) for r in cited)
        ):
            continue
        for citation in target.citations:
            if citation.ref in refs and _known(mention.kind, refs[citation.ref]):
                add_reason(citation, _reason(mention, refs[citation.ref]))


def add_reason(citation: Citation, reason: str) -> None:
    if not citation.contradiction:
        citation.contradiction = reason
    elif reason not in citation.contradiction:
        citation.contradiction += f"; {reason}"


def _nearest(mention: Mention, markers: list[MarkerSpan], starts: list[int]) -> MarkerSpan:
    """The first marker after the mention (claims come before their marker), else the last one."""
    i = bisect.bisect_left(starts, mention.end)
    return markers[i] if i < len(markers) else markers[-1]


def _inside_marker(mention: Mention, markers: list[MarkerSpan], starts: list[int]) -> bool:
    """Whether the mention starts inside a marker: the last marker starting at or before it."""
    i = bisect.bisect_right(starts, mention.start) - 1
    return i >= 0 and markers[i].start <= mention.start < markers[i].end


def _fits_once(mention: Mention, ref: Reference, fits: dict[tuple[str, str, int], bool]) -> bool:
    key = (mention.kind, mention.value, id(ref))
    if key not in fits:
        fits[key] = _fits(mention, ref)
    return fits[key]


def _known(kind: str, ref: Reference) -> bool:
    if kind == "journal":
        return bool(ref.container)
    if kind == "year":
        return ref.year is not None
    return bool(entry_names(ref))


def _fits(mention: Mention, ref: Reference) -> bool:
    if mention.kind == "journal":
        # the entry itself names it ("a Cochrane systematic review" in its title, "bmj" in its
        # DOI): the sentence may describe the work, not misname the journal
        return same_journal(mention.value, ref.container) or _names(ref.raw, mention.value)
    if mention.kind == "year":
        return str(ref.year) == mention.value
    return any(name_fits(mention.value, name, ref.raw) for name in entry_names(ref))


def _names(text: str, name: str) -> bool:
    """Whether ``text`` holds ``name`` as whole words, case aside."""
    needle = " ".join(WORD_RE.findall(name.lower()))
    haystack = " ".join(WORD_RE.findall(text.lower()))
    return len(needle.replace(" ", "")) >= 3 and f" {needle} " in f" {haystack} "


def _reason(mention: Mention, ref: Reference) -> str:
    if mention.kind == "journal":
        return f"sentence names {mention.value}; entry {ref.n} is in {ref.container}"
    if mention.kind == "year":
        return f"sentence says {mention.value}; entry {ref.n} is from {ref.year}"
    names = entry_names(ref)
    by = names[0] + (" et al." if len(names) > 1 else "")
    return f"sentence names {mention.value}; entry {ref.n} is by {by}"
