"""The main text of a page: chrome pruned from the tree, then trafilatura picks the body.

Measured on the article-extraction benchmark (``bench/extraction.py``): trafilatura's fast mode
(no readability/jusText comparison) is both quicker and, after our pruning, as accurate as the
full cascade, except on pages where it returns a menu; those get the full cascade.
"""

from __future__ import annotations

import re
from collections import defaultdict
from copy import copy
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from pipelines.extract.profiles import Profile, chrome_matcher
from pipelines.record import site_key, solid_chars

# Elements chrome rules must never remove, however their classes read ("cookies-enabled" on <body>).
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})
# A chrome-ish class on a wrapper of the content itself ("single-post sharing-enabled").
HOLDS_CONTENT = etree.XPath(".//article | .//main | .//h1")
# Never text. The extractor deletes them too, but only after copying the tree twice and running
# its own XPath passes over them. JSON-LD stays: trafilatura's rescue reads articleBody from it.
PAGE_CODE = ("script", "style", "noscript", "svg", "template")
JSON_LD = "ld+json"
WORD = re.compile(r"\w+")

# --- thresholds --------------------------------------------------------------------------------
# A paragraph counts towards a body chunk from this many words (shorter ones are captions, bylines).
CHUNK_PARAGRAPH_WORDS = 5
# A body chunk holds at least this many such paragraphs as direct children.
CHUNK_MIN_PARAGRAPHS = 2
# Chunks of one body sit close: their common ancestor is at most this many levels above each
# (wired.com: chunk < grid < article__chunks). Further apart, they are different parts of the page.
CHUNK_MAX_LEVELS = 3
# A list whose every item is (almost) all link text to another page of the site is navigation or
# "related posts", not content; this share of an item's text in its links makes it a link item.
LINK_ITEM_SHARE = 0.8
LINK_LIST_MIN_ITEMS = 3  # two links in a row can be an ordinary "see our X and Y" list
# Lists in nav/aside/footer go with their container anyway (trafilatura drops those): skip them.
BODY_LISTS = etree.XPath(
    "//ul[not(ancestor::nav or ancestor::aside or ancestor::footer)]"
    " | //ol[not(ancestor::nav or ancestor::aside or ancestor::footer)]"
)
# The title repeated in the body sits at the top, after a kicker, a date or a link at most.
TITLE_SEARCH_LINES = 5
# Extraction output that is mostly very short lines, over many lines, is a menu or a link farm.
MENU_LINE_WORDS = 4  # a line of at most this many words is "short"
MENU_SHARE = 0.5  # ... and short lines hold at least this share of all words
MENU_MIN_LINES = 20  # ... over at least this many lines (a short list-like post is not a menu)


def prune_chrome(tree: lxml_html.HtmlElement, profiles: list[Profile]) -> None:
    """Remove widgets, banners, share bars and forms the profiles name, never the content;
    and scripts and styles, which are never text."""
    code = [el for el in tree.iter(*PAGE_CODE) if JSON_LD not in (el.get("type") or "").lower()]
    for el in code:
        el.drop_tree()
    for el in chrome_matcher(profiles).find(tree):
        if el.tag in PROTECTED_TAGS or el.getparent() is None or HOLDS_CONTENT(el):
            continue
        el.drop_tree()


def mark_body(tree: lxml_html.HtmlElement, profiles: list[Profile]) -> None:
    """On a page with no <article>, the one element a CMS profile names as the post's body
    becomes one: trafilatura keeps the headings and lists of an <article>, but from a bare
    <div> of paragraphs (GoDaddy's BlogContent) it keeps the paragraphs only."""
    if next(tree.iter("article"), None) is not None:
        return
    for profile in profiles:
        for xpath in profile.body:
            found = tree.xpath(xpath)
            if len(found) == 1:
                found[0].tag = "article"
                return


