"""Links in reference lists: a list printed as links whose text is each work's title (no
heading, no citation text: Wix, HubSpot, Webflow and Weebly posts), and entries whose title links
to the study. The identifiers are in the href. Plain data out: ``find`` builds the block."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

# Where a study lives: DOI resolvers, PubMed and PMC, and the publishers and bodies clinic posts
# cite most; or any URL with a DOI in it. A link elsewhere (a shop, the clinic's own pages) is
# never a reference.
SCHOLARLY_URL = re.compile(
    r"^\s*https?://(?:[^/?#]*\.)?(?:doi\.org|ncbi\.nlm\.nih\.gov|nih\.gov|europepmc\.org|cochranelibrary\.com"
    r"|nejm\.org|thelancet\.com|bmj\.com|jamanetwork\.com|sciencedirect\.com|cell\.com|springer\.com"
    r"|biomedcentral\.com|wiley\.com|tandfonline\.com|sagepub\.com|nature\.com|oup\.com|lww\.com"
    r"|jospt\.org|mdpi\.com|frontiersin\.org|plos\.org|ahajournals\.org|acpjournals\.org|karger\.com"
    r"|cmaj\.ca|aafp\.org|annfammed\.org|jabfm\.org|thieme-connect\.com|physiotherapyjournal\.com"
    r"|who\.int|nice\.org\.uk|cdc\.gov|arxiv\.org|medrxiv\.org|biorxiv\.org|semanticscholar\.org)(?:[:/?#]|$)"
    r"|\b10\.\d{4,9}/",
    re.IGNORECASE | re.MULTILINE,
)
TITLE_MIN_WORDS = 4
OFFSITE_TITLE_MIN_WORDS = 6  # a link to an unlisted host needs more of a title's words
# what says an entry's text already carries its identifiers
IDENTIFIER_HINT = re.compile(r"\b10\.\d{4,9}/|\bPMID\b|\bPMC\d|https?://|www\.", re.IGNORECASE)


Entry = tuple[int | None, str]


def title_links(
    tree: lxml_html.HtmlElement, chrome: set[lxml_html.HtmlElement], site_host: str | None = None
) -> tuple[list[Entry], list[lxml_html.HtmlElement], dict[int, str]]:
    """(entries, their elements, entry index -> href) of a reference list printed as links whose
    text is each work's title, with no heading: blocks (a paragraph, a list item; lines split at
    <br>) holding nothing but such links. Each block holds a link to a scholarly host, or sits
    next to one that does and links off the site (``site_host``) with a title's worth of words
    (a journal not on the list: dovepress.com). Two links at least, so that one study linked
    from a sentence's own paragraph stays in the text. Only the blocks around scholarly links are
    looked at (most pages have none)."""
    # one regex pass over all the page's hrefs first: most pages have no such link
    if not SCHOLARLY_URL.search("\n".join(tree.xpath("//a/@href"))):
        return [], [], {}
    seeds: list[lxml_html.HtmlElement] = []
    for anchor in tree.iter("a"):
        if SCHOLARLY_URL.search(anchor.get("href") or ""):
            block = next(anchor.iterancestors("p", "li", "div"), None)
            if block is not None and block not in seeds:
                seeds.append(block)
    entries: list[Entry] = []
    elements: list[lxml_html.HtmlElement] = []
    links: dict[int, str] = {}
    for seed in seeds:
        if seed in elements or seed in chrome or any(a in elements for a in seed.iterancestors()):
            continue
        if not _only_title_links(seed, site_host, loose=False):
            continue
        for el in _run_around(seed, site_host):
            for title, href in _only_title_links(el, site_host, loose=True):
                links[len(entries)] = href
                entries.append((None, title))
            elements.append(el)
    return (entries, elements, links) if len(entries) >= 2 else ([], [], {})


def _run_around(seed: lxml_html.HtmlElement, site_host: str | None) -> list[lxml_html.HtmlElement]:
    """The seed block and the sibling blocks next to it, on both sides, that are title links
    too, in document order."""
    before = []
    for sibling in seed.itersiblings(preceding=True):
        if not isinstance(sibling.tag, str) or not _only_title_links(sibling, site_host, loose=True):
            break
        before.insert(0, sibling)
    after = []
    for sibling in seed.itersiblings():
        if not isinstance(sibling.tag, str) or not _only_title_links(sibling, site_host, loose=True):
            break
        after.append(sibling)
    return [*before, seed, *after]


def attach_links(entries: list[Entry], elements: list[lxml_html.HtmlElement], links: dict[int, str]) -> None:
    """An entry whose text names no DOI, PMID or URL but whose title (or any part) links to a
    study ("Smith J. <a href="https://doi.org/...">Title</a>. BMJ. 2019...") gets that link in
    ``links``: the identifiers are in the href."""
    anchors = [
        (" ".join(a.text_content().split()), a.get("href", "").strip())
        for element in elements
        for a in element.iter("a")
        if SCHOLARLY_URL.search(a.get("href") or "")
    ]
    if not anchors:
        return
    for i, (_, line) in enumerate(entries):
        if i in links or IDENTIFIER_HINT.search(line):
            continue
        for text, href in anchors:
            if len(text) >= 8 and text in line:
                links[i] = href
                break


def _only_title_links(
    block: lxml_html.HtmlElement, site_host: str | None, loose: bool
) -> list[tuple[str, str]]:
    """[(link text, href)] when the block's whole text is links, each with a title's worth of
    words, to scholarly hosts (``loose``: or to another site); else []."""
    anchors = [a for a in block.iter("a") if a.get("href")]
    if not anchors:
        return []
    texts = [_text(a) for a in anchors]
    if _text(block).replace(" ", "") != "".join(texts).replace(" ", ""):
        return []  # other words around the links: a sentence that cites, not a list
    links = []
    for text, anchor in zip(texts, anchors, strict=True):
        href = anchor.get("href", "").strip()
        words = len(text.split())
        scholarly = words >= TITLE_MIN_WORDS and SCHOLARLY_URL.search(href)
        elsewhere = loose and words >= OFFSITE_TITLE_MIN_WORDS and _offsite(href, site_host)
        if not (scholarly or elsewhere):
            return []
        links.append((text, href))
    return links


def _offsite(href: str, site_host: str | None) -> bool:
    """An absolute http(s) link to another site than the page's (its ``www.`` aside)."""
    host = (urlsplit(href).hostname or "") if href.startswith(("http://", "https://")) else ""
    return bool(host) and host.removeprefix("www.") != (site_host or "").removeprefix("www.")


def _text(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())
