"""The record's ``markdown`` and ``headings`` (pipelines/extract/markdown.py): structure kept,
and exactly the paragraphs of ``text``, whatever the page (checked by rendering the Markdown with
markdown-it, a CommonMark parser, and comparing what a reader sees with ``text``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SITES
from lxml import html as lxml_html

from pipelines.extract import extract_article
from pipelines.record import Article

URL = "https://clinic.example/blog/knee-pain/"
PAGE = """<html><head><title>Knee pain: what helps | Clinic</title></head><body>
<header><nav><a href="/">Home</a> <a href="/book">Book Now</a></nav></header>
<main><article><h1>Knee pain: what helps</h1>
<p>Knee pain is common in <strong>runners</strong> and in people who <em>sit a lot</em>. Our
<a href="/services/physio/">physiotherapists</a> see it every week, and most of it settles.</p>
<h2>What the research says</h2>
<p>Exercise therapy reduces pain as much as <a href="https://example.org/nsaids">anti-inflammatory
drugs</a> do (1). It works best when it is kept up for six weeks or more.</p>
<figure><img src="/img/knee.jpg" alt="A physio testing a knee"></figure>
<h3>Exercises we use</h3>
<ul><li>Sit-to-stands from a chair</li><li>Step-ups on the <em>bottom</em> stair</li></ul>
<ol><li>Warm up for five minutes</li><li>Do three sets of ten</li></ol>
<blockquote><p>Movement is medicine for sore knees, most of the time.</p></blockquote>
<table><tr><th>Exercise</th><th>Sets</th></tr><tr><td>Squats</td><td>3</td></tr><tr><td>Bridges</td><td>2</td></tr></table>
<p>Literal *asterisks* and [brackets] are text, and so is a line like # this one.</p>
<h2>References</h2>
<ol><li>Fransen M, McConnell S, Harmer AR, et al. Exercise for osteoarthritis of the knee. Cochrane
Database Syst Rev. 2015;1:CD004376. doi:10.1002/14651858.CD004376.pub3</li></ol>
</article></main>
<footer><p>Call us today! Book Now</p></footer></body></html>"""


def extract(html: str, url: str = URL) -> Article:
    result = extract_article(html, url, fetched_at="2026-12-07T10:00:00Z", status=200, assume_article=True)
    assert isinstance(result, Article), result
    return result


def reader_text(markdown: str) -> list[str]:
    """The Markdown rendered by markdown-it (CommonMark + tables), as the paragraphs a reader sees."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable("table").render(markdown)
    blocks = re.split(r"</(?:p|h[1-6]|li|blockquote|tr|pre)>", rendered)
    texts = [" ".join(lxml_html.fromstring(f"<div>{b}</div>").text_content().split()) for b in blocks]
    return [t for t in texts if t]


def text_paragraphs(text: str) -> list[str]:
    paragraphs = [re.sub(r"^(?:[-*•]|\d{1,3}[.)])\s+", "", p) for p in text.split("\n\n")]
    return [" ".join(p.replace("|", " ").split()) for p in paragraphs]


def test_structure_is_kept_and_chrome_and_references_are_not() -> None:
    article = extract(PAGE)
    blocks = article.markdown.split("\n\n")
    assert blocks[0].startswith("Knee pain is common in **runners** and in people who *sit a lot*.")
    assert "[physiotherapists](https://clinic.example/services/physio/)" in blocks[0]
    assert "## What the research says" in blocks
    assert "### Exercises we use" in blocks
    assert "[anti-inflammatory drugs](https://example.org/nsaids)" in article.markdown
    assert "![A physio testing a knee](https://clinic.example/img/knee.jpg)" in blocks  # the figure
    assert "- Sit-to-stands from a chair" in blocks and "- Step-ups on the *bottom* stair" in blocks
    assert "1. Warm up for five minutes" in blocks and "2. Do three sets of ten" in blocks
    assert "> Movement is medicine for sore knees, most of the time." in blocks
    assert "| Exercise | Sets |\n|---|---|\n| Squats | 3 |\n| Bridges | 2 |" in article.markdown
    assert r"Literal \*asterisks\* and \[brackets\] are text" in article.markdown
    assert "Book Now" not in article.markdown and "Fransen" not in article.markdown  # chrome, references
    assert article.headings == [
        {"level": 2, "text": "What the research says"},
        {"level": 3, "text": "Exercises we use"},
    ]
    assert reader_text(article.markdown) == text_paragraphs(article.text)


def test_a_paragraph_with_no_element_of_its_own_is_escaped_text() -> None:
    """Lines split from one element by <br> match no element: written as text, escaped."""
    page = PAGE.replace(
        "<p>Literal *asterisks*",
        "<p>First line # one<br>second *line* two<br>third line three</p><p>Literal *asterisks*",
    )
    article = extract(page)
    assert reader_text(article.markdown) == text_paragraphs(article.text)


@pytest.mark.parametrize("post", sorted(str(p) for p in SITES.glob("*/blog/*/index.html")))
def test_markdown_holds_exactly_the_text_on_every_fixture_post(post: str) -> None:
    html = Path(post).read_text("utf-8").replace("{{BASE}}", "https://clinic.example")
    result = extract(html)
    assert reader_text(result.markdown) == text_paragraphs(result.text)
    assert all(h["level"] in range(1, 7) and h["text"] for h in result.headings)
