"""The article's text as CommonMark, with the structure the plain ``text`` drops: headings, list
bullets, block quotes, tables, links (absolute), emphasis, code and images with their alt text.

The extraction decides nothing here. Each paragraph of the final ``text`` (after chrome, the
reference list, the title and the byline were taken out) is matched, in order, to the element of
the pruned page it came from, and that element is rendered; a paragraph whose element cannot be
found, or whose element holds other text than the paragraph, is written as escaped plain text.
So the Markdown holds exactly the text's paragraphs, in the same order, whatever trafilatura
kept: the two never disagree on what the article is.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

# Elements a paragraph usually comes from; wrappers (rows, divs) are looked at only when a
# paragraph matches none of these: their text is long to gather, and few paragraphs need them.
BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt", "dd", "figcaption")
WRAPPERS = ("tr", "div", "section", "td")
HEADINGS = {f"h{n}": n for n in range(1, 7)}
BULLET_RE = re.compile(r"^(?:[-*•]|\d{1,3}[.)])\s+")
BULLET_STARTS = frozenset("-*•0123456789 \t")
SPACE_RE = re.compile(r"\s+")
# Characters that would start Markdown syntax inside a text run; escaped with a backslash.
ESCAPE_RE = re.compile(r"([\\`*_\[\]<>|])")
LINE_START_RE = re.compile(r"^(#{1,6}\s|>|[-+*]\s|\d{1,9}[.)]\s|={3,}|-{3,})")
SKIP = frozenset({"script", "style", "noscript", "template", "svg", "button", "form", "input", "select"})


def to_markdown(
    paragraphs: list[str], tree: HtmlElement, base_url: str
) -> tuple[str, list[dict[str, object]]]:
    """CommonMark for ``paragraphs`` (the text's paragraphs, in order) from the elements of
    ``tree`` they came from, and the outline: ``[{"level": 2, "text": "..."}]``."""
    images: list[tuple[int, HtmlElement]] = []
    index = _index(tree, BLOCKS, images)
    wrappers: dict[str, list[tuple[int, HtmlElement]]] | None = None
    blocks: list[str] = []
    kinds: list[str] = []
    headings: list[dict[str, object]] = []
    matched: set[HtmlElement] = set()
    position = -1
    for paragraph in paragraphs:
        key = _key(paragraph)
        found = _match(index, key, position)
        if found is None:
            wrappers = _index(tree, WRAPPERS) if wrappers is None else wrappers
            found = _match(wrappers, key, position)
        if found is None:
            blocks.append(_escape_line(paragraph))
            kinds.append("p")
            continue
        if position >= 0:  # images between the last paragraph and this one (a figure)
            for image in _images_between(images, position, found[0], matched, base_url):
                blocks.append(image)
                kinds.append("img")
        position, element = found
        matched.add(element)
        tag = element.tag
        inline = _inline(element, base_url)
        if tag in HEADINGS:
            level = HEADINGS[tag]
            headings.append({"level": level, "text": _plain(paragraph)})
            blocks.append("#" * level + " " + inline)
        elif tag == "li":
            blocks.append(_bullet(element) + inline)
        elif tag == "blockquote":
            blocks.append("> " + inline)
        elif tag == "pre":
            code = element.text_content().strip("\n")
            blocks.append("```\n" + code.replace("```", "` ` `") + "\n```")
        elif tag == "tr":
            cells = [_inline(cell, base_url) for cell in element if cell.tag in ("td", "th")]
            blocks.append("| " + " | ".join(cells) + " |")
        else:
            blocks.append(_escape_start(inline))
        kinds.append("tr" if tag == "tr" else "block")
    return _join(blocks, kinds), headings


def _join(blocks: list[str], kinds: list[str]) -> str:
    """Blocks one blank line apart; a run of table rows as one table, with its header line."""
    out: list[str] = []
    for i, (block, kind) in enumerate(zip(blocks, kinds, strict=True)):
        previous = kinds[i - 1] if i else None
        if kind == "tr" and previous == "tr":
            out.append("\n" + block)
            continue
        if out:
            out.append("\n\n")
        out.append(block)
        if kind == "tr":
            columns = max(1, block.count(" | ") + 1)
            out.append("\n|" + "---|" * columns)
    return "".join(out)


def _key(text: str) -> str:
    """What a paragraph and its element share: its characters but spaces, list bullet and table
    bars (an element's text_content() runs block children together: "Sports injuryReturn to
    sport" for a heading and a paragraph in one list item, which the paragraph spaces)."""
    if text[:1] in BULLET_STARTS:
        text = BULLET_RE.sub("", text.lstrip())
    if "|" in text:
        text = text.replace("|", "")
    return "".join(text.split())


def _index(
    tree: HtmlElement, tags: tuple[str, ...], images: list[tuple[int, HtmlElement]] | None = None
) -> dict[str, list[tuple[int, HtmlElement]]]:
    """Elements by their text's key, each with its document position (outer ones first);
    ``images`` gets every <img> with its position. Positions count every element, so that
    indexes built apart compare."""
    index: dict[str, list[tuple[int, HtmlElement]]] = {}
    wanted = frozenset(tags)
    for position, element in enumerate(tree.iter()):
        if element.tag not in wanted:
            if images is not None and element.tag == "img":
                images.append((position, element))
            continue
        if element.tag == "tr":  # cells' texts touch in text_content(): "ExerciseSets"
            text = " ".join(cell.text_content() for cell in element)
        else:
            text = element.text_content()
        if len(text) > 20000:
            continue  # a wrapper of the whole page: never one paragraph
        key = _key(text)
        if key:
            index.setdefault(key, []).append((position, element))
    return index


def _images_between(
    images: list[tuple[int, HtmlElement]], start: int, end: int, matched: set[HtmlElement], base_url: str
) -> list[str]:
    """Images standing between two paragraphs of the text (a figure), not inside one of them
    (those are rendered in place) and not a tracking pixel or an inline data URI."""
    found = []
    for position, image in images:
        if not start < position < end:
            continue
        src = (image.get("src") or image.get("data-src") or "").strip()
        if (
            not src
            or src.startswith("data:")
            or image.get("width") in ("0", "1")
            or image.get("height") in ("0", "1")
        ):
            continue
        if any(ancestor in matched for ancestor in image.iterancestors()):
            continue
        alt = " ".join((image.get("alt") or "").split())
        found.append(f"![{_escape(alt)}]({_url(src, base_url)})")
    return found


def _match(
    index: dict[str, list[tuple[int, HtmlElement]]], key: str, after: int
) -> tuple[int, HtmlElement] | None:
    """The first element with this text after the last one matched (document order)."""
    for position, element in index.get(key, ()):
        if position > after:
            return position, element
    return None


def _bullet(item: HtmlElement) -> str:
    parent = item.getparent()
    if parent is not None and parent.tag == "ol":
        start = parent.get("start")
        first = int(start) if start and start.isdigit() else 1
        siblings = [child for child in parent if child.tag == "li"]
        return f"{first + siblings.index(item)}. "
    return "- "


def _inline(element: HtmlElement, base_url: str) -> str:
    """The element's content as one line of inline Markdown."""
    parts: list[str] = []
    _walk(element, base_url, parts, top=True)
    return " ".join("".join(parts).split())


def _walk(element: HtmlElement, base_url: str, parts: list[str], top: bool = False) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIP:
        _tail(element, parts)
        return
    if tag == "img":
        alt = SPACE_RE.sub(" ", element.get("alt") or "").strip()
        src = element.get("src") or element.get("data-src")
        if src:
            parts.append(f"![{_escape(alt)}]({_url(src, base_url)})")
        _tail(element, parts)
        return
    if tag == "br":
        parts.append(" ")
        _tail(element, parts)
        return
    inner: list[str] = []
    if element.text:
        inner.append(_escape(element.text))
    for child in element:
        _walk(child, base_url, inner)
    content = "".join(inner)
    stripped = content.strip()
    if not top and stripped:
        if (
            tag == "a"
            and element.get("href")
            and not element.get("href", "").startswith(("javascript:", "#"))
        ):
            content = f"[{stripped}]({_url(element.get('href', ''), base_url)})"
        elif tag in ("em", "i", "cite"):
            content = f"*{stripped}*"
        elif tag in ("strong", "b"):
            content = f"**{stripped}**"
        elif tag == "code":
            content = "`" + stripped.replace("\\", "").replace("`", "'") + "`"
    parts.append(content)
    if not top:
        _tail(element, parts)


def _tail(element: HtmlElement, parts: list[str]) -> None:
    if element.tail:
        parts.append(_escape(element.tail))


def _url(href: str, base_url: str) -> str:
    url = urljoin(base_url, href.strip())
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _escape(text: str) -> str:
    return ESCAPE_RE.sub(r"\\\1", text)


def _escape_start(line: str) -> str:
    """A paragraph must not begin like a heading, quote, list or rule."""
    return "\\" + line if LINE_START_RE.match(line) else line


def _escape_line(text: str) -> str:
    return _escape_start(_escape(text))


def _plain(text: str) -> str:
    return SPACE_RE.sub(" ", text).strip()
