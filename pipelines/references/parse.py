"""Parse one reference string into fields (authors, title, container, year, ids...).

Rules, not a trained model: on the labelled development set they reach the targets at a few
hundred microseconds per reference, and each rule can be read and fixed (see bench/references.py).
The order of work follows how reliable each part is:

1. identifiers (DOI, PMID, PMCID, links) are found and cut out, with their labels;
2. the author list is read from the start (``authors``);
3. the source cluster ("2017;20(2):15-25") is found at the end (``source``);
4. what lies between is split into title and container;
5. the style is named from the shapes seen on the way.

Unsure values stay None. Nothing here raises: a bug in one heuristic must not cost a crawl the
page, so ``parse_reference`` falls back to an identifiers-only result and logs the error.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import unicodedata

from pipelines.record import Reference
from pipelines.references.authors import AuthorBlock, parse_author_block
from pipelines.references.confidence import confidence
from pipelines.references.identifiers import Span, find_spans, first_value, fold, has_hint, reference_url
from pipelines.references.journals import site_name_from_url
from pipelines.references.source import (
    MONTH,
    YEAR,
    YEAR_RE,
    Source,
    find_source,
    is_journal_date,
    is_journal_then_year,
    split_issue,
    to_year,
)
from pipelines.references.styles import Shapes, date_kind, name_style
from pipelines.references.titles import split_title_container
from pipelines.references.web import web_reference

log = logging.getLogger(__name__)

# Real references stay under ~2,500 characters even with 40 authors; parsing only this much
# bounds the time spent on a pasted paragraph or a 100 KB garbage string.
MAX_PARSE_CHARS = 4000

LEADING_NUMBER_RE = re.compile(
    r"^\s*(?:\[(\d{1,4})\]|\((\d{1,4})\)|(\d{1,4})[.)](?=\s)|(\d{1,4})\s(?=[A-Z]))\s*"
)
BULLET_RE = re.compile(r"^\s*[-•*·▪◦‣–]\s+")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
SPACES_RE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178]"
)
# Inline markup left in a string taken from HTML source, JSON-LD or a CMS field: the tags go
# (their text stays), entities are decoded. Only these inline tags, whole, so "p < 0.05" and
# "<10 years" are text. Bounded inside the tag: linear on any input.
INLINE_TAG_RE = re.compile(
    r"</?(?:i|em|b|strong|u|sup|sub|small|span|a|cite|font|abbr|mark|q|s|del|ins|br|wbr)"
    r"(?:\s[^<>]{0,300})?\s*/?>",
    re.IGNORECASE,
)
ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# An author list cut short: "et al.", "and others", an ellipsis ("Salazar AP, Stein C, ... Caumo
# W"), and their equivalents in other languages ("u. a.", "y cols.", "e col.", "m.fl.", "ym.").
TRUNCATED_RE = re.compile(
    r"\bet\.?\s*al\b|\band\s+others\b|\.\.\.|…|\bu\.\s?a\.|\by\s+cols?\b|\be\s+coll?\b|\bm\.\s?fl\b|\bym\b\.?",
    re.IGNORECASE,
)
CHAR_FIXES = str.maketrans({"\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff", "\u2026": "...", "\u2044": "/"})
# Things that follow the source in database exports and web citations, never fields we keep.
JUNK_RE = re.compile(
    r"\[(?:PubMed|Google Scholar|CrossRef|Cross Ref|Ref list|PMC free article|Free full text|Abstract|"
    r"Full text|Europe PMC|Web of Science|DOI|Medline)[^\]]*\]"
    rf"|\[(?:cited|accessed|updated|last updated)[^\]]*\]"
    rf"|\(?\b(?:accessed|retrieved|cited|viewed|last (?:accessed|updated|modified))(?:\s+on)?\s*:?\s*"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH},?\s+{YEAR}|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{YEAR}"
    rf"|{MONTH},?\s+{YEAR}|{YEAR}[-/]\d{{1,2}}[-/]\d{{1,2}}|\d{{1,2}}[-/.]\d{{1,2}}[-/.]{YEAR}|{YEAR})\)?\.?"
    r"|\bEpub(?:\s+ahead\s+of\s+print)?\b[\s:]*(?:\d{4}[\s/-]*\d{0,2}[\s/-]*\d{0,2}|"
    rf"{YEAR}\s+{MONTH}(?:\s+\d{{1,2}})?)?\.?"
    r"|\[Epub ahead of print\]|\bPubMed\s+Central\b|\bPubMed\b|\bMEDLINE\b|\bPMCID\b\s*:?"
    r"|\bIS[SB]N(?:-1[03])?\s*:?\s*[\dXx][\dXx\- ]{6,}[\dXx](?:\s*\((?:Print|Electronic|Linking)\))?"
    r"|\(?(?:Print|Electronic|Linking)\)|\[pii\]|\bPII\s*:?\s*\S+|\bdoi\s*:\s*\S+"
    r"|\b(?:Erratum|Comment|Retraction|Corrected and republished) (?:in|on|for|of):?.*$"
    r"|\b(?:Available|Retrieved)(?:\s+(?:from|at|online))?\s*:?\s*$",
    re.IGNORECASE,
)
# Words (case-folded) one of which every JUNK_RE match contains: without them it is not run.
JUNK_HINTS = (
    "[", "accessed", "retrieved", "cited", "viewed", "last", "epub", "pubmed", "medline", "pmcid",
    "isbn", "issn", "print", "electronic", "linking", "pii", "doi", "erratum", "comment",
    "retraction", "corrected", "available",
)  # fmt: skip
# Only runs with a space inside ("65. . ;"): those are left by cut-out identifiers, whereas
# "M.C.," is written that way. Each run is read once (possessive) and then checked for a space:
# a run without one was backtracked over from each of its characters (quadratic).
PUNCT_RUN_RE = re.compile(r"[.;,:](?:\s*+[.;,:])*+")
SPACE_RE = re.compile(r"\s")
DATE_AFTER_AUTHORS_RE = re.compile(
    rf"\s*[.,]?\s*(?P<paren>\()?\s*(?P<year>{YEAR})[a-z]?(?:[,\s]+{MONTH}(?:\s*\d{{1,2}})?)?\s*"
    r"(?P<close>\))?(?P<dot>\s*[.,:])?"
    r"|\s*[.,]?\s*\(n\.\s?d\.\)(?P<nddot>\s*\.)?",
    re.IGNORECASE,
)
LABELLED_VOLUME_RE = re.compile(r"\bvol\.\s*\d|\bno\.\s*\d", re.IGNORECASE)
# An edition, or "Place: Publisher, Year": what books print after their title and volume.
BOOK_MARKS_RE = re.compile(
    r"\b\d+(?:st|nd|rd|th)\s+(?:rev\.\s+)?ed(?:ition|n)?\b"
    rf"|[A-Z][\w.' -]{{1,40}}:\s*[A-Z][^:;]{{1,60}},\s*{YEAR}",
    re.IGNORECASE,
)
# Journal clusters of styles that may print no article title (ACS, AIP/APS and Springer physics).
TITLE_OPTIONAL_SHAPES = ("acs", "physics")


def parse_reference(raw: str, *, n: int = 0, base_url: str | None = None) -> Reference:
    """Fields of one reference string; never raises, whatever the input."""
    raw = raw if isinstance(raw, str) else ""
    try:
        text = clean_text(raw)
        ref = tidy(_parse(raw, text, n, base_url))
    except Exception:  # a rule's bug must not lose the page: keep raw and identifiers
        log.exception("reference parser failed; keeping identifiers only (n=%s)", n)
        text = raw
        ref = tidy(_identifiers_only(raw, n, base_url))
    ref.confidence = confidence(ref, strip_number(text, 0)[0])
    return ref


def link_reference(
    title: str, href: str, *, n: int = 0, base_url: str | None = None, whole_citation: bool = False
) -> Reference:
    """An entry printed as one link whose text is the work's title (``<a href="https://doi.org/
    10.1001/jama.2013.129">Effect of corticosteroid injection...</a>``): the title is the text,
    the identifiers come from the link, and nothing else is guessed (no container from the
    host name). Link text that is a whole citation (``whole_citation``, as the finder judged it)
    is parsed as one, with the link after it."""
    title = clean_text(title if isinstance(title, str) else "")
    if whole_citation:
        return parse_reference(f"{title} {href}", n=n, base_url=base_url)
    try:
        ref = with_identifiers(title, n, find_spans(href, base_url))
    except Exception:  # a bad link must not lose the page
        log.exception("identifier finder failed on a link (n=%s)", n)
        ref = Reference(n=n, raw=title)
    ref.title = title.strip(" .") or None
    ref.url = ref.url or href
    ref.style = "url"
    ref = tidy(ref)
    ref.confidence = confidence(ref, title)
    return ref


# Every optional text field of an entry, read off the dataclass so that a new one is tidied too.
TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(Reference) if f.type == "str | None")


def tidy(ref: Reference) -> Reference:
    """One last guarantee for every field, whatever rule produced it: trimmed, and None when empty."""
    for name in TEXT_FIELDS:
        value = getattr(ref, name)
        if isinstance(value, str):
            setattr(ref, name, value.strip() or None)
    ref.authors = [a.strip() for a in ref.authors if a and a.strip()]
    return ref


def with_identifiers(raw: str, n: int, spans: list[Span]) -> Reference:
    """A Reference holding only what the identifier finder saw: the start of every parse."""
    return Reference(
        n=n,
        raw=raw,
        doi=first_value(spans, "doi"),
        pmid=first_value(spans, "pmid"),
        pmcid=first_value(spans, "pmcid"),
        url=reference_url(spans),
    )


def _identifiers_only(raw: str, n: int, base_url: str | None) -> Reference:
    try:
        spans = find_spans(clean_text(raw), base_url)
    except Exception:
        log.exception("identifier finder failed (n=%s)", n)
        spans = []
    return with_identifiers(raw, n, spans)


def fix_mojibake(text: str) -> str:
    """UTF-8 read as Latin-1 ("PÃ©clat" -> "Péclat"), common in scraped pages; else unchanged."""
    if not MOJIBAKE_RE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


def strip_markup(text: str) -> str:
    """Inline HTML tags removed (their text kept) and entities decoded ("&amp;" -> "&",
    "&#8211;" -> "–"); text without "<" or "&" is returned as it is."""
    if "<" in text:
        text = INLINE_TAG_RE.sub(lambda m: " " if m.group(0)[1:3].lower() == "br" else "", text)
    if "&" in text and ENTITY_RE.search(text):
        text = html.unescape(text)
    return text


def clean_text(raw: str) -> str:
    """NFC, no markup, control or invisible characters, single spaces, bounded length."""
    text = fix_mojibake(strip_markup(raw[: MAX_PARSE_CHARS * 2]))
    text = unicodedata.normalize("NFC", text).translate(CHAR_FIXES)
    text = INVISIBLE_RE.sub("", CONTROL_RE.sub(" ", text))
    return SPACES_RE.sub(" ", text).strip()[:MAX_PARSE_CHARS]


def strip_number(text: str, n: int) -> tuple[str, int]:
    """Drop a printed list number ("12.", "[12]", "(12)") and use it when ``n`` is unknown."""
    text = BULLET_RE.sub("", text)
    match = LEADING_NUMBER_RE.match(text)
    if not match:
        return text, n
    number = int(next(g for g in match.groups() if g))
    # "2011 National Population..." starts with a year, not a list number
    if match.group(4) and number > 300:
        return text, n
    return text[match.end() :], n if n > 0 else number


def remove_spans(text: str, spans: list[Span]) -> str:
    """The text with identifier spans and export junk cut out, punctuation runs tidied."""
    pieces = []
    pos = 0
    for span in spans:
        if span.start >= pos:
            pieces.append(text[pos : span.start])
            pieces.append(" . ")
            pos = span.end
    pieces.append(text[pos:])
    body = "".join(pieces)
    if has_hint(fold(body), JUNK_HINTS):
        body = JUNK_RE.sub(" . ", body)
    body = PUNCT_RUN_RE.sub(_first_if_spaced, body)
    body = SPACES_RE.sub(" ", body).strip(" .;,:")
    return body + "." if body else ""


def _first_if_spaced(match: re.Match[str]) -> str:
    """ "65. . ;" -> "." (a run with a space inside keeps its first mark); "M.C.," stays."""
    run = match.group(0)
    return run[0] if SPACE_RE.search(run) else run


def _parse(raw: str, text: str, n: int, base_url: str | None) -> Reference:
    text, n = strip_number(text, n)
    spans = find_spans(text, base_url)
    ref = with_identifiers(raw, n, spans)
    body = remove_spans(text, spans)
    if not any(ch.isalpha() for ch in body):  # a bare link or identifier
        ref.style = "url" if spans else None
        ref.container = site_name_from_url(ref.url) if ref.url else None
        return ref
    authors = parse_author_block(body)
    truncated = bool(authors.names) and (authors.et_al or _cut_short(text, authors.names))
    ref = _parse_rest(ref, text, body, authors)
    ref.authors_truncated = truncated and bool(ref.authors)
    return ref


def _cut_short(text: str, names: list[str]) -> bool:
    """An "et al." or an ellipsis among the names as printed (the parse's body has lost an
    ellipsis between names with the other punctuation runs): up to the last name's surname."""
    surname = names[-1].rsplit(" ", 1)[0]
    end = text.find(surname)
    return bool(TRUNCATED_RE.search(text, 0, end + len(surname) + 12 if end >= 0 else 0))


