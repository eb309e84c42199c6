"""The main text of a page: chrome pruned from the tree, then trafilatura picks the body."""

from __future__ import annotations

import trafilatura
from lxml import html as lxml_html

from pipelines.profiles import Profile

# Elements chrome rules must never remove, however their classes read ("cookies-enabled" on <body>).
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})


def prune_chrome(tree: lxml_html.HtmlElement, profiles: list[Profile]) -> None:
    """Remove widgets, banners, share bars and forms the profiles name, never the content."""
    for profile in profiles:
        for xpath in profile.prune:
            for el in tree.xpath(xpath):
                if el.tag in PROTECTED_TAGS or el.getparent() is None:
                    continue
                if el.xpath(".//article | .//main | .//h1"):
                    continue  # a wrapper of the content that happens to carry a chrome-ish class
                el.drop_tree()


def main_text_lines(tree: lxml_html.HtmlElement, url: str, include_tables: bool = True) -> list[str]:
    """The article body as lines (paragraphs, list items, headings), in reading order."""
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=include_tables,
        deduplicate=False,
    )
    text = getattr(doc, "text", None) or ""
    return [line for line in text.splitlines() if line.strip()]
