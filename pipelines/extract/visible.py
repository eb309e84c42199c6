"""Metadata read off the visible page, for what no tag states: the site's name (title suffix,
logo, copyright line), a "Last updated" line, the calendar day a page shows, credentials beside
an author's name, the author and date trafilatura's own readers find (its byline rules, but not
a byline of another post's teaser card; htmldate), and, as a last resort the record marks, a
relative date ("3 days ago"). Called by ``read_metadata`` (pipelines/extract/metadata.py) after
the tag readers, and by ``extract_article`` for the relative date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from pipelines.extract.maintext import words_key
from pipelines.record import clean_url, is_credential, iso_date, parse_author, parse_date, parse_datetime

if TYPE_CHECKING:
    from pipelines.extract.metadata import PageMeta

# "Last updated February 2, 2024", "Updated on: 3/14/2024", "Medically reviewed on ..."
UPDATE_LINE = re.compile(
    r"^(?:last\s+)?(?:updated|modified|reviewed)(?:\s+on)?\s*:?\s*(.{6,40})$"
    r"|^(?:medically\s+)?reviewed\s+on\s*:?\s*(.{6,40})$",
    re.IGNORECASE,
)
UPDATE_TEXT = "//body//text()[contains(., 'pdated') or contains(., 'odified') or contains(., 'eviewed')]"
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def visible_update_date(tree: lxml_html.HtmlElement, html: str = "") -> str | None:
    """The date of a visible "Last updated ..." line: CMSs without a modified-date field show it
    as text. A hidden one (Webflow's ``w-condition-invisible`` on an empty field) does not count.
    ``html``, the page source, lets a page without those words skip the search of its text."""
    if html and not any(word in html for word in ("pdated", "eviewed", "odified")):
        return None
    for match in _visible_lines(tree, UPDATE_TEXT, UPDATE_LINE):
        day = iso_date(match.group(1) or match.group(2))
        if day:
            return day
    return None


# "3 days ago", "an hour ago", "yesterday": what Wix and social-style themes show instead of a date.
# Months and years are left alone ("2 years ago" could be any day of a year).
RELATIVE_DATE = re.compile(
    r"^(?:(?:posted|published|updated)\s+)?(?:(?P<n>\d{1,3}|an?|one)\s+(?P<unit>min(?:ute)?s?|hours?|hrs?|days?|weeks?)"
    r"\s+ago|(?P<word>today|yesterday))\.?$",
    re.IGNORECASE,
)
RELATIVE_TEXT = "//body//text()[contains(., 'ago') or contains(., 'esterday') or contains(., 'oday')]"
UNIT_DAYS = {"m": 0, "h": 0, "d": 1, "w": 7}


def relative_day(tree: lxml_html.HtmlElement, fetched_at: str) -> tuple[str, str] | None:
    """(YYYY-MM-DD, the words) of the first visible relative date ("3 days ago"), counted back
    from ``fetched_at``: only where a page gives no date at all, and marked as such in the record
    (``published_relative``), as the day is the fetch's, not the page's."""
    fetched = parse_datetime(fetched_at)
    if fetched is None:
        return None
    for match in _visible_lines(tree, RELATIVE_TEXT, RELATIVE_DATE):
        if match.group("word"):
            back = 1 if match.group("word").lower() == "yesterday" else 0
        else:
            n = match.group("n").lower()
            count = 1 if n in ("a", "an", "one") else int(n)
            back = count * UNIT_DAYS[match.group("unit")[0].lower()]
            if match.group("unit")[0].lower() == "h" and count > fetched.hour:
                back = 1  # "5 hours ago" at 2 am: yesterday
        return (fetched.date() - timedelta(days=back)).isoformat(), match.string
    return None


def _visible_lines(
    tree: lxml_html.HtmlElement, xpath: str, pattern: re.Pattern[str]
) -> Iterator[re.Match[str]]:
    """``pattern`` matched on the whole text of each visible element holding a text node that
    ``xpath`` selects (a cheap ``contains()`` pre-filter), in document order."""
    for node in tree.xpath(xpath):
        element = node.getparent()
        if element is None or element.tag in ("script", "style", "title", "meta"):
            continue
        match = pattern.match(" ".join(element.text_content().split()))
        if match and not _hidden(element):
            yield match


def shown_day(tree: lxml_html.HtmlElement, published: str) -> str:
    """A UTC timestamp ("2023-10-17T22:00:00+00:00", what Yoast writes for 8 am in Brisbane)
    falls on the day before or after the one the page itself shows ("<time>18 October 2023</time>"):
    the day shown is the day it was published where it was written."""
    stamp = parse_datetime(published)
    if stamp is None or stamp.tzinfo is None or stamp.utcoffset() != timedelta(0) or len(published) <= 10:
        return published
    first = next(iter(tree.xpath("//body//time[normalize-space(.)]")), None)
    shown = parse_date(" ".join(first.text_content().split())) if first is not None else None
    if shown is not None and abs((shown - stamp.date()).days) == 1:
        return shown.isoformat()
    return published


def _hidden(element: lxml_html.HtmlElement) -> bool:
    for el in (element, *element.iterancestors()):
        if el.get("hidden") is not None or el.get("aria-hidden") == "true":
            return True
        if HIDDEN.search(el.get("style") or "") or any(
            c.endswith(("invisible", "hidden")) for c in (el.get("class") or "").split()
        ):
            return True
    return False


TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", " • ")
COPYRIGHT = re.compile(  # "© 2024 Cedar Hill Family Practice. All rights reserved."
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?"
    r"([A-Z][^©|\n]{2,60}?)\s*(?:\.|,|\||all rights|$)",
    re.IGNORECASE,
)
HOME_LOGO = "//a[@href='/' or @href='./' or @href='index.html']//img/@alt | //header//a//img/@alt"


def site_name_from_page(tree: lxml_html.HtmlElement, meta: PageMeta) -> str | None:
    """The site's name when no tag states it (Webflow and HubSpot emit no og:site_name): the
    <title>'s suffix after the page's own title ("Vitamin D ... | Maple Grove Family Health"),
    else the logo's alt text on the link home, else the copyright line's holder."""
    page_titles = {words_key(t) for t in (meta.title, meta.h1) if t}
    for sep in TITLE_SEPARATORS:
        head, found, tail = (meta.html_title or "").rpartition(sep)
        if found and head and tail and words_key(head) in page_titles and 1 <= len(tail.split()) <= 8:
            return tail.strip()
    for alt in tree.xpath(
        "//a[@href='/' or @href='./' or @href='index.html']//img/@alt | //header//a//img/@alt"
    ):
        alt = re.sub(r"\s+logo$", "", " ".join(alt.split()), flags=re.IGNORECASE)
        if 2 <= len(alt.split()) <= 8 and alt.casefold() not in ("logo", "home"):
            return alt
    footer = " ".join(" ".join(tree.xpath("//footer//text()")).split())
    match = COPYRIGHT.search(footer)
    return match.group(1).strip() if match and 1 <= len(match.group(1).split()) <= 8 else None


ORGANISATION_WORD = re.compile(
    r"\b(clinic|clinics|chiropractic|chiro|dental|dentistry|physio|physiotherapy|therapy|therapies|health"
    r"|healthcare|medical|medicine|centre|center|wellness|practice|group|hospital|associates|rehab"
    r"|rehabilitation|care|pharmacy|studio|institute|team|inc|llc|ltd|pllc|pc|co)\b",
    re.IGNORECASE,
)


def credentials_near_names(html: str, meta: PageMeta) -> None:
    """The credentials the page prints beside an author's name ("Dr. Amara Okafor, MD, CCFP"),
    for an author named without them (JSON-LD's "name": "Amara Okafor") or with only some (a
    fallback that split "PT" off): the longer run wins. Read from the page source, where a byline
    is one run of text (str.find and a match at each place the name occurs: ~0.02 ms; joining
    the page's text nodes cost ~0.8)."""
    for i, author in enumerate(meta.authors):
        parsed = parse_author(author)
        if parsed is None or len(parsed[0].split()) < 2:
            continue
        name, known = parsed
        best: list[str] = []
        start = html.find(name)
        while start != -1:
            match = CREDENTIAL_RUN.match(html, start + len(name))
            if match:
                tokens = [t.strip(" .") for t in match.group(1).replace(",", " ").split()]
                found = [t for t in tokens if t and is_credential(t)]
                best = found if len(found) > len(best) else best
            start = html.find(name, start + len(name))
        if len(best) > len(known) and set(known) <= set(best):
            meta.authors[i] = ", ".join([name, *best])


def fill_missing(tree: lxml_html.HtmlElement, meta: PageMeta, url: str | None) -> None:
    """An author or a publication date our readers did not find, from trafilatura's metadata
    readers: its byline XPaths (dozens of CMS and newspaper conventions) and htmldate, which
    reads dates from URLs, visible text in many formats and languages, and attributes. They cost
    ~10-30 ms a page, so they run only for what is missing (clinic posts with JSON-LD skip them).
    Both work on copies of the tree."""
    from trafilatura import metadata as trafilatura_metadata  # loaded lazily, as in maintext.py

    if not meta.authors:
        try:
            author = trafilatura_metadata.extract_author(tree)
        except Exception:  # noqa: BLE001 (a bug in a fallback must not lose the page)
            author = None
        authors = _rejoin_credentials(author.split(";")) if author else []
        authors = [a for a in authors if not _only_in_teasers(tree, a, url)]
        if authors:
            meta.authors = authors
            meta.guessed.add("authors")
    if not meta.published:
        for extensive in (False, True):  # the quick search first: the full one costs ~30 ms
            try:
                options = trafilatura_metadata.set_date_params(extensive) | {"url": url}
                meta.published = trafilatura_metadata.find_date(tree, **options)
            except Exception:  # noqa: BLE001
                meta.published = None
            if meta.published and meta.published.endswith("-01-01"):
                meta.published = None  # a year alone ("© 2024") made into a date: no date
            if meta.published:
                break
        if meta.published:
            meta.guessed.add("published")


# ", MD, CCFP" right after a name, up to the end of that run of text: up to five credentials
# after the name, perhaps outside the link or emphasis around it ("<a>Dr. Ana Silva</a>, PT, DPT")
CREDENTIAL_RUN = re.compile(
    r"(?:\s*</(?:a|span|strong|b|em|i)>){0,3}\s*,\s*([A-Z][A-Za-z./-]{1,9}(?:\s*,\s*[A-Z][A-Za-z./-]{1,9}){0,4})\s*(?=<|$|\n)"
)


TEASER_LINK = etree.XPath(".//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href]")
TEASER_LEVELS = 3


def _only_in_teasers(tree: lxml_html.HtmlElement, author: str, url: str | None) -> bool:
    """Whether every place the page names this author is a teaser of another post (a "related
    posts" card: a heading that links to another page than ``url``, with its own byline): a
    byline the fallback found there belongs to that other post. (A link alone proves nothing:
    bylines often link to the author's page.)"""
    parsed = parse_author(author)
    name = parsed[0] if parsed else author
    places = [t.getparent() for t in tree.xpath("//body//text()[contains(., $name)]", name=name)]
    places = [p for p in places if p is not None and p.tag not in ("script", "style", "noscript", "template")]
    if not places:
        return False
    here = clean_url(url or "") if url else None
    for place in places:
        chain = [place, *place.iterancestors()][: TEASER_LEVELS + 1]
        links = (clean_url(a.get("href", ""), url) for el in chain for a in TEASER_LINK(el))
        if not any(link and link != here for link in links):
            return False
    return True


def _rejoin_credentials(parts: list[str]) -> list[str]:
    """trafilatura separates authors with ";" and splits "Dr Jane Doe, DPT" the same way
    ("Dr Jane Doe; DPT"): a part that is only credentials goes back to the name before it."""
    authors: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if authors and all(is_credential(token) for token in part.replace(",", " ").split()):
            authors[-1] = f"{authors[-1]}, {part}"
        else:
            authors.append(part)
    return authors
