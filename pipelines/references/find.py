"""Find an article's reference list in its HTML, take it out of the text, and parse it.

Two ways a list shows up on clinic blogs: under a heading ("References", "Sources:", a bold
"Citations" paragraph), or as an unlabelled run of citation-like lines after the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from pipelines.record import Reference
from pipelines.references.identifiers import DOI_RE, PMCID_RE, PMID_RE
from pipelines.references.links import attach_links, title_links
from pipelines.references.parse import link_reference, parse_reference

REFERENCE_HEADING = re.compile(
    r"^\s*(?:the\s+|our\s+|key\s+|scientific\s+|selected\s+|list\s+of\s+)?"
    r"(?P<word>references?|sources?|citations?|bibliography|works\s+cited|footnotes|reference\s+list"
    r"|research|studies|literature(?:\s+cited)?|further\s+reading|evidence)"
    r"(?:\s+(?:used|cited|and\s+further\s+reading)"
    # "Studies mentioned in this article:", "Sources cited in this post"
    r"|\s+(?:mentioned|cited|used|referenced|quoted|discussed)\s+in\s+(?:this|the)\s+(?:article|post|blog|page))?"
    r"\s*[:.]?\s*$",
    re.IGNORECASE,
)
# Words that name a reference list outright; the others ("Research", "Studies") also head
# ordinary sections, so their entries must look like citations before we believe them.
STRONG_HEADINGS = ("reference", "source", "citation", "bibliograph", "works", "footnote")
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt"})
BLOCK_TAGS = frozenset({"p", "div", "section", "ol", "ul", "li", "blockquote", "table", "dl", "figure"})
SKIP_ANCESTORS = frozenset({"nav", "aside", "footer", "header", "form", "script", "style", "noscript"})

# --- scoring one line -----------------------------------------------------------------------

VANCOUVER_TAIL = re.compile(
    r"\b(19|20)\d{2}[a-z]?(\s+\w{3}(\s+\d{1,2})?)?\s*;\s*\d+\s*(\(\s*[\w-]+\s*\))?\s*:\s*e?\d"
)
VOLUME_PAGES = re.compile(r"\b\d+\s*\(\s*[\w-]+\s*\)\s*[:,]\s*(pp?\.\s*)?e?\d+")
APA_YEAR = re.compile(r"\(\s*(19|20)\d{2}[a-z]?(,\s*[A-Z][a-z]+(\s+\d{1,2})?)?\s*\)\.?")
VANCOUVER_AUTHOR = re.compile(r"^[A-Z][\w'’-]+(\s[A-Z][\w'’-]+)?\s[A-Z]{1,3}[,.]")
APA_AUTHOR = re.compile(r"^[A-Z][\w'’-]+(\s[A-Z][\w'’-]+)?,\s(?:[A-Z]\.\s?)+")
YEAR = re.compile(r"\b(19|20)\d{2}\b")
URL = re.compile(r"https?://\S+|www\.\S+\.\w{2,}", re.IGNORECASE)
ACCESS_WORDS = re.compile(r"\b(retrieved|available|accessed)\b( from| at| on)?", re.IGNORECASE)
ET_AL = re.compile(r"\bet\.?\s+al\b", re.IGNORECASE)
PROSE = re.compile(r"\b(you|your|we|our|i|my|us)\b", re.IGNORECASE)
LEADING_NUMBER = re.compile(r"^\s*(?:\[(\d{1,3})\]|\((\d{1,3})\)|(\d{1,3})[.)](?!\d))\s*")

# A line needs this score to count as a citation in a list with a reference heading, and
# the stronger one without a heading, where an ordinary paragraph must never qualify.
CITATION_SCORE = 3
STRONG_CITATION_SCORE = 4
MIN_ENTRY_CHARS = 15
MAX_ENTRY_CHARS = 2000


def citation_score(line: str) -> int:
    """How much a line looks like a bibliographic reference (0 = not at all)."""
    if not MIN_ENTRY_CHARS <= len(line) <= MAX_ENTRY_CHARS:
        return 0
    score = 0
    if DOI_RE.search(line) or PMID_RE.search(line) or PMCID_RE.search(line):
        score += 3
    if VANCOUVER_TAIL.search(line) or VOLUME_PAGES.search(line):
        score += 3
    if APA_YEAR.search(line):
        score += 2
    if VANCOUVER_AUTHOR.match(line) or APA_AUTHOR.match(line):
        score += 2
    if ET_AL.search(line):
        score += 1
    if YEAR.search(line):
        score += 1
    if URL.search(line):
        score += 1
    if ACCESS_WORDS.search(line):
        score += 1
    if len(PROSE.findall(line)) >= 2:
        score -= 2
    return score


def looks_like_citation(line: str, strong: bool = False) -> bool:
    return citation_score(line) >= (STRONG_CITATION_SCORE if strong else CITATION_SCORE)


DIGIT = re.compile(r"\d")


def _may_be_strong(line: str) -> bool:
    """A cheap necessary condition for ``looks_like_citation(line, strong=True)``, so that the
    scoring regexes run on a third of a page's paragraphs, not all. Without a digit there is no
    identifier, year or volume/pages; author (2) + et al / URL / access words (1 each) can still
    reach the strong score, but only with et al or a URL (substring tests: lines are
    whitespace-normalised). Keep in step with ``citation_score``."""
    if DIGIT.search(line):
        return True
    low = line.lower()
    return "et al" in low or "et. al" in low or "http" in low or "www." in low


def is_reference_heading(text: str) -> bool:
    return len(text) <= 60 and bool(REFERENCE_HEADING.match(text))


# --- walking the HTML -----------------------------------------------------------------------


@dataclass(slots=True)
class ReferenceBlock:
    """Entries found in the page, as (number, text) pairs, and the elements that held them."""

    entries: list[tuple[int | None, str]] = field(default_factory=list)
    elements: list[lxml_html.HtmlElement] = field(default_factory=list)
    labelled: bool = False
    links: dict[int, str] = field(default_factory=dict)  # entry index -> href, for title links


def _text(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _lines(el: lxml_html.HtmlElement) -> list[str]:
    """Text lines of a block, split at <br> (a common way to stack citations in one <p>)."""
    if el.tag in ("ol", "ul"):
        return [t for li in el.xpath("./li") if (t := _text(li))]
    if next(el.iter("br"), None) is None:  # cheaper than an XPath call per paragraph
        text = _text(el)
        return [text] if text else []
    parts: list[str] = []
    current: list[str] = []

    def walk(node: lxml_html.HtmlElement) -> None:
        if node.tag == "br":
            parts.append(" ".join("".join(current).split()))
            current.clear()
        else:
            if isinstance(node.tag, str) and node.text:
                current.append(node.text)
            for child in node:
                walk(child)
        if node is not el and node.tail:
            current.append(node.tail)

    walk(el)
    parts.append(" ".join("".join(current).split()))
    return [p for p in parts if p]


# Everything inside nav/aside/footer/...: one XPath instead of an ancestor walk per element
# (the walk was most of the time this module took on a long page).
CHROME_DESCENDANTS = etree.XPath(" | ".join(f"//{tag}//*" for tag in sorted(SKIP_ANCESTORS)))


def _chrome_elements(tree: lxml_html.HtmlElement) -> set[lxml_html.HtmlElement]:
    return set(CHROME_DESCENDANTS(tree))


# The tags _heading_text and _inline_heading can accept.
CANDIDATE_TAGS = (*sorted(HEADING_TAGS), "p", "div", "span", "strong", "b", "em")
EMPHASIS = ("strong", "b", "span", "em")


HEADING_MAX_CHARS = 60  # a bold block or a "...:" line longer than this is not a heading


def _short_text(el: lxml_html.HtmlElement, limit: int) -> str | None:
    """``_text(el)`` when it is at most ``limit`` characters, else None, found without reading
    all of a long element: every container of the page is a candidate heading, and the text of
    the outer ones is the whole page. Non-space characters only add up, so once they pass the
    limit the collapsed text is longer too."""
    chunks = []
    solid = 0
    for chunk in el.itertext():
        chunks.append(chunk)
        solid += sum(map(len, chunk.split()))
        if solid > limit:
            return None
    text = " ".join("".join(chunks).split())
    return text if len(text) <= limit else None


def _heading_text(el: lxml_html.HtmlElement) -> str | None:
    """The text of a heading-like element: a real heading, or a short block that is all bold."""
    if not isinstance(el.tag, str):
        return None
    if el.tag in HEADING_TAGS:
        return _text(el)
    if el.tag in ("p", "div", "span", "strong", "b", "em"):
        if el.tag in ("span", "strong", "b", "em") and (el.tail or "").strip():
            return None  # a label inside a line ("<em>Source:</em> Supplied"), not a heading
        text = _short_text(el, HEADING_MAX_CHARS)
        if text is None:
            return None
        # a child loop, not el.xpath("./strong|..."): an XPath call per element cost more than the rest
        if el.tag in ("strong", "b") or any(c.tag in EMPHASIS for c in el):  # (at most 60 chars here)
            return text
        if text.endswith(":") and len(text) <= 40:
            return text
    return None


def _following_blocks(heading: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Blocks after a heading, climbing out of wrappers (page builders nest headings deeply)."""
    node = heading
    for _ in range(5):
        siblings = [s for s in node.itersiblings() if isinstance(s.tag, str)]
        if any(_text(s) for s in siblings):
            return siblings
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "article", "main"):
            return siblings
        node = parent
    return []