def main_text_lines(
    tree: lxml_html.HtmlElement, url: str, include_tables: bool = True, page_chars: int = 0
) -> list[str]:
    """The article body as lines (paragraphs, list items, headings), in reading order.

    trafilatura runs without its fallback extractors first (3x faster, as good on most pages);
    when what it found reads like a menu, or holds under ``SHORT_SHARE`` of the ``page_chars``
    (non-space characters) the page has outside links and menus, the fallbacks get their turn
    and the longer text wins."""
    drop_link_lists(tree, url)
    join_split_body(tree)
    lines = _trafilatura_lines(tree, url, include_tables, fast=True)
    if looks_like_menu(lines):
        return _trafilatura_lines(tree, url, include_tables, fast=False)
    found = sum(map(solid_chars, lines))
    if page_chars >= SHORT_MIN_CHARS and found < SHORT_SHARE * page_chars:
        slow = _trafilatura_lines(tree, url, include_tables, fast=False)
        if sum(map(solid_chars, slow)) > found:
            return slow
    return lines


# The fast pass found too little: under this share of the page's prose, on a page with this much
SHORT_SHARE = 0.2
SHORT_MIN_CHARS = 600


def drop_title_lines(lines: list[str], titles: list[str | None]) -> list[str]:
    """Lines near the top that repeat the title (headline, <h1> or <title>), compared on words
    only: the title is a field of the record, not part of the text."""
    keys = {words_key(t) for t in titles if t} - {""}
    return [line for i, line in enumerate(lines) if i >= TITLE_SEARCH_LINES or words_key(line) not in keys]


def words_key(text: str) -> str:
    """A text's words, lower-cased, one space apart: two titles compare equal on it whatever
    their punctuation and spacing."""
    return " ".join(WORD.findall(text.lower()))


def _trafilatura_lines(tree: lxml_html.HtmlElement, url: str, include_tables: bool, fast: bool) -> list[str]:
    from trafilatura import bare_extraction  # on first use (see pipelines.extract.article._load_html)

    # works on a copy: the tree can be extracted from again
    doc = bare_extraction(tree, url=url, options=extraction_options(url, include_tables, fast))
    text = getattr(doc, "text", None) or ""
    return [line for line in text.splitlines() if line.strip()]


def extraction_options(url: str | None, include_tables: bool, fast: bool) -> Any:
    """The ``trafilatura.settings.Extractor`` that ``bare_extraction(url=url, with_metadata=False,
    include_comments=False, include_tables=..., deduplicate=False, fast=...)`` builds for itself,
    copied from one built once: building it reads eight values through ConfigParser (~0.1 ms)."""
    options = copy(_extraction_options(include_tables, fast))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


@lru_cache(maxsize=4)
def _extraction_options(include_tables: bool, fast: bool) -> Any:
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",
        fast=fast,
        comments=False,
        tables=include_tables,
        dedup=False,
        with_metadata=False,
    )


def looks_like_menu(lines: list[str]) -> bool:
    """Mostly one-to-four-word lines: navigation, a tag cloud or a link farm, not prose."""
    if len(lines) < MENU_MIN_LINES:
        return False
    words = [len(line.split()) for line in lines]
    short = sum(n for n in words if n <= MENU_LINE_WORDS)
    return short >= MENU_SHARE * sum(words)


# --- bodies split into chunks ------------------------------------------------------------------


def join_split_body(tree: lxml_html.HtmlElement) -> None:
    """One article body cut into several containers of the same class (ad slots between them;
    page-builder text blocks) reads as one: the class moves to the chunks' common ancestor.

    Extractors take the first container whose class says "body" and stop, which keeps only the
    first chunk. Moving the class up (rather than moving the chunks' children together) keeps
    the reading order of whatever sits between the chunks, such as subheadings.
    """
    for chunks in _chunk_groups(tree):
        ancestor = _common_ancestor(chunks, CHUNK_MAX_LEVELS)
        if ancestor is None or ancestor.tag in ("html", "body"):
            continue
        shared = chunks[0].get("class", "")
        for chunk in chunks:
            del chunk.attrib["class"]
        ancestor.set("class", f"{ancestor.get('class', '')} {shared}".strip())


