"""How far a parsed reference's fields can be trusted: a number from 0 to 1.

Two things say it, whatever the style: how much of the printed string the fields account for
(a title that swallowed the journal and the volume leaves nothing unexplained, but a journal
cluster the parser could not read leaves its numbers over), and whether the parts nearly every
reference has were found (authors or an organisation, a year, a title, a container or a link).
Values are rounded to two decimals; ``bench/references.py`` prints how accurate the fields are
in each band of confidence, so the number can be read as a rough probability.
"""

from __future__ import annotations

import re

from pipelines.record import Reference
from pipelines.references.identifiers import ARXIV_RE
from pipelines.references.journals import is_journal_word

# Words every style prints around the fields without being one: labels, connectives, months,
# access notes. A token of the string is "explained" when a field holds it or it is one of these.
FILLER = frozenset(
    """
    a an and the of in on at for to from by with et al eds ed editor editors edn edition vol volume
    vols no nos nr issue iss pp p pages page art article suppl supplement pt part doi https http www
    org com available online accessed retrieved cited viewed internet pmid pmcid epub ahead print
    jan january feb february mar march apr april may jun june jul july aug august sep sept september
    oct october nov november dec december spring summer fall autumn winter proc proceedings
    """.split()
)
TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
YEAR_IN_RE = re.compile(r"\b(?:1[6-9]|20)\d\d\b")
SOURCE_IN_RE = re.compile(r"\b\d+\s*(?:\(|,\s*no\b|:)", re.IGNORECASE)
ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th)", re.IGNORECASE)
# How far from a surname its given names are printed ("Gates, Henry Louis, Jr.", "Eve Kosofsky Sedgwick").
GIVEN_WINDOW = 3
# Styles that may print an article without its title.
TITLE_OPTIONAL_STYLES = ("acs", "physics", "astronomy")
FIELDS = ("title", "container", "volume", "issue", "issue_qualifier", "pages", "doi", "pmid", "pmcid", "url")


def confidence(ref: Reference, text: str) -> float:
    """0-1 for ``ref`` parsed from ``text`` (the cleaned string it was parsed from)."""
    tokens = list(TOKEN_RE.finditer(text))
    if not tokens:
        return 0.0
    known = _known_tokens(ref)
    preprint = ARXIV_RE.search(text)  # an arXiv id is a link to the work, like a DOI
    if preprint:
        known.update(t.lower() for t in TOKEN_RE.findall(preprint.group(0)))
    given = _given_names(ref, [t.group(0) for t in tokens])
    unexplained = [
        t for i, t in enumerate(tokens) if i not in given and not _explained(t.group(0).lower(), known)
    ]
    if not (ref.volume or ref.pages or ref.container):  # a book or thesis: after its title, its publisher
        facts_from = _end_of_names(ref, text)
        unexplained = [t for t in unexplained if t.start() < facts_from or _numeric(t.group(0))]
    coverage = 1 - len(unexplained) / len(tokens)
    parts = expected_parts(ref, linked=bool(preprint))
    found = sum(parts) / len(parts)
    score = (0.6 * coverage + 0.4 * found) * sanity(ref, bool(unexplained))
    if ref.style in (None, "other"):
        score *= 0.85  # no shape of a known style was seen
    return round(max(0.0, min(1.0, score)), 2)


def _known_tokens(ref: Reference) -> set[str]:
    known: set[str] = set()
    for name in FIELDS:
        value = getattr(ref, name)
        if value:
            known.update(t.lower() for t in TOKEN_RE.findall(str(value)))
    for author in ref.authors:
        for part in TOKEN_RE.findall(author):
            known.add(part.lower())
            known.update(ch.lower() for ch in part if part.isupper() and len(part) <= 4)  # "JA"
    if ref.year:
        known.add(str(ref.year))
    return known


def _given_names(ref: Reference, words: list[str]) -> set[int]:
    """Indexes of the given names the authors' initials stand for ("Toni" of "Morrison, Toni"
    for "Morrison T"): capitalised words next to the surname that start with one of its initials."""
    found: set[int] = set()
    for author in ref.authors:
        surname, _, initials = author.rpartition(" ")
        last = surname.split()[-1] if surname else ""
        for i, word in enumerate(words):
            if word != last:
                continue
            for j in range(max(0, i - GIVEN_WINDOW), min(len(words), i + GIVEN_WINDOW + 1)):
                if words[j][:1].isupper() and words[j][0] in initials:
                    found.add(j)
    return found


def _explained(token: str, known: set[str]) -> bool:
    return token in known or token in FILLER or (len(token) == 1 and token.isalpha())


def _numeric(token: str) -> bool:
    """A number left over (a volume or pages nobody read), not an edition ("2nd") or a year."""
    if not any(ch.isdigit() for ch in token):
        return False
    return not (ORDINAL_RE.fullmatch(token) or YEAR_IN_RE.fullmatch(token))


def _end_of_names(ref: Reference, text: str) -> int:
    """Where the title ends in ``text``, or the container when there is no title (the end of the
    string when neither is found): what follows is editors, publisher and place."""
    for value in (ref.title, ref.container):
        at = text.find(value) if value else -1
        if at >= 0:
            return at + len(value)
    return len(text)


def expected_parts(ref: Reference, linked: bool = False) -> list[bool]:
    """Which of the parts a reference of its kind prints were found. An article (volume or pages)
    has names, a year and a journal, and a title unless its style may leave it out (ACS,
    physics, astronomy); a page has a title and a site or a link; a book has names, a year and
    a title, and no container."""
    if ref.volume or ref.pages:
        parts = [bool(ref.authors), bool(ref.year), bool(ref.container or ref.doi)]
        return [*parts, bool(ref.title)] if ref.title or ref.style not in TITLE_OPTIONAL_STYLES else parts
    if ref.url or ref.doi or linked:
        return [bool(ref.authors or ref.container), bool(ref.year), bool(ref.title), True]
    return [bool(ref.authors), bool(ref.year), bool(ref.title)]


def sanity(ref: Reference, leftover: bool = True) -> float:
    """A factor below 1 for each sign that a field holds what belongs to another: the signs a
    misread leaves whatever the style. ``leftover``: some of the string is explained by no field."""
    factor = 1.0
    if ref.volume and ref.year and ref.volume == str(ref.year):
        factor *= 0.8  # the year read as the volume: the numbers after it are shifted
    if ref.container and (YEAR_IN_RE.search(ref.container) or SOURCE_IN_RE.search(ref.container)):
        factor *= 0.7  # a year or a volume cluster left inside the journal's name
    if ref.container and ref.container[:3] in ("in ", "In "):
        factor *= 0.85  # "in Proc. ...": the container's label was not taken off
    words = len(ref.title.split()) if ref.title else 0
    if words and not ref.container and words <= 2 and not ref.url and leftover:
        factor *= 0.7  # a one- or two-word "title" alone, numbers left over: most often a journal's name
    elif words == 1 and is_journal_word(ref.title):
        factor *= 0.8  # "Phys" of "Phys. Rev. Lett.": a journal's name cut at its first period
    return factor
