"""Links in reference lists: a list printed as links whose text is each work's title (no
heading, no citation text: Wix, HubSpot, Webflow and Weebly posts), and entries whose title links
to the study. The identifiers are in the href. Plain data out: ``find`` builds the block."""

from __future__ import annotations

import re

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
# what says an entry's text already carries its identifiers
IDENTIFIER_HINT = re.compile(r"\b10\.\d{4,9}/|\bPMID\b|\bPMC\d|https?://|www\.", re.IGNORECASE)


Entry = tuple[int | None, str]


def title_links(
    tree: lxml_html.HtmlElement, chrome: set[lxml_html.HtmlElement]
) -> tuple[list[Entry], list[lxml_html.HtmlElement], dict[int, str]]:
    """(entries, their elements, entry index -> href) of a reference list printed as links whose
    text is each work's title, with no heading: blocks (a paragraph, a list item; lines split at
    <br>) holding nothing but such links to scholarly hosts. Two links at least, so that one
    study linked from a sentence's own paragraph stays in the text. Only the blocks around
    scholarly links are looked at (most pages have none)."""
    # one regex pass over all the page's hrefs first: most pages have no two such links
    if len(SCHOLARLY_URL.findall("\n".join(tree.xpath("//a/@href")))) < 2:
        return [], [], {}
    blocks: list[lxml_html.HtmlElement] = []
    for anchor in tree.iter("a"):
        if SCHOLARLY_URL.search(anchor.get("href") or ""):
            block = next(anchor.iterancestors("p", "li", "div"), None)
            if block is not None and block not in blocks:
                blocks.append(block)
    entries: list[Entry] = []
    elements: list[lxml_html.HtmlElement] = []
    links: dict[int, str] = {}
    for el in blocks:
        if el in chrome or any(a in elements for a in el.iterancestors()):
            continue
        found = _only_title_links(el)
        for title, href in found:
            links[len(entries)] = href
            entries.append((None, title))
        if found:
            elements.append(el)
    return (entries, elements, links) if len(entries) >= 2 else ([], [], {})


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


def _only_title_links(block: lxml_html.HtmlElement) -> list[tuple[str, str]]:
    """[(link text, href)] when the block's whole text is links to scholarly hosts, each with a
    title's worth of words; else []."""
    anchors = [a for a in block.iter("a") if a.get("href")]
    if not anchors:
        return []
    texts = [_text(a) for a in anchors]
    if _text(block).replace(" ", "") != "".join(texts).replace(" ", ""):
        return []  # other words around the links: a sentence that cites, not a list
    links = []
    for text, anchor in zip(texts, anchors, strict=True):
        href = anchor.get("href", "").strip()
        if len(text.split()) < TITLE_MIN_WORDS or not SCHOLARLY_URL.search(href):
            return []
        links.append((text, href))
    return links


def _text(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())