def _parse_rest(ref: Reference, text: str, body: str, authors: AuthorBlock) -> Reference:
    """What follows the names: date, title, container, source cluster, style."""
    pos = authors.end
    date = _date_after_authors(body, pos) if authors.names else None
    if date:
        pos = date.end()
    rest = body[pos:].strip(" .,;:")
    source = find_source(rest)
    journal_like = source is not None and (
        source.strong
        or is_journal_date(rest, source)
        or (bool(ref.doi) and is_journal_then_year(rest, source))
    )
    book_volume = journal_like and _book_volume(rest, source)
    if book_volume:
        journal_like = False
        ref.volume = source.volume
    if ref.url and not journal_like and not ref.doi:
        ref = web_reference(ref, authors, rest, date, text)
        # a page cited in a style that marks more than its names (quotes, a date after the names)
        style = name_style(_shapes(body, authors, date, None, rest, text))
        ref.style = style if style not in ("vancouver", "other") else "url"
        return ref
    region = rest[: source.start] if source and journal_like else rest
    commas = _comma_separated(authors, date)
    title_optional = commas or (journal_like and source.shape in TITLE_OPTIONAL_SHAPES)
    book_part = journal_like and not source.volume and not source.issue and bool(source.pages)
    ref.title, ref.container = split_title_container(
        region, journal_like, title_optional=title_optional, commas=commas, book_part=book_part
    )
    ref.authors = authors.names if authors.form != "organization" or ref.title else []
    if source and source.pages_or_year and date and date.group("year"):
        source.pages, source.year = source.pages_or_year, None  # "2006, Title, PASP, 118, 1711"
    if source and journal_like:
        ref.volume, ref.pages = source.volume, source.pages
        ref.issue, ref.issue_qualifier = split_issue(source.issue)
    ref.year = _year(date, source, rest)
    found_structure = authors.names or journal_like or date or region != rest
    shapes = _shapes(body, authors, date, source if journal_like else None, rest, text)
    ref.style = name_style(shapes) if found_structure else None
    return ref