def _chunk_groups(tree: lxml_html.HtmlElement) -> list[list[lxml_html.HtmlElement]]:
    """Containers holding several real paragraphs, grouped by tag and class, where a group has two
    or more members none of which contains another."""
    paragraphs: dict[lxml_html.HtmlElement, int] = defaultdict(int)
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None and len(p.text_content().split()) >= CHUNK_PARAGRAPH_WORDS:
            paragraphs[parent] += 1
    groups: dict[tuple[str, str], list[lxml_html.HtmlElement]] = defaultdict(list)
    for container, count in paragraphs.items():
        if count >= CHUNK_MIN_PARAGRAPHS and container.get("class"):
            groups[(container.tag, container.get("class"))].append(container)
    result = []
    for members in groups.values():
        if len(members) < 2:
            continue
        member_set = set(members)
        if any(a in member_set for m in members for a in m.iterancestors()):
            continue  # nested containers (a quote block inside a body): not chunks of one body
        result.append(members)
    return result


def _common_ancestor(elements: list[lxml_html.HtmlElement], max_levels: int) -> lxml_html.HtmlElement | None:
    """The nearest ancestor shared by all elements, at most ``max_levels`` above each."""
    chains = [list(el.iterancestors())[:max_levels] for el in elements]
    shared = set(chains[0]).intersection(*chains[1:])
    return next((a for a in chains[0] if a in shared), None)


# --- lists of links ----------------------------------------------------------------------------


def drop_link_lists(tree: lxml_html.HtmlElement, url: str) -> None:
    """Remove lists that only link to other pages of the same site: related posts, "more
    stories", menus inside the body. Lists of outside links (sources, resources) stay, and so do
    tables of contents (links within the page) and lists whose items say more than their links."""
    internal = _InternalLinks(site_key(url))
    lists = [el for el in BODY_LISTS(tree) if _is_internal_link_list(el, internal)]
    for el in lists:
        if el.getparent() is not None:
            el.drop_tree()


def _is_internal_link_list(lst: lxml_html.HtmlElement, internal: _InternalLinks) -> bool:
    items = [child for child in lst if child.tag == "li"]
    if len(items) < LINK_LIST_MIN_ITEMS:
        return False
    # first with every link (cheap, and rules out most lists), then only links to the site
    return all(_mostly_links(item, None) for item in items) and all(
        _mostly_links(item, internal) for item in items
    )


def _mostly_links(item: lxml_html.HtmlElement, internal: _InternalLinks | None) -> bool:
    text = _visible_chars(item.text_content())
    links = [a for a in item.iter("a") if internal is None or internal.other_page(a.get("href"))]
    linked = sum(_visible_chars(a.text_content()) for a in links)
    return bool(text) and linked >= LINK_ITEM_SHARE * text


def _visible_chars(text: str) -> int:
    """Characters that are not layout whitespace (indentation between tags would skew shares)."""
    return len(text) - sum(text.count(space) for space in (" ", "\n", "\t", "\r", "\xa0"))


class _InternalLinks:
    """Whether an href leads to another page of the site; menus repeat links, so answers are kept."""

    def __init__(self, site: str) -> None:
        self._site = site
        self._seen: dict[str, bool] = {}

    def other_page(self, href: str | None) -> bool:
        href = (href or "").strip()
        if href not in self._seen:
            self._seen[href] = self._other_page(href)
        return self._seen[href]

    def _other_page(self, href: str) -> bool:
        if not href or href.startswith("#"):
            return False  # nothing, or a place on this page
        if href.startswith("//"):
            return site_key("http:" + href) == self._site
        scheme = href.split("/", 1)[0]
        if scheme.endswith(":") or ":" in scheme:
            # "https:" or "mailto:..."; a relative path never has a colon before its first slash
            return scheme.lower() in ("http:", "https:") and site_key(href) == self._site
        return True  # relative: same site
