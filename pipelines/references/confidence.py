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
FIELDS = ("title", "container", "volume", "issue", "issue_qualifier", "pages", "doi", "pmid", "pmcid", "url")


def confidence(ref: Reference, text: str) -> float:
    """0-1 for ``ref`` parsed from ``text`` (the cleaned string it was parsed from)."""
    tokens = [t.lower() for t in TOKEN_RE.findall(text)]
    if not tokens:
        return 0.0
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
    explained = sum(1 for t in tokens if t in known or t in FILLER or (len(t) == 1 and t.isalpha()))
    coverage = explained / len(tokens)
    parts = [
        bool(ref.authors),
        bool(ref.year),
        bool(ref.title),
        bool(ref.container or ref.url or ref.doi),
    ]
    found = sum(parts) / len(parts)
    score = (0.6 * coverage + 0.4 * found) * sanity(ref)
    if ref.style in (None, "other"):
        score *= 0.85  # no shape of a known style was seen
    return round(max(0.0, min(1.0, score)), 2)


def sanity(ref: Reference) -> float:
    """A factor below 1 for each sign that a field holds what belongs to another: the signs a
    misread leaves whatever the style."""
    factor = 1.0
    if ref.volume and ref.year and ref.volume == str(ref.year):
        factor *= 0.6  # the year read as the volume: the numbers after it are shifted
    if ref.container and (YEAR_IN_RE.search(ref.container) or SOURCE_IN_RE.search(ref.container)):
        factor *= 0.7  # a year or a volume cluster left inside the journal's name
    if ref.container and ref.container[:3] in ("in ", "In "):
        factor *= 0.85  # "in Proc. ...": the container's label was not taken off
    words = len(ref.title.split()) if ref.title else 0
    if words and not ref.container and words <= 2 and not ref.url:
        factor *= 0.7  # a one- or two-word "title" alone is most often a journal's name
    elif words == 1 and ref.title.endswith((".", "")) and len(ref.title) <= 6:
        factor *= 0.8  # "Phys" of "Phys. Rev. Lett.": a journal's name cut at its first period
    return factor
