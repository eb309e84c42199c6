"""The words of titles and names as both sides can be compared on: case, accents, punctuation,
HTML markup (Crossref titles carry ``<i>`` and ``&amp;``) and initials left out."""

from __future__ import annotations

import html
import re
import unicodedata

WORD_RE = re.compile(r"[^\W_]+")
TAG_RE = re.compile(r"<[^<>]{0,200}>")
# Letters NFKD does not decompose into a base letter and a mark.
FOLDED = str.maketrans({"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "ł": "l"})
# "Smith JA", "van Middelkoop M", "Mølgaard CM", "Lee J-H": the initials a name ends with.
INITIALS_RE = re.compile(r"\s+(?:[A-Z]{1,4}|[A-Z]-[A-Z])\.?$")
PAGE_RE = re.compile(r"[A-Za-z]*\d+[A-Za-z]?")
YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def clean_markup(text: str | None) -> str | None:
    """A service's string without HTML tags and entities, its spaces collapsed."""
    if text is None:
        return None
    cleaned = " ".join(html.unescape(TAG_RE.sub(" ", text)).split())
    return cleaned or None


def fold(text: str) -> str:
    """Lower case without accents: "Mølgaard" and "Molgaard" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLDED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normal_words(text: str | None) -> list[str]:
    """The words of a title, folded, punctuation dropped."""
    return WORD_RE.findall(fold(clean_markup(text) or ""))


def normal_title(text: str | None) -> str:
    return " ".join(normal_words(text))


def family_name(author: str | None) -> str | None:
    """The family name of a "Family Initials" name ("van Middelkoop M" -> "van Middelkoop");
    None for no name."""
    if not author or not author.strip():
        return None
    return clean_markup(INITIALS_RE.sub("", " ".join(author.split()))) or None


def same_family(a: str | None, b: str | None) -> bool:
    """Family names agree: equal once folded, or equal without particles ("van Middelkoop" =
    "Middelkoop", as some databases file it) or spaces ("Van der Heijden" = "Vanderheijden")."""
    x, y = normal_words(a), normal_words(b)
    if not x or not y:
        return False
    return x == y or x[-1] == y[-1] or "".join(x) == "".join(y)


def first_page(pages: str | None) -> str | None:
    """The first page of a range, lower case: "844-52" and "844" -> "844", "e292-e300" -> "e292"."""
    if not pages:
        return None
    match = PAGE_RE.search(pages)
    return match.group(0).lower() if match else None


def year_in(text: str | None) -> int | None:
    """The first four-digit year in a date string ("2016 Jul 15" -> 2016)."""
    match = YEAR_RE.search(text or "")
    return int(match.group(1)) if match else None


def bare_volume(volume: str | None) -> str | None:
    """A volume as compared: folded, spaces and leading zeros dropped ("023" = "23")."""
    if volume is None:
        return None
    text = "".join(fold(str(volume)).split()).lstrip("0")
    return text or None
