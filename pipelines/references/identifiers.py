"""Find and normalise persistent identifiers and links in citation strings: DOI, PMID, PMCID, URL.

Identifiers are the most reliable part of a reference, so they are found first, normalised, and
their spans (label included: "doi:", "PMID:", "Available from:") are handed back so that the
field parser can cut them out before it looks for titles and journals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin

# Crossref's recommended pattern (/^10.\d{4,9}/[-._;()/:A-Z0-9]+$/i, which matches ~99.3% of
# registered DOIs), widened for what copy-and-paste does to DOIs: a stray space after "10." or
# around the first "/" ("doi: 10. 1093/jb/mvg083", "10.1038 /nature11247"), a space before a "/"
# inside the suffix ("10.1093/molbev /msu300"), and the <>[]# of old SICI-style DOIs.
_DOI_SUFFIX = r"(?:[-._;()/:a-z0-9<>\[\]#+]|\s(?=/))+"
DOI_RE = re.compile(r"\b10\s?\.\s?\d{4,9}\s?/\s?" + _DOI_SUFFIX, re.IGNORECASE)
# A DOI with its label or resolver prefix, so the whole thing can be cut out of the string.
DOI_SPAN_RE = re.compile(
    r"(?:\b(?:https?\s?:\s?//\s?)?(?:dx\.)?doi\.org/|\bdoi\s*:?\s*|\bdoi\s+)?" + DOI_RE.pattern,
    re.IGNORECASE,
)
PMID_RE = re.compile(
    r"\b(?:PubMed\s+)?PMID\s*:?\s*(\d{1,9})\b"
    r"|\bPubMed\s*(?:ID)?\s*:\s*(\d{4,9})\b"
    r"|pubmed(?:\.ncbi\.nlm\.nih\.gov|/)/?(\d{1,9})\b"
    r"|list_uids=(\d{1,9})\b",
    re.IGNORECASE,
)
PMCID_RE = re.compile(
    r"\b(?:PubMed\s*Central\s*)?(?:PMCID\s*:?\s*(?:PMC)*\s*(\d{4,9})|(?:PMC)+\s?(\d{4,9}))\b", re.IGNORECASE
)
URL_RE = re.compile(
    r"(?:\bhttps?\s?:\s?//|\bwww\.)[^\s\"'\u201c\u201d]+|\bhttps?\s?:\s?//\s[^\s<>\"]+", re.IGNORECASE
)
# A link printed without its scheme, as MLA prints them ("www.jstor.org/stable/1914185",
# "bits.blogs.nytimes.com/2013/04/28/x/"): a host name with a common top-level domain, then a path.
SCHEMELESS_URL_RE = re.compile(
    r"(?<![\w@/.:-])(?<!\.\s)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}"  # (not "nso. gov.pg/")
    r"(?:com|org|net|edu|gov|int|mil|info|io|[a-z]{2})/[^\s\"'<>\u201c\u201d]*"
)
# An arXiv identifier ("arXiv:1706.03762", "arXiv:astro-ph/9905116v2"): cut out like a DOI.
ARXIV_RE = re.compile(
    r"\barXiv\s?:\s?(?:\d{4}\.\d{4,5}|[a-z-]{2,20}(?:\.[A-Z]{2})?/\d{7})(?:v\d{1,3})?", re.IGNORECASE
)
URL_LABEL_RE = re.compile(
    r"(?:\b(?:available\s+(?:from|at|online)(?:\s+at)?|retrieved\s+from|accessed\s+(?:at|from)|url|"
    r"link|online|full\s+text|web)\s*:?\s*|<)$",
    re.IGNORECASE,
)
# A relative link only counts after a label saying it is one ("Available from: /guides/x.pdf").
RELATIVE_URL_RE = re.compile(
    r"\b(?:available\s+(?:from|at|online)|retrieved\s+from|url|link)\s*:?\s*(?P<url>\.{0,2}/[^\s\"'<>]+)",
    re.IGNORECASE,
)
# Resolver hosts: a link to one of these is an identifier, not "the URL of the reference".
DOI_HOST_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/", re.IGNORECASE)
TRAILING_PUNCT = ".,;:)]}>'\"\u201d\u2019"
# What export tools glue onto a DOI: "10.1038/nm.2234[doi]", "...science.1193063.PMID:20847271".
DOI_GLUED_TAIL_RE = re.compile(
    r"(?:\[(?:doi|pii|pubmed|crossref)\]|\.?(?:pmid|pmcid|pubmed|epub|available|https?|url|issn)\b).*$",
    re.IGNORECASE,
)


# patterns used inside functions, compiled once
SPACES_RE = re.compile(r"\s+")
DOI_SHAPE_RE = re.compile(r"10\.\d{4,9}/.")
SPACED_SCHEME_RE = re.compile(r"^(https?)\s?:\s?//\s?", re.IGNORECASE)
ABSOLUTE_URL_RE = re.compile(r"^https?://[^/\s]+\.[^/\s]+", re.IGNORECASE)
ANY_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
HTTP_BASE_RE = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    """Where an identifier (with its label) sits in the string, and its normalised value."""

    start: int
    end: int
    kind: str  # doi | pmid | pmcid | url | arxiv
    value: str


def _strip_unbalanced(value: str) -> str:
    """Trailing punctuation off, but keep a closing bracket the identifier itself opened."""
    while value and value[-1] in TRAILING_PUNCT:
        last = value[-1]
        if last == ")" and value.count("(") >= value.count(")"):
            break
        if last == "]" and value.count("[") >= value.count("]"):
            break
        if last == ">" and value.count("<") >= value.count(">"):
            break
        value = value[:-1]
    return value


def normalize_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, "doi:" label, spaces or trailing punctuation."""
    if not value:
        return None
    match = DOI_RE.search(unquote(value) if "%" in value else value)
    if not match:
        return None
    doi = SPACES_RE.sub("", match.group(0)).lower()
    doi = _strip_unbalanced(DOI_GLUED_TAIL_RE.sub("", doi))
    return doi if DOI_SHAPE_RE.match(doi) else None