def _book_volume(rest: str, source: Source) -> bool:
    """ "The Art of Computer Programming, vol. 1, 3rd ed. Reading, MA: Addison-Wesley, 1997": a
    labelled volume alone, before an edition or a publisher, is a book's, not a journal's."""
    alone = source.shape == "labels" and source.volume and not source.pages and not source.issue
    return bool(alone and BOOK_MARKS_RE.search(rest, source.start))


def _comma_separated(authors: AuthorBlock, date: re.Match[str] | None) -> bool:
    """Fields separated by commas: the names run on with a comma ("S. R. White, Phys. Rev.
    Lett. 69, 2863 (1992)"), or the date after them does ("Chabrier, G. 2003, PASP, 115, 763")."""
    if date:
        return (date.group("dot") or "").strip() == "," and not date.group("paren")
    return bool(authors.names) and not authors.hard


def _date_after_authors(body: str, pos: int) -> re.Match[str] | None:
    """ "(2019)." / ". 2015." / "(n.d.)" right after the names; a bare year must be closed."""
    date = DATE_AFTER_AUTHORS_RE.match(body, pos)
    if not date or not date.group(0).strip():
        return None
    if date.group("year") and not (date.group("close") or date.group("dot")):
        return None  # "GTEx Consortium. 2011 National Census ..." is a title starting with a year
    return date


def _year(date: re.Match[str] | None, source: Source | None, rest: str) -> int | None:
    if date and date.group("year"):
        return to_year(date.group("year"))
    if source and source.year:
        return source.year
    years = YEAR_RE.findall(rest)
    return to_year(years[-1]) if years else None


def _shapes(
    body: str, authors: AuthorBlock, date: re.Match[str] | None, source: Source | None, rest: str, text: str
) -> Shapes:
    """What the style is named from (``styles.name_style``)."""
    kind = None
    if date:
        paren = bool(date.group("paren") and date.group("close")) or date.group("nddot") is not None
        paren = paren or "(n" in date.group(0)
        mark = "." if date.group("nddot") else (date.group("dot") or "").strip()
        kind = date_kind(paren, mark)
    return Shapes(
        form=authors.form if authors.names else None,
        semicolons=";" in body[: authors.end],
        date=kind,
        source=source.shape if source else None,
        rest=rest,
        commas=_comma_separated(authors, date),
        text=text,
    )
