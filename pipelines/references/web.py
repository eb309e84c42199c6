"""A page on a site: its title, the site's name as printed, and its date.

Every style cites a web page as names (or an organisation), a date, the page's title and the site's
name before the link: 'Title', BBC News, 19 November (Harvard), "Title." The Atlantic, 9 June 2022
(MLA), "Title," Centers for Disease Control and Prevention (IEEE), Title. The Conversation.
Published January 14, 2022 (AMA). The site is the first name after the title; access notes, dates
and "[Online]. Available:" are not one. An organisation before a date is the page's author
("NHS (2022)"); without a date it is the site ("National Institute of Arthritis ... . Fibromyalgia.").
A host name stands in for the site only when the entry is no more than a title and a link.
"""

from __future__ import annotations

import re

from pipelines.record import Reference
from pipelines.references.authors import AuthorBlock
from pipelines.references.journals import site_name_from_url
from pipelines.references.source import BOUNDARY_RE, MONTH, YEAR, YEAR_RE, to_year
from pipelines.references.titles import (
    TRAILING_DATE_RE,
    clean_title,
    cut_book_tail,
    has_prose,
    quoted_title,
    quoted_value,
)

# "Published January 14, 2022", "Last modified April 17, 2017": the page's own date.
WEB_DATE_RE = re.compile(
    rf"\b(?:published|updated|posted|last reviewed|reviewed|modified)\b[^.;]*?({YEAR})", re.IGNORECASE
)
# What follows a title without being the site: access notes, dates, labels, a thesis.
NOT_SITE_RE = re.compile(
    rf"(?:available|accessed|retrieved|viewed|cited|published|updated|posted|last|\[|online\b|{MONTH}\s*\d)"
    r"|.*\b(?:thesis|dissertation|diss\.|report)\b",
    re.IGNORECASE,
)
COMMA_SPLIT_RE = re.compile(r",\s+")
PUBLISHER_COLON_RE = re.compile(r"\w:\s+[A-Z]")
# A document number in parentheses after a page's title: "(NICE Guideline NG136)", "(Report No. 5)".
NUMBER_PAREN_RE = re.compile(r"\s*\((?=[^()]*\d)(?=[^()]*\s)[^()]{3,60}\)$")
# A site's name is short.
MAX_SITE_TOKENS = 10


def web_reference(
    ref: Reference, authors: AuthorBlock, rest: str, date: re.Match[str] | None, text: str
) -> Reference:
    """Fill ``ref`` (identifiers found) from the rest of a page's citation after its names."""
    dated = bool(date and (date.group("year") or "(n" in date.group(0)))
    site = authors.names[0] if authors.form == "organization" and not dated else None
    ref.authors = [] if site else authors.names
    title, after = _title(rest)
    ref.title = title
    printed = None if site else _printed_site(after)
    bare = not ref.authors and not dated  # only a title and a link
    ref.container = site or printed or (site_name_from_url(ref.url) if ref.url and bare else None)
    ref.year = _year(date, rest, text)
    return ref


def _title(rest: str) -> tuple[str | None, str]:
    """The page's title (in quotes, or the first sentence) and what follows it."""
    quoted = quoted_title(rest)
    if quoted:
        return clean_title(quoted_value(quoted)), rest[quoted.end() :]
    end = BOUNDARY_RE.search(rest)
    first, after = (rest[: end.start() + 1], rest[end.end() :]) if end else (rest, "")
    title = cut_book_tail(TRAILING_DATE_RE.sub("", first.rstrip(". ")))
    return clean_title(NUMBER_PAREN_RE.sub("", title.rstrip(". "))), after


def _printed_site(after: str) -> str | None:
    """The site's name: the names at the start of the sentence after the title ("National
    Institutes of Health, Office of Dietary Supplements, 15 Feb. 2023" -> the two names)."""
    after = after.strip(" .,;:")
    end = BOUNDARY_RE.search(after)
    sentence = after[: end.start()] if end else after
    if PUBLISHER_COLON_RE.search(sentence):
        return None  # "Cambridge, MA, USA: MIT Press, 2018": a book's publisher
    names = []
    for piece in COMMA_SPLIT_RE.split(sentence):
        piece = piece.strip(" .,;:")
        if not _is_site_name(piece):
            break
        names.append(piece)
    return ", ".join(names) or None


def _is_site_name(piece: str) -> bool:
    tokens = piece.split()
    if not tokens or len(tokens) > MAX_SITE_TOKENS or NOT_SITE_RE.match(piece):
        return False
    if any(ch.isdigit() for ch in piece) or has_prose(piece):
        return False
    first = tokens[0]
    return first[0].isupper() or any(ch.isupper() for ch in first[1:3])  # "eHow", "iVillage"


def _year(date: re.Match[str] | None, rest: str, text: str) -> int | None:
    if date and date.group("year"):
        return to_year(date.group("year"))
    published = WEB_DATE_RE.search(text)
    if published:
        return to_year(published.group(1))
    years = YEAR_RE.findall(rest)
    return to_year(years[-1]) if years else None
