"""Name the citation style a reference was printed in, from the shapes the parser saw.

Each style has a few marks that the others lack (after the ACS Style Guide, AIP/APS and AAS
author guides, the IEEE Reference Guide, Chicago 17th, MLA 9th, Cite Them Right Harvard, APA 7
and NLM's Citing Medicine):

- ACS: "Journal 2019, 141 (3), 1234-1240" (year, volume, pages), names "Smith, J. A.;" with
  semicolons;
- physics (AIP/APS, Springer): "Journal 54, 11169 (1996)", names "J. A. Smith" run on with a
  comma, books "Title (Publisher, City, 1976)";
- astronomy (AAS, A&A, MNRAS): the year after the names with a comma ("Smith, J. 2003, ApJ");
- IEEE: initials first and the title in double quotes with the comma inside ("Title,"), books
  "City, ST, USA: Publisher, 2016";
- Chicago: full given names, "Journal 12, no. 3 (2019): 45-67", or the year alone after the names
  ("Smith, John. 2019."), books "City: Publisher, 2019", dates "March 25, 2020";
- MLA: full given names, "Title." in quotes, "vol. 12, no. 3, 2019, pp. 45-67", books
  "Publisher, 2019", dates "14 Oct. 2022";
- APA "(2019)." and Harvard "(2019)" after initials; Vancouver "Smith JA" names and "2019;12(3):45".

"other" when nothing is telling. ``parse.py`` calls ``name_style`` once per reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.references.source import MONTH, YEAR

# A quoted title and the mark inside its closing quote: "Title," (IEEE) or "Title." (MLA, Chicago).
QUOTED_RE = re.compile(r"(?:[\"“]|``)(?P<title>[^\"”“']{1,500}?)(?P<mark>[,.?!]?)(?:[\"”]|'')")
# "New York: Crown, 2010.", "Cambridge, MA, USA: MIT Press, 2016.": a sentence of place, colon,
# publisher and year that ends the reference (Chicago, IEEE books).
PLACE_PUBLISHER_RE = re.compile(
    r"(?:^|[.,]\s+)[A-Z][\w.'’-]{0,20}(?:\s+[A-Z][\w.'’-]{0,20}){0,2}(?:,\s*[A-Z]{2,3}\.?)?(?:,\s*[A-Z][\w]{1,20})?"
    rf"\s*:\s*[A-Z][^:;()]{{1,80}},\s*{YEAR}\s*\.?\s*$"
)
# ACS books: "...; Wiley: New York, 2001", "; University Science Books: Sausalito, CA, 2006".
ACS_BOOK_RE = re.compile(rf";\s*[A-Z][^;:]{{1,60}}:\s*[A-Z][^;:,]{{1,40}}(?:,\s*[A-Z]{{2}})?,\s*{YEAR}")
# ACS and older IEEE web pages: "http://... (accessed March 3, 2021)".
ACCESSED_PAREN_RE = re.compile(r"\(accessed\s", re.IGNORECASE)
# "(Cambridge University Press, Cambridge, 2000)": the physics book's publication facts.
PARENTHESISED_FACTS_RE = re.compile(rf"\([^()]{{3,200}},\s*{YEAR}\)")
# A US state or a country after a city: "Cambridge, MA, USA:", "Upper Saddle River, NJ:".
STATE_RE = re.compile(r",\s*[A-Z]{2}(?:,\s*USA)?\s*:")
MONTH_DAY_YEAR_RE = re.compile(rf"\b{MONTH}\s+\d{{1,2}},\s+{YEAR}\b")
IEEE_ONLINE_RE = re.compile(r"\[Online\]\.?\s*Available:", re.IGNORECASE)
# Chicago's journal clusters: "12, no. 3 (2019): 45-67", "3 (1959): 11-16", "91 (3): 481-510".
CHICAGO_SHAPES = ("chicago", "vol_year_pages", "vol_colon_pages")


@dataclass(frozen=True, slots=True)
class Shapes:
    """What the parser saw of a reference, for naming its style."""

    form: str | None  # the author form (authors.NAME_FORMS key, "organization"), None without names
    semicolons: bool  # names separated by semicolons ("Smith, J.; Doe, B.")
    date: str | None  # after the names: "paren" "(2019)", "paren_dot" "(2019).", "dot" "2019.", "comma"
    source: str | None  # the journal cluster's shape (source.SHAPE_NAMES value or "labels")
    rest: str  # the text after the names and date, identifiers and access notes cut out
    commas: bool  # fields separated by commas after the names
    text: str = ""  # the whole string, access notes and links included ("Accessed 3 Mar. 2021")


def date_kind(paren: bool, mark: str) -> str:
    """ "paren", "paren_dot", "dot" or "comma" for the date after the names."""
    if paren:
        return "paren_dot" if mark == "." else "paren"
    return "comma" if mark == "," else "dot"


def name_style(s: Shapes) -> str:
    """The style's name in the record schema's terms, "other" when nothing is telling."""
    for rule in (_acs, _physics, _astronomy, _ieee, _chicago_or_mla, _author_date, _vancouver):
        style = rule(s)
        if style:
            return style
    return "other"


def _acs(s: Shapes) -> str | None:
    if s.source == "acs" or (s.form == "inverted" and s.semicolons) or ACS_BOOK_RE.search(s.rest):
        return "acs"
    if s.form in ("inverted", None, "organization") and ACCESSED_PAREN_RE.search(s.text):
        return "acs"
    return None


def _physics(s: Shapes) -> str | None:
    if s.source == "physics":
        return "physics"
    initials = s.form in ("initials_first", "given_first")
    names_then_comma = initials and s.commas and not QUOTED_RE.match(s.rest)
    if names_then_comma and PARENTHESISED_FACTS_RE.search(s.rest):
        return "physics"  # "Title (Publisher, City, 1976)"
    return None


def _astronomy(s: Shapes) -> str | None:
    quoted = s.rest[:1] in "\"“‘'"
    if s.date == "comma" and not quoted and s.form in ("inverted", "vancouver") and s.source != "labels":
        return "astronomy"
    return None


def _ieee(s: Shapes) -> str | None:
    if s.form not in ("initials_first", "given_first", None, "organization"):
        return None
    quoted = QUOTED_RE.match(s.rest)
    if quoted and quoted.group("mark") == ",":
        return "ieee"  # "Title," in quotes
    if s.form in ("initials_first", "given_first") and (
        quoted or STATE_RE.search(s.rest) or IEEE_ONLINE_RE.search(s.text) or ACCESSED_PAREN_RE.search(s.text)
    ):
        return "ieee"
    return None


def _chicago_or_mla(s: Shapes) -> str | None:
    """Full given names ("Smith, John"), or a title in double quotes with the period inside after
    inverted names or none ("Watson, J. D., and F. H. C. Crick. “Title.”")."""
    quoted = QUOTED_RE.match(s.rest)
    period_inside = bool(quoted and quoted.group("mark") == ".")
    if not (s.form == "inverted_full" or (period_inside and s.form in (None, "organization", "inverted"))):
        return None
    if s.source in CHICAGO_SHAPES or s.date == "dot" or MONTH_DAY_YEAR_RE.search(s.text):
        return "chicago"
    if PLACE_PUBLISHER_RE.search(s.rest) and s.source != "labels":
        return "chicago"
    return "mla"  # "vol. 12, no. 3, 2019, pp. 45-67", "Publisher, 2019", "14 Oct. 2022"


def _author_date(s: Shapes) -> str | None:
    if s.date is None:
        return None
    if s.form == "inverted" and s.date == "paren_dot":
        return "apa"
    if s.form == "vancouver" and s.date in ("dot", "comma"):
        return "vancouver"  # NLM author-date: "Martin WF, Garg S. 2015. Title."
    if s.form == "organization" and s.date == "dot":
        return "chicago"  # "World Health Organization. 2008. Title."
    if s.form == "organization" and s.date == "paren_dot":
        return "apa"
    if s.form in ("inverted", "vancouver", "inverted_full", "organization"):
        return "harvard"
    return None


def _vancouver(s: Shapes) -> str | None:
    if s.form == "vancouver" or s.source == "vancouver":
        return "vancouver"
    return None
