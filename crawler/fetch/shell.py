"""Does a plain (unrendered) HTML response look like a JavaScript shell with the page still to come?

Sites built as JavaScript apps (React, Vue, site builders that fill the page client-side) answer
every URL with the same near-empty document: an app root such as ``<div id="root"></div>``,
script tags, and a ``<noscript>`` asking for JavaScript. The article appears only in a browser.
``unrendered`` says why a response looks like that, or None; with ``--render auto`` the spider
fetches such a page again through the browser (crawler/fetch/render.py). Pure, cheap (one walk
over the tree, text counted only up to what the rules need), and used by ``reextract`` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from pipelines.record import solid_chars

# ids (and tags) JavaScript front ends mount their app on
APP_ROOT_IDS = frozenset(
    {"root", "app", "__next", "__nuxt", "___gatsby", "svelte", "q-app", "react-root", "app-root", "main-app"}
)
APP_ROOT_TAGS = frozenset({"app-root"})  # Angular's default component
# "You need to enable JavaScript to run this app." (create-react-app), "JavaScript is required",
# "Please turn on JavaScript", "This site requires JavaScript"...
ENABLE_JS = re.compile(
    r"\b(?:enable|turn on|activate|allow|requires?|needs?)\b[^.<]{0,40}\bjava ?script\b"
    r"|\bjava ?script\b[^.<]{0,40}\b(?:required|disabled|turned off|needed|must be)\b",
    re.IGNORECASE,
)
NOT_SHOWN = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})

# Characters of visible text (not counting white space) below which a page is "little text".
LITTLE_TEXT = 200
# ...with this much inline script, or this many script files, it is an app that builds its page.
LARGE_INLINE_SCRIPT = 20_000
MANY_SCRIPT_FILES = 3
# An empty app root or a <noscript> asking for JavaScript, on a page with less text than this
# (a header and footer, no article: a post has thousands of characters).
SHELL_TEXT = 1_500
# A URL the feed or a post sitemap lists as a post has no article in its plain HTML when it has
# less text than this, none of it in a run as long as a paragraph (menus, footers and "Loading..."
# are short runs; a short post still has a paragraph), and a script that could build the page.
POST_TEXT = 1_000
PARAGRAPH = 80
POST_SOURCES = ("feed", "post_sitemap")


@dataclass(slots=True)
class PageWeight:
    """What a plain response shows and what it loads: visible text and script."""

    text_chars: int = 0  # visible, non-space characters, counted up to SHELL_TEXT
    longest_run: int = 0  # the most of them in one text node (a paragraph's worth, or a menu item's)
    inline_script: int = 0
    script_files: int = 0
    empty_root: str | None = None  # the empty app root, as "<div id=root>"
    asks_for_js: bool = False


def weigh(root: etree._Element) -> PageWeight:
    """One walk over the tree: visible text (capped), scripts, app roots and ``<noscript>``."""
    weight = PageWeight()
    roots: list[etree._Element] = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag == "script":
            if element.get("src"):
                weight.script_files += 1
            elif "json" not in (element.get("type") or "").lower():  # data (JSON-LD), not code
                weight.inline_script += len(element.text or "")
        elif tag == "noscript":
            weight.asks_for_js = weight.asks_for_js or bool(ENABLE_JS.search(_text(element)[:2_000]))
        if tag in APP_ROOT_TAGS or (element.get("id") or "").lower() in APP_ROOT_IDS:
            roots.append(element)
    weight.text_chars, weight.longest_run = _visible_chars(root, SHELL_TEXT)
    for element in roots:
        if _visible_chars(element, 20)[0] < 20:
            tag = element.tag if isinstance(element.tag, str) else "div"
            shown = f' id="{element.get("id")}"' if element.get("id") else ""
            weight.empty_root = f"<{tag.lower()}{shown}>"
            break
    return weight


def unrendered(root: etree._Element, discovered_via: Iterable[str] = ()) -> str | None:
    """Why the page looks like an unrendered JavaScript shell, or None when it does not."""
    weight = weigh(root)
    chars = weight.text_chars
    if chars < SHELL_TEXT and weight.empty_root:
        return f"an empty app root {weight.empty_root} and {_chars(chars)} of text"
    if chars < SHELL_TEXT and weight.asks_for_js:
        return f"a <noscript> asking for JavaScript and {_chars(chars)} of text"
    if chars < LITTLE_TEXT and (
        weight.inline_script >= LARGE_INLINE_SCRIPT or weight.script_files >= MANY_SCRIPT_FILES
    ):
        script = f"{weight.inline_script // 1000} KB of inline script, {weight.script_files} script files"
        return f"{_chars(chars)} of text and {script}"
    sources = [s for s in POST_SOURCES if s in discovered_via]
    scripted = weight.script_files or weight.inline_script
    if sources and chars < POST_TEXT and weight.longest_run < PARAGRAPH and scripted:
        where = "the feed" if sources[0] == "feed" else "a sitemap of posts"
        return f"{where} lists it as a post, but its HTML has {_chars(chars)} of text"
    return None


def shell_message(shell: str, render: str, missing: str | None) -> str:
    """The skip reason of a page left unrendered: what it looked like and why it was not rendered
    (``render``: the crawl's --render; ``missing``: why no browser could run, if none could)."""
    if render == "never" or not missing:
        why = "crawl with --render auto to render it in a browser"
    else:
        why = f"it could not be rendered: {missing}"
    return f"the page needs JavaScript ({shell}); {why}"


def _chars(n: int) -> str:
    return f"{n:,}+ characters" if n >= SHELL_TEXT else f"{n:,} characters"


def _text(element: etree._Element) -> str:
    return "".join(element.itertext()) if element.text is not None or len(element) else ""


def _visible_chars(element: etree._Element, enough: int) -> tuple[int, int]:
    """Non-space characters of text a reader would see in ``element``, counted up to ``enough``,
    and the most of them in one text node."""
    total = longest = 0
    walk = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walk:
        if event == "start":
            if node.tag.lower() in NOT_SHOWN:
                walk.skip_subtree()  # its text is not shown; its tail is (counted at its end)
                continue
            run = solid_chars(node.text or "")
        elif node is not element:  # the end of an element, a comment or a processing instruction
            run = solid_chars(node.tail or "")
        else:
            continue
        total += run
        longest = max(longest, run)
        if total >= enough:
            break
    return total, longest
