"""The "source" part of a reference: year, volume, issue and pages, and the title/container split.

Every style ends a journal reference with a run of numbers and punctuation that says where the
article is ("2017;20(2):15-25", "13(2), 137-172", "vol. 12, no. 3, 2019, pp. 45-67",
"15:87-114, 1992"). That run is found first, as a *cluster* of number-like tokens; the text
before it holds "Title. Journal", which ``split_title_container`` takes apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipelines.references.journals import (
    CONNECTIVES,
    is_journal_word,
)

# Years outside this range are volumes, page numbers or typos, not publication years.
MIN_YEAR = 1600
MAX_YEAR = date.today().year + 1
DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
YEAR = r"(?:1[6-9]\d\d|20\d\d)"
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Spring|Summer|Fall|Autumn|Winter)(?![a-z])\.?"
)
# A page, an e-locator ("e292", "S24") or an OUP article id ("afac205", "dyz123").
PAGE_NUM = r"(?:[A-Za-z]{1,2}\d+[A-Za-z]?|\d+[A-Za-z]?|[a-z]{3,4}\d{3,4})"
PAGES = rf"{PAGE_NUM}(?:\s*[{DASH}]+\s*{PAGE_NUM}(?:\.e\d+)?)?"  # Elsevier's "523-564.e27": e-pages too
VOL = r"\d+[A-Za-z]?"
# An issue in parentheses is never a date: "34 (Aug. 2015)" has no issue.
ISSUE = rf"(?![^()]*(?:{YEAR}|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s))[^()]{{1,25}}?"
SUPPL = r"(?:Suppl(?:ement)?\.?\s*\w*|Pt\.?\s*\d+)"
# One token of a source cluster: numbers, labels, months, (issue) groups.
ATOM = (
    rf"\b(?:{PAGE_NUM}(?![A-Za-z])|{MONTH}"  # (not "3" of "3rd ed.")
    r"|(?:vol|volume|no|nr|issue|iss|pp|p|pages?|suppl|supplement|pt|part|art|article)\b\.?)"
    # (a parenthesis of two capitalised words, "(Phila Pa 1976)", belongs to the journal's name)
    rf"|\((?![A-Z][a-z]+\.?\s+[A-Z])(?=[^()]{{0,30}}(?:\d|suppl))[^()]{{0,30}}\)|\[\d{{4}}\]"
)
CLUSTER_RE = re.compile(rf"(?:(?:{ATOM})|[\s;:,.{DASH}])+", re.IGNORECASE)

# Shapes of the numbers inside a cluster, most specific first.
YEAR_VOL_RE = re.compile(  # Vancouver / AMA: "2017;20(2):15-25", "1996; 24: 1163-1167", "2018 Jun 1;103(6)"
    rf"(?P<year>{YEAR})[a-z]?(?:\s+{MONTH}(?:\s*\d{{1,2}})?(?:\s*[{DASH}]\s*{MONTH}(?:\s*\d{{1,2}})?)?)?"
    # (the issue's own spacing is inside each alternative: "40 Suppl 14:S24-9" must not end at "40 ")
    rf"\s*;\s*(?P<vol>{VOL})?(?:\s*\((?P<issue>{ISSUE})\)|\s+(?P<issue2>{SUPPL})|\s*,(?P<issue3>\d{{1,3}})(?=\s*:))?"
    rf"(?:\s*:\s*(?P<pages>{PAGES})|\s*,\s*(?:pages|pp?\.?)\s*(?P<pages2>{PAGES}))?",
    re.IGNORECASE,
)
VOL_PAGES_RE = re.compile(  # "15:87-114", "179 (5):895-909", "370:20140330"
    rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*(?:\((?P<issue>{ISSUE})\)|\s(?P<issue2>{SUPPL}))?\s*:\s*(?P<pages>{PAGES})",
    re.IGNORECASE,
)
VOL_LABEL_RE = re.compile(r"\bvol(?:ume)?\.?\s*(?P<vol>\d+[A-Za-z]?)", re.IGNORECASE)
ISSUE_LABEL_RE = re.compile(
    r"\b(?:no|nr|issue|iss)\.?\s*(?P<issue>\d+[A-Za-z]?(?:\s*[-/]\s*\d+)?)", re.IGNORECASE
)
PAGES_LABEL_RE = re.compile(rf"\b(?:pp?|pages?)\.?\s*(?P<pages>{PAGES})", re.IGNORECASE)
ACM_RE = re.compile(  # ACM: "36, 3 (1988), 454-469"
    rf"(?<![\d({DASH}])(?P<vol>{VOL}),\s*(?P<issue>\d+)\s*\((?:{MONTH}\s*)?{YEAR}\),\s*(?P<pages>{PAGES})",
    re.IGNORECASE,
)
VOL_COMMA_PAGES_RE = re.compile(  # APA / Nature: "13(2), 137-172", "550, 204-213"
    rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*(?:\((?P<issue>{ISSUE})\))?\s*,\s*(?:pp?\.?\s*)?(?P<pages>{PAGES})(?![\d(])",
    re.IGNORECASE,
)
VOL_ISSUE_PAGES_RE = re.compile(  # CS: "35(8) 66-80", "43 59--69"
    rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*(?:\((?P<issue>{ISSUE})\))?\s+(?P<pages>{PAGE_NUM}\s*[{DASH}]+\s*{PAGE_NUM})",
    re.IGNORECASE,
)
VOL_YEAR_PAGES_RE = re.compile(  # "72 (1993), 2-23", "289 (1981) 123-125"
    rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*,?\s*\((?:{MONTH}\s*)?{YEAR}\)\s*[,:]?\s*(?:pp?\.?\s*)?(?P<pages>{PAGES})",
    re.IGNORECASE,
)
# biblatex: "148. 6. pp. 1293-1307", "33. 34 (Aug. 2015), pp. 4161-4164", "11. 10. R106"
BIBLATEX_RE = re.compile(
    rf"(?<![\w{DASH}])(?P<vol>\d+)\.\s?(?P<issue>\d+[A-Za-z]?)\b\.?\s*(?:\((?:{MONTH}\s*)?{YEAR}\))?\s*[.,]?\s*"
    rf"(?:(?:pp?\s?\.|pages)\s*(?P<pages>{PAGES})|(?P<pages2>(?!{YEAR}\b){PAGES})(?=\s*[.,]?\s*$))",
    re.IGNORECASE,
)
CHICAGO_RE = re.compile(  # Chicago: "47, no. 2 (1979): 263-91", "48, no. 7 (July 2022): 455-60"
    rf"(?<![\d{DASH}])(?P<vol>{VOL})\s*,\s*(?:no|nos|issue)\.?\s*(?P<issue>\d+[A-Za-z]?(?:\s*[{DASH}/]\s*\d+)?)\s*"
    rf"\((?:{MONTH}\s*(?:\d{{1,2}},?\s*)?)?(?P<year>{YEAR})\)(?:\s*:\s*(?P<pages>{PAGES}))?",
    re.IGNORECASE,
)
# A date printed out in words, outside parentheses: day-month-year, month-day-year, month-year.
PRINTED_DATE_RE = re.compile(
    rf"(?<![(\w])(?:\d{{1,2}}\s+{MONTH},?\s*|{MONTH}\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s*)?)(?P<year>{YEAR})\b(?!\))",
    re.IGNORECASE,
)
LABELLED_TAIL_PAGES_RE = re.compile(rf",\s*(?P<pages>(?!{YEAR}\b){PAGES})\s*\.?\s*$")
PAGES_WORD_RE = re.compile(r"\bpp?\.", re.IGNORECASE)
ACS_RE = re.compile(  # ACS: "J. Am. Chem. Soc. 2019, 141 (3), 1234-1240", "Science 2004, 306, 666"
    rf"(?<![\d{DASH}])(?P<year>{YEAR})[a-z]?\s*,\s*(?P<vol>{VOL})(?:\s*\((?P<issue>{ISSUE})\))?\s*,\s*"
    rf"(?:pp?\.?\s*)?(?P<pages>{PAGES})(?![\d(])",
    re.IGNORECASE,
)
ARTICLE_NUMBER_RE = re.compile(  # APA without a volume: "Cochrane Database Syst Rev, (7), CD000333."
    r"^[\s,]*(?:\((?P<issue>\d{1,3})\)\s*,\s*)?(?P<pages>[A-Z]{1,3}\d{4,}|e\d{4,})[\s.]*$"
)
VOL_ISSUE_RE = re.compile(rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*\((?P<issue>{ISSUE})\)", re.IGNORECASE)
PAGE_RANGE_RE = re.compile(  # APA proceedings without a volume: "Conference on AI, 433-439."
    rf"(?<![\d{DASH}/])(?!{YEAR}\s*[{DASH}]+\s*{YEAR}\b)(?P<pages>{PAGE_NUM}\s*[{DASH}]+\s*{PAGE_NUM})(?![\d{DASH}/])",
    re.IGNORECASE,
)
PHYSICS_RE = re.compile(  # AIP / APS: "54, 11169 (1996)"; Springer: "77(18), 3865-3868 (1996)"
    rf"(?<![\d({DASH}])(?P<vol>{VOL})\s*(?:\((?P<issue>{ISSUE})\))?\s*,\s*(?P<pages>{PAGES})\s*"
    rf"\((?:{MONTH}\s*)?(?P<year>{YEAR})\)",
    re.IGNORECASE,
)
SHAPES = (
    ACS_RE,
    VOL_PAGES_RE,
    ACM_RE,
    PHYSICS_RE,  # after ACM_RE: in "36, 3 (1988), 454-469" 3 is the issue
    BIBLATEX_RE,  # before VOL_YEAR_PAGES_RE: in "33. 34 (Aug. 2015), pp. 1-4" 34 is the issue
    VOL_YEAR_PAGES_RE,
    VOL_ISSUE_PAGES_RE,
    VOL_COMMA_PAGES_RE,
    VOL_ISSUE_RE,
    PAGE_RANGE_RE,
    ARTICLE_NUMBER_RE,
)
SHAPE_NAMES = {
    YEAR_VOL_RE: "vancouver",
    CHICAGO_RE: "chicago",
    ACS_RE: "acs",
    VOL_PAGES_RE: "vol_colon_pages",
    ACM_RE: "acm",
    PHYSICS_RE: "physics",
    BIBLATEX_RE: "biblatex",
    VOL_YEAR_PAGES_RE: "vol_year_pages",
    VOL_ISSUE_PAGES_RE: "vol_pages",
    VOL_COMMA_PAGES_RE: "vol_comma_pages",
    VOL_ISSUE_RE: "vol_issue",
    PAGE_RANGE_RE: "pages",
    ARTICLE_NUMBER_RE: "article_number",
}
LABEL_RE = re.compile(r"\b(?:vol|volume|vols|no|nos|nr|issue)\b\.?\s*\d", re.IGNORECASE)
MONTH_START_RE = re.compile(rf"\s{MONTH}(?=\s+{YEAR})", re.IGNORECASE)
YEAR_RE = re.compile(rf"(?<![\d{DASH}/])({YEAR})(?:[a-z]\b)?(?![\d{DASH}/])")
# "Journal. 2019 Jan 2;" with no volume yet (online first): still a journal date.
JOURNAL_DATE_RE = re.compile(rf"[\s.,]*{YEAR}[a-z]?(?:\s+{MONTH}(?:\s*\d{{1,2}})?)?\s*[;:]", re.IGNORECASE)

# "J Clin Periodontol" before a lone year: longer runs are titles, not journals.
MAX_JOURNAL_SEGMENT_WORDS = 6

# A sentence end; also a period glued to the next word after a lower-case letter or digit
# ("... nuclear morphology .Curr Opin", "at a glance.J Cell Sci") as copied from PDFs.
# Journals that start in lower case have a capital inside: "eLife", "bioRxiv", "iScience".
BOUNDARY_RE = re.compile(r"[.?!]\s+(?=[\"“‘'(\[]?[A-Z0-9]|[a-z]{1,4}[A-Z])|(?<=[a-z0-9)])\s?\.(?=[A-Z])")
# patterns used inside functions, compiled once
DASH_RUN_RE = re.compile(rf"\s*[{DASH}]+\s*")
GLUED_NUMBER_RE = re.compile(rf"[{DASH}]\d+[A-Za-z]?")
LETTER_DIGIT_RE = re.compile(r"(?<=[A-Za-z])\.?(?=\d)")
WORD_END_DOT_RE = re.compile(r"\.(?=\s|$)")


@dataclass(slots=True)
class Source:
    """A located cluster and what it says; ``start`` is where the container name ends."""

    start: int
    end: int
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    strong: bool = True  # has volume/pages structure, not only a year
    shape: str | None = None  # which printed form was read: a SHAPE_NAMES value, or "labels"
    pages_or_year: str | None = None  # "1(1), 1983": read as the year; the page if the year is elsewhere


def clean_pages(value: str | None) -> str | None:
    """Pages as written, with any dash as "-" and no spaces ("204 -213" -> "204-213")."""
    if not value:
        return None
    value = DASH_RUN_RE.sub("-", value.strip())
    return value or None


def to_year(value: str | None) -> int | None:
    """An int year inside the plausible range, else None."""
    if not value:
        return None
    year = int(value[:4])
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def analyse_cluster(text: str, start: int, end: int) -> Source | None:
    """Read year/volume/issue/pages from one cluster; None if it is not a source at all."""
    chunk = text[start:end]
    if not any(ch.isdigit() for ch in chunk):
        return None
    source = Source(start, end)
    used = _read_numbers(source, chunk)
    year = YEAR_RE.search(used)
    if source.year is None and year:
        source.year = to_year(year.group(1))
    source.strong = bool(source.volume or source.pages)
    if not source.strong and source.year is None:
        return None
    source.start = start + _lead(text, start, chunk)
    return source


def _read_numbers(source: Source, chunk: str) -> str:
    """Fill ``source`` from the first shape that fits; returns the chunk without what was read."""
    for shape in (YEAR_VOL_RE, CHICAGO_RE):  # shapes that carry their own date
        match = shape.search(chunk)
        if match and _fill(source, match):
            source.year = to_year(match.group("year"))
            source.shape = SHAPE_NAMES[shape]
            return _blank(chunk, match)
    chunk = _blank_dates(source, chunk)
    if LABEL_RE.search(chunk):
        source.shape = "labels"
        return _fill_labels(source, chunk)
    for shape in SHAPES:
        match = shape.search(chunk)
        if match and _fill(source, match):
            source.shape = SHAPE_NAMES[shape]
            used = _blank(chunk, match)
            if match.groupdict().get("year"):
                source.year = to_year(match.group("year"))
            if shape is VOL_COMMA_PAGES_RE and _pages_is_year(source, used):
                source.year, source.pages_or_year = to_year(source.pages), source.pages  # "1(1), 1983."
                source.pages = None
            elif shape is VOL_COMMA_PAGES_RE and _volume_is_year(source, match):
                source.year, source.volume = to_year(source.volume), None  # "Duke UP, 2003, pp. 123-51"
            return used
    source.shape = "labels"
    return _fill_labels(source, chunk)


def _blank_dates(source: Source, chunk: str) -> str:
    """A printed date ("March 25, 2020", "14 Oct. 2022", "Nov. 1998") gives the year and is
    spaced out, so that its day is not read as a volume nor its year as a page."""
    for match in PRINTED_DATE_RE.finditer(chunk):
        if source.year is None:
            source.year = to_year(match.group("year"))
        chunk = _blank(chunk, match)
    return chunk


def _volume_is_year(source: Source, match: re.Match[str]) -> bool:
    """ "2003, pp. 123-51": a year-like volume without an issue, before a pages label, is the year."""
    volume = source.volume or ""
    return bool(source.issue is None and YEAR_RE.fullmatch(volume) and PAGES_WORD_RE.search(match.group(0)))


def _lead(text: str, start: int, chunk: str) -> int:
    """Where the container name ends: at the cluster's first token, except that a number
    hyphenated onto the name ("IJCAI-95, 1088-1094") stays with the name."""
    lead = len(chunk) - len(chunk.lstrip(" ;:,."))
    month = MONTH_START_RE.match(chunk)
    if month and start > 0 and text[start - 1].isalpha():
        return month.end()  # "Sci Mar 2000;": a word of the journal name, not a month
    glued = GLUED_NUMBER_RE.match(chunk[lead:])
    if glued and lead == 0 and start > 0 and text[start - 1].isalnum():
        rest = chunk[glued.end() :]
        lead = glued.end() + len(rest) - len(rest.lstrip(" ;:,."))
    return lead


def _fill(source: Source, match: re.Match[str]) -> bool:
    groups = match.groupdict()
    volume = groups.get("vol")
    pages = groups.get("pages") or groups.get("pages2")
    issue = groups.get("issue") or groups.get("issue2") or groups.get("issue3")
    if not (volume or pages or issue):
        return False
    source.volume = volume
    source.issue = issue.strip() if issue else None
    source.pages = clean_pages(pages)
    return True


def _pages_is_year(source: Source, rest: str) -> bool:
    """A lone 4-digit "page" after a comma, in a cluster with no other year, is the year."""
    return bool(source.pages and YEAR_RE.fullmatch(source.pages) and not YEAR_RE.search(rest))


def _blank(chunk: str, match: re.Match[str]) -> str:
    """The chunk with the matched part spaced out, so its numbers are not read as the year."""
    return chunk[: match.start()] + " " * (match.end() - match.start()) + chunk[match.end() :]


def _fill_labels(source: Source, chunk: str) -> str:
    """ "Vol. 81, No. 5, pp. 730-744": each number by its label; returns the chunk without them."""
    for regex, attr in ((VOL_LABEL_RE, "volume"), (ISSUE_LABEL_RE, "issue"), (PAGES_LABEL_RE, "pages")):
        match = regex.search(chunk)
        if match:
            value = match.group(1)
            setattr(source, attr, clean_pages(value) if attr == "pages" else value)
            chunk = _blank(chunk, match)
    article = LABELLED_TAIL_PAGES_RE.search(chunk) if source.volume and not source.pages else None
    if article:  # MLA's article number after the date: "vol. 13, no. 11, 2021, 3945."
        source.pages = clean_pages(article.group("pages"))
        chunk = _blank(chunk, article)
    return chunk


def find_source(text: str) -> Source | None:
    """The last cluster with volume/pages structure, else the last one holding a year."""
    strong = weak = None
    for match in CLUSTER_RE.finditer(text):
        if match.end() - match.start() < 2 and not match.group(0).isdigit():
            continue
        source = analyse_cluster(text, match.start(), match.end())
        if source is None or source.start == 0:
            continue
        if source.strong:
            strong = source
        else:
            weak = source
    if strong and weak and weak.start > strong.end and strong.year is None:
        strong.year = weak.year  # "J Cell Biol, 179 (5):895-909, 2007" split by junk
    return strong or weak


def is_journal_date(text: str, source: Source) -> bool:
    """A year-only cluster shaped like a Vancouver journal date ("Metabolites. 2019 Jan 2;")."""
    return bool(JOURNAL_DATE_RE.match(text, source.start))


def is_journal_then_year(text: str, source: Source) -> bool:
    """ "Title. J Clin Periodontol. 2020." (online first, no volume yet): the year ends the
    reference and the sentence before it is made of journal words."""
    if source.strong or text[source.end :].strip(" .;,"):
        return False
    before = text[: source.start].rstrip()
    if not before.endswith("."):
        return False
    cut = list(BOUNDARY_RE.finditer(before[:-1]))
    segment = before[cut[-1].end() if cut else 0 : -1].split()
    if not segment or len(segment) > MAX_JOURNAL_SEGMENT_WORDS or len(cut) == 0:
        return False
    known = sum(1 for w in segment if is_journal_word(w))
    capitalised = all(w[0].isupper() or w.lower() in CONNECTIVES for w in segment)
    return capitalised and known * 2 >= len(segment)


# The issue number and NLM's qualifier around it, as in PubMed and Citing Medicine: "40(Suppl 14)"
# is issue 14, a supplement; "88(4 Pt 1)" issue 4, part 1; "47(RR-1)" the Recommendations and
# Reports issue 1. A part or a lettered supplement without a number has no issue number.
ISSUE_THEN_QUALIFIER_RE = re.compile(
    r"^(?P<num>\d+[A-Za-z]?)\s*,?\s*(?P<q>(?:Pt|Part|Suppl(?:ement)?)(?![a-z])\.?\s*[\w-]*)$", re.IGNORECASE
)
QUALIFIED_NUMBER_RE = re.compile(
    r"^(?P<q>Suppl(?:ement)?|RR)(?![a-z])\.?\s*-?\s*(?P<num>\d+[A-Za-z]?)$", re.IGNORECASE
)
QUALIFIER_ONLY_RE = re.compile(r"^(?:Suppl(?:ement)?|Pt|Part)(?![a-z])\.?\s*[\w-]*$", re.IGNORECASE)


def split_issue(issue: str | None) -> tuple[str | None, str | None]:
    """(issue number, qualifier) of a printed issue: "Suppl 14" -> ("14", "Suppl"),
    "4 Pt 1" -> ("4", "Pt 1"), "Pt 4" -> (None, "Pt 4"), "3" -> ("3", None)."""
    text = " ".join((issue or "").split())
    if not text:
        return None, None
    if match := ISSUE_THEN_QUALIFIER_RE.match(text):
        return match.group("num"), _qualifier(match.group("q"))
    if match := QUALIFIED_NUMBER_RE.match(text):
        return match.group("num"), _qualifier(match.group("q"))
    if QUALIFIER_ONLY_RE.match(text):
        return None, _qualifier(text)
    return text, None


def _qualifier(text: str) -> str:
    """ "Suppl." -> "Suppl", "pt1" -> "pt 1": the words as printed, spaced, without a final dot."""
    text = LETTER_DIGIT_RE.sub(" ", text.strip())
    return WORD_END_DOT_RE.sub("", text).strip()