def find_doi(text: str) -> str | None:
    """The first DOI in ``text``, normalised, or None."""
    return normalize_doi(text)


def find_pmid(text: str) -> str | None:
    """A PMID from "PMID: 123", "PubMed: 123" or a PubMed URL, digits only."""
    match = PMID_RE.search(text)
    if not match:
        return None
    digits = next(g for g in match.groups() if g)
    return digits.lstrip("0") or None


def find_pmcid(text: str) -> str | None:
    """A PMCID as "PMC" + digits (also from "PMCID: 123" without the PMC prefix)."""
    match = PMCID_RE.search(text)
    if not match:
        return None
    return "PMC" + (match.group(1) or match.group(2))


def normalize_url(value: str, base_url: str | None = None) -> str | None:
    """An absolute URL without wrapping punctuation, or None when it cannot be made absolute."""
    url = SPACED_SCHEME_RE.sub(r"\1://", value.strip())
    url = _strip_unbalanced(url.lstrip("<("))
    if not url:
        return None
    if url.lower().startswith("www."):
        url = "http://" + url
    elif SCHEMELESS_URL_RE.fullmatch(url):
        url = "https://" + url
    if ABSOLUTE_URL_RE.match(url):
        return url
    if ANY_SCHEME_RE.match(url):
        return None  # a scheme but no host ("http://"): nothing to resolve
    if base_url and HTTP_BASE_RE.match(base_url):
        return urljoin(base_url, url)
    return None


# Words each pattern needs (case-folded): a string without them cannot match, so the pattern,
# slow over a whole string with its case-insensitive alternations, is not run at all.
URL_HINTS = ("http", "www.")
RELATIVE_URL_HINTS = ("available", "retrieved", "url", "link")
DOI_HINT_RE = re.compile(r"10\s?\.")
PMID_HINTS = ("pmid", "pubmed", "list_uids")
PMCID_HINTS = ("pmc",)


