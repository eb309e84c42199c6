"""Author-year citations ("(Smith et al., 2020)", "Smith and Jones (2019) found") and the entry
each one names.

APA and Harvard lists are not numbered, so the marker carries the key: the first author's
surname, sometimes a second surname, and the year (with "a"/"b" when one author has two papers
that year). A marker is linked only when exactly one entry fits; when its surname fits one entry
but its year does not, the link is kept and the disagreement reported, because a wrong year in
the text is a mistake an auditor wants to see, not a reason to lose the link.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from pipelines.record import Reference

YEAR = r"(?:19|20)\d{2}"
YEAR_KEY = rf"(?:{YEAR}[a-z]?|n\.\s?d\.|in press)"
PARTICLE = r"(?:van|von|de|der|den|du|da|di|del|della|le|la|ten|ter)"
# One surname: particles, then a capitalised word with a lower-case letter in it ("McLean",
# "Miake-Lye", "O'Brien"), so that "AND" or "UK" is not a surname.
# Linear time: the group is atomic (a word is read one way only, not split at each of its
# lower-case letters in turn, which made a failed list of names cost k^n) and a word is at most
# NAME_CHARS long (a failed match from each capital of one endless "Aa-'Aa-'..." token is then
# bounded, not the rest of the token).
NAME_CHARS = 64
NAME_WORD = rf"[A-Z](?=[\w'’-]{{0,{NAME_CHARS}}}?[a-zà-ÿ])[\w'’-]{{0,{NAME_CHARS}}}+"
SURNAME = rf"(?>(?:{PARTICLE}\s+){{0,4}}{NAME_WORD})"
ET_AL = r"et\s+al\.?"
# A narrative list names at most this many people before its "and" (APA writes "et al." from 3).
MAX_LISTED_NAMES = 20
SECOND_NAMES = (
    rf"\s+{ET_AL}|\s+(?:and|&)\s+{SURNAME}"
    rf"|(?:,\s*{SURNAME}){{1,{MAX_LISTED_NAMES}}}+,?\s+(?:and|&)\s+{SURNAME}"
)
NARRATIVE_NAMES = rf"(?P<names>{SURNAME}(?:{SECOND_NAMES})?)"
# "Smith et al. (2020) found", "Smith and Jones (2019, 2021)", "Lee's (2018) trial"
NARRATIVE_RE = re.compile(
    rf"(?<![\w-]){NARRATIVE_NAMES}(?:['’]s)?\s+\((?P<years>{YEAR_KEY}(?:\s*[,;]\s*{YEAR_KEY})*)"
    r"(?:,\s*(?:p|pp|para)\.?\s*[\d–-]+)?\)"
)
PARENTHETICAL_RE = re.compile(r"\((?P<body>[^()]{4,400})\)")
# One part of "(e.g., Smith et al., 2020; see also Lee & Park, 2021, p. 4)"
LEAD_IN_RE = re.compile(
    r"^(?:(?:e\.g\.|i\.e\.|cf\.|see(?:\s+also)?|also|for\s+(?:a\s+)?(?:review|example|instance)s?"
    r"(?:,\s*see)?|as\s+reviewed\s+(?:by|in)|reviewed\s+in|but\s+see|as\s+in)[,:]?\s+)+",
    re.IGNORECASE,
)
PART_RE = re.compile(
    rf"^(?P<names>[^\d;]+?),?\s+(?P<years>{YEAR_KEY}(?:\s*,\s*{YEAR_KEY})*)"
    r"(?:\s*,\s*(?:p|pp|para|chap|ch)\.?\s*[\d–-]+)?\s*$"
)
NAME_SPLIT_RE = re.compile(r"\s*,\s*(?:&|and\s)?\s*|\s+(?:&|and)\s+|\s*&\s*")
BRACKETED_RE = re.compile(r"\s*\[[^\]]*\]")
# Capitalised words that sit before a year in brackets without being anyone's name.
NOT_NAMES = frozenset(
    """january february march april may june july august september october november december
    spring summer autumn fall winter in since from by until updated published accessed retrieved
    revised version vol edition figure table the a an and or see issue""".split()
)
# An author or organisation name in a marker is at most this many words
# ("National Institute for Health and Care Excellence" is 7).
MAX_NAME_WORDS = 9


@dataclass(slots=True)
class AuthorYearMarker:
    """One author-year key found in the text: who and when, and where the whole marker sits."""

    marker: str
    start: int
    names: list[str]
    et_al: bool
    year: str  # "2020", "2020a", "n.d." or "in press"
    written: str = ""  # the names as written, for an organisation with "and" in its name


# Every marker has a year key: a paragraph without one is skipped before the costly patterns.
HAS_YEAR_KEY = re.compile(YEAR_KEY)


def _may_hold_year_key(paragraph: str) -> bool:
    """What every YEAR_KEY match contains, looked for with str's fast substring search: the
    pattern itself starts at every "n" and "i" of the text (~7 us for a paragraph)."""
    return "19" in paragraph or "20" in paragraph or "n." in paragraph or "in press" in paragraph


def find_author_year(paragraph: str) -> Iterator[AuthorYearMarker]:
    """Parenthetical then narrative markers of one paragraph, each key on its own."""
    if not (_may_hold_year_key(paragraph) and HAS_YEAR_KEY.search(paragraph)):
        return
    taken: list[tuple[int, int]] = []
    for match in PARENTHETICAL_RE.finditer(paragraph):
        keys = list(_parenthetical_keys(match.group("body")))
        if keys:
            taken.append(match.span())
            for names, et_al, year, written in keys:
                yield AuthorYearMarker(match.group(0), match.start(), names, et_al, year, written)
    for match in NARRATIVE_RE.finditer(paragraph):
        if any(s <= match.start() < e for s, e in taken):
            continue
        names, et_al = _split_names(match.group("names"))
        if not names or names[0].lower() in NOT_NAMES:
            continue
        for year in re.split(r"\s*[,;]\s*", match.group("years")):
            yield AuthorYearMarker(match.group(0), match.start(), names, et_al, year)


def _parenthetical_keys(body: str) -> Iterator[tuple[list[str], bool, str, str]]:
    """The (names, et al, year) keys in "(Smith, 2019; Lee & Park, 2021a, 2022)", or nothing when
    any part is not one: "(n = 200, 2019)" or "(March 2020)" are not citations."""
    keys = []
    for part in body.split(";"):
        match = PART_RE.match(LEAD_IN_RE.sub("", part.strip()))
        if not match:
            return
        names, et_al = _split_names(BRACKETED_RE.sub("", match.group("names")))
        if not names or not all(_is_name(n) for n in names):
            return
        written = BRACKETED_RE.sub("", match.group("names")).strip(" ,")
        keys += [(names, et_al, y, written) for y in re.split(r"\s*,\s*", match.group("years"))]
    yield from keys


def _split_names(text: str) -> tuple[list[str], bool]:
    et_al = bool(re.search(ET_AL, text))
    text = re.sub(rf",?\s*{ET_AL}", "", text).strip(" ,")
    return [n for n in NAME_SPLIT_RE.split(text) if n], et_al


def _is_name(name: str) -> bool:
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS:
        return False
    if not (name[0].isupper() or re.match(rf"{PARTICLE}\s+[A-Z]", name)):
        return False
    return words[0].lower() not in NOT_NAMES


# --- matching a key to an entry ---------------------------------------------------------------


def fold(name: str) -> str:
    """ "Mølgaard", "Molgaard" and "MOLGAARD" compare equal: no accents, case or punctuation."""
    name = unicodedata.normalize("NFKD", name.replace("ø", "o").replace("Ø", "O").replace("ß", "ss"))
    return "".join(ch for ch in name if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def surname_of(author: str) -> str:
    """ "Paige NM" -> "Paige", "de Zoete A" -> "de Zoete", "Hogue CW Jr" -> "Hogue"; an
    organisation stays whole."""
    words = author.split()
    while len(words) > 1 and re.fullmatch(
        r"(?:[A-Z]{1,4}(?:-[A-Z]{1,2})?|Jr|Sr|II|III|IV|2nd|3rd|4th)\.?", words[-1]
    ):
        words.pop()
    return " ".join(words)


def name_fits(cited: str, entry_name: str, raw: str) -> bool:
    """Whether a name as the text cites it is the entry's name (``raw`` is the entry's string)."""
    a, b = fold(cited), fold(entry_name)
    if not a or not b:
        return False
    if a == b or a == fold(entry_name.split()[-1]):  # "Zoete" for "de Zoete"
        return True
    # "NICE" for "National Institute for Health and Care Excellence": written in the entry itself
    return cited.isupper() and len(cited) >= 2 and re.search(rf"\b{re.escape(cited)}\b", raw) is not None


def entry_names(ref: Reference) -> list[str]:
    """Surnames in order; an entry with no authors is cited by its site or organisation."""
    if ref.authors:
        return [surname_of(a) for a in ref.authors]
    return [ref.container] if ref.container else []


def _year_key(ref: Reference) -> str | None:
    """ "2020a" when the entry prints a letter after its year, else "2020"; None when undated."""
    if ref.year is None:
        return None
    letter = re.search(rf"\b{ref.year}([a-z])\b", ref.raw)
    return f"{ref.year}{letter.group(1)}" if letter else str(ref.year)


def match_entry(key: AuthorYearMarker, references: list[Reference]) -> tuple[Reference | None, str | None]:
    """The one entry a key names, and why the key disagrees with it (or None)."""
    by_name = _by_first_name(key.names[0], references)
    if not by_name and key.written and len(key.names) > 1 and not key.et_al:
        by_name = _by_first_name(key.written, references)  # "Health and Care Excellence"
        key = AuthorYearMarker(key.marker, key.start, [key.written], False, key.year, key.written)
    if len(key.names) > 1:
        narrowed = [r for r in by_name if _later_names_fit(key.names[1:], entry_names(r), r.raw)]
        by_name = narrowed or by_name
    if not by_name:
        return None, None
    dated = [r for r in by_name if _year_fits(key.year, r)]
    if len(dated) == 1:
        return dated[0], None
    if not dated and len(by_name) == 1:
        entry = by_name[0]
        found = f"from {entry.year}" if entry.year else "undated"
        return entry, f"marker says {key.year}; entry {entry.n} is {found}"
    return None, None


def _by_first_name(name: str, references: list[Reference]) -> list[Reference]:
    return [r for r in references if (names := entry_names(r)) and name_fits(name, names[0], r.raw)]


def _later_names_fit(cited: list[str], names: list[str], raw: str) -> bool:
    """ "Smith & Jones": the second surname cited is the entry's second author."""
    later = names[1 : len(cited) + 1]
    return len(later) == len(cited) and all(name_fits(c, n, raw) for c, n in zip(cited, later, strict=True))


def _year_fits(year: str, ref: Reference) -> bool:
    key = _year_key(ref)
    if year.startswith(("n.", "in")):
        return key is None
    if key is None:
        return False
    return year == key or (year[:4] == key[:4] and (len(year) == 4 or len(key) == 4))