def _expand(block: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """A wrapper div of several paragraphs stands for its paragraphs."""
    if block.tag in ("div", "section") and block.xpath("./p|./ol|./ul|./div"):
        return [b for child in block if isinstance(child.tag, str) for b in _expand(child)]
    return [block]


def _is_heading_block(block: lxml_html.HtmlElement) -> bool:
    return block.tag in HEADING_TAGS or bool(block.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6"))


def _collect_labelled(heading: lxml_html.HtmlElement, strong_word: bool) -> ReferenceBlock | None:
    found = ReferenceBlock(labelled=True, elements=[heading])
    candidates = accepted = 0
    for block in (b for sib in _following_blocks(heading) for b in _expand(sib)):
        if _is_heading_block(block):
            break
        lines = _lines(block)
        if not lines:
            continue
        if block.tag not in ("ol", "ul") and all(len(line) < MIN_ENTRY_CHARS for line in lines):
            continue  # a stray "Text Us" between entries, not the end of the list
        block_entries = []
        for line in lines:
            candidates += 1
            # (the word count first: it decides most lines without scoring them)
            if len(line.split()) >= 4 or citation_score(line) >= (1 if strong_word else CITATION_SCORE):
                block_entries.append(line)
        if not block_entries or (not strong_word and not any(looks_like_citation(x) for x in block_entries)):
            break  # ordinary prose after the list: the list has ended
        accepted += len(block_entries)
        numbered = block.tag == "ol"
        start = int(block.get("start", "1")) if numbered and block.get("start", "1").isdigit() else 1
        for i, line in enumerate(block_entries):
            found.entries.append((start + i if numbered else None, line))
        found.elements.append(block)
    if not found.entries or accepted * 2 < candidates:
        return None
    if not any(looks_like_citation(line) for _, line in found.entries):
        return None  # paragraphs of prose after a "Sources" label: an article, not its references
    return found


def _inline_heading(block: lxml_html.HtmlElement) -> ReferenceBlock | None:
    """``<p><strong>References:</strong><br>1. ...<br>2. ...</p>``: heading and list in one block."""
    first = next((c for c in block if isinstance(c.tag, str)), None)
    if first is None or first.tag not in ("strong", "b") or (block.text or "").strip():
        return None
    if not is_reference_heading(_text(first)):
        return None
    lines = _lines(block)[1:]
    entries = [line for line in lines if len(line.split()) >= 4 or citation_score(line) >= 1]
    if not entries:
        return None
    return ReferenceBlock(entries=[(None, e) for e in entries], elements=[block], labelled=True)


def find_reference_blocks(tree: lxml_html.HtmlElement, url: str | None = None) -> ReferenceBlock:
    """Locate the reference list(s) of a page (at ``url``); the elements are not modified."""
    result = ReferenceBlock()
    claimed: set[lxml_html.HtmlElement] = set()
    chrome = _chrome_elements(tree)
    for el in tree.iter(*CANDIDATE_TAGS):  # other tags can be neither heading nor inline heading
        if el in claimed or el in chrome:
            continue
        text = _heading_text(el)
        block = None
        if text is not None and is_reference_heading(text):
            word = REFERENCE_HEADING.match(text).group("word").lower()
            block = _collect_labelled(el, strong_word=word.startswith(STRONG_HEADINGS))
        elif el.tag in ("p", "div"):
            block = _inline_heading(el)
        if block:
            result.labelled = True
            result.entries += block.entries
            result.elements += block.elements
            for element in block.elements:
                claimed.update(element.iter())
    if not result.entries:
        result = _unlabelled(tree, chrome)
    if not result.entries:
        entries, elements, links = title_links(tree, chrome, urlsplit(url or "").hostname)
        return ReferenceBlock(entries, elements, labelled=False, links=links)
    attach_links(result.entries, result.elements, result.links)
    return result


def _unlabelled(tree: lxml_html.HtmlElement, chrome: set[lxml_html.HtmlElement]) -> ReferenceBlock:
    """Paragraphs or list items whose every line is plainly a citation (no heading needed)."""
    found = ReferenceBlock()
    for el in tree.xpath("//p | //li | //div[not(.//p or .//div or .//li)]"):
        if el in chrome or (found.elements and any(a in found.elements for a in el.iterancestors())):
            continue
        lines = [line for line in _lines(el) if len(line) >= MIN_ENTRY_CHARS]
        if lines and all(_may_be_strong(line) and looks_like_citation(line, strong=True) for line in lines):
            found.entries += [(None, line) for line in lines]
            found.elements.append(el)
    return found


def number_entries(entries: list[tuple[int | None, str]]) -> list[tuple[int, str]]:
    """Use the printed number ("1.", "[2]", <ol> position) when there is one, else the position."""
    numbered = []
    for position, (n, line) in enumerate(entries, start=1):
        match = LEADING_NUMBER.match(line)
        if match:
            printed = next(g for g in match.groups() if g)
            line = line[match.end() :]
            n = n or int(printed)
        numbered.append((n or position, line.strip()))
    return numbered


def parse_entries(
    entries: list[tuple[int | None, str]], base_url: str | None = None, links: dict[int, str] | None = None
) -> list[Reference]:
    """Each entry parsed; ``links`` (entry index -> href) marks entries that are a title link."""
    links = links or {}
    return [
        link_reference(raw, links[i], n=n, base_url=base_url, whole_citation=looks_like_citation(raw))
        if i in links
        else parse_reference(raw, n=n, base_url=base_url)
        for i, (n, raw) in enumerate(number_entries(entries))
        if raw
    ]


def remove_elements(elements: list[lxml_html.HtmlElement]) -> None:
    """Take the list out of the tree so the extractor never sees it."""
    for el in elements:
        if el.getparent() is not None:
            el.drop_tree()