def find_spans(text: str, base_url: str | None = None) -> list[Span]:
    """All identifier and link spans, in order of position, labels included."""
    spans: list[Span] = []
    folded = fold(text)
    if has_hint(folded, URL_HINTS):
        _url_spans(text, spans, base_url)
    if "/" in text:
        _schemeless_spans(text, spans)
    if "arxiv" in folded:
        for match in ARXIV_RE.finditer(text):
            if not _inside(spans, match.start()):
                spans.append(Span(match.start(), match.end(), "arxiv", match.group(0)))
    if base_url and has_hint(folded, RELATIVE_URL_HINTS):
        for match in RELATIVE_URL_RE.finditer(text):
            url = normalize_url(match.group("url"), base_url)
            if url and not _inside(spans, match.start("url")):
                spans.append(Span(match.start(), match.end(), "url", url))
    if DOI_HINT_RE.search(text):
        _doi_spans(text, spans)
    if has_hint(folded, PMID_HINTS):
        for match in PMID_RE.finditer(text):
            if not _inside(spans, match.start()):
                digits = next(g for g in match.groups() if g).lstrip("0")
                if digits:
                    spans.append(Span(match.start(), match.end(), "pmid", digits))
    if has_hint(folded, PMCID_HINTS):
        for match in PMCID_RE.finditer(text):
            if not _inside(spans, match.start()):
                spans.append(
                    Span(match.start(), match.end(), "pmcid", "PMC" + (match.group(1) or match.group(2)))
                )
    spans.sort(key=lambda s: s.start)
    return spans


def fold(text: str) -> str:
    """The text case-folded so that every character a case-insensitive ``re`` pattern matches to
    an ASCII letter becomes that letter ("ſ" -> "s", "K" -> "k", also "ı" and "İ" -> "i"):
    a hint word missing from it cannot be matched by the pattern."""
    folded = text.casefold()
    if "\u0131" in folded or "\u0307" in folded:
        folded = folded.replace("i\u0307", "i").replace("\u0131", "i")
    return folded


def has_hint(folded: str, hints: tuple[str, ...]) -> bool:
    """Whether the folded text (``fold``) holds one of a pattern's hint words."""
    return any(hint in folded for hint in hints)


def _url_spans(text: str, spans: list[Span], base_url: str | None) -> None:
    for match in URL_RE.finditer(text):
        url = normalize_url(match.group(0), base_url)
        if url:
            start = _label_start(text, match.start())
            spans.append(Span(start, match.start() + len(match.group(0).rstrip(TRAILING_PUNCT)), "url", url))


def _schemeless_spans(text: str, spans: list[Span]) -> None:
    for match in SCHEMELESS_URL_RE.finditer(text):
        if _inside(spans, match.start()) or DOI_RE.match(text, match.start()):
            continue
        value = match.group(0).rstrip(TRAILING_PUNCT)
        url = normalize_url(value)
        if url:
            spans.append(Span(_label_start(text, match.start()), match.start() + len(value), "url", url))


def _doi_spans(text: str, spans: list[Span]) -> None:
    for match in DOI_SPAN_RE.finditer(text):
        doi = normalize_doi(match.group(0))
        if doi and not _inside(spans, match.start()):
            glued = DOI_GLUED_TAIL_RE.search(match.group(0), match.group(0).lower().find("10"))
            end = match.start() + glued.start() if glued else match.end()
            spans.append(Span(match.start(), end, "doi", doi))


def first_value(spans: list[Span], kind: str) -> str | None:
    """The value of the first span of that kind; for DOIs and PMIDs, links count too."""
    for span in spans:
        if span.kind == kind:
            return span.value
    if kind in ("doi", "pmid", "pmcid"):
        finder = {"doi": find_doi, "pmid": find_pmid, "pmcid": find_pmcid}[kind]
        for span in spans:
            if span.kind == "url":
                found = finder(span.value)
                if found:
                    return found
    return None


def reference_url(spans: list[Span]) -> str | None:
    """The first link that is not just a DOI resolver link (the DOI field already holds that)."""
    for span in spans:
        if span.kind == "url" and not DOI_HOST_RE.match(span.value):
            return span.value
    return None


def _label_start(text: str, start: int) -> int:
    """Move a URL span's start back over its label ("Available from: ", "URL ", "<")."""
    window = text[max(0, start - 40) : start]
    label = URL_LABEL_RE.search(window)
    return start - (len(window) - label.start()) if label else start


def _inside(spans: list[Span], pos: int) -> bool:
    return any(span.start <= pos < span.end for span in spans)
