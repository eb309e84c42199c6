"""Main-text extraction on small hand-written pages: chrome pruning, split bodies, link lists,
menu fallback, title lines, promotional lead-ins."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from pipelines.extract.chrome import ChromeFilter
from pipelines.extract.maintext import (
    drop_link_lists,
    drop_title_lines,
    join_split_body,
    looks_like_menu,
    main_text_lines,
    prune_chrome,
)
from pipelines.extract.profiles import GENERIC, WIX, WORDPRESS, chrome_matcher, detect_profiles

URL = "https://clinic.example/blog/knee-pain/"
PARA = (
    "Knee pain after running usually comes from doing too much too soon, and a few weeks of "
    "lighter training with strength work for the hips and thighs settles most of it."
)


def tree(body: str, head: str = "") -> lxml_html.HtmlElement:
    return lxml_html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def text_of(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


# --- chrome pruning ------------------------------------------------------------------------


def test_prune_removes_named_chrome_case_insensitively():
    page = tree(
        f"<article><h1>Knee pain</h1><p>{PARA}</p></article>"
        '<div class="Newsletter-signup"><p>Join our newsletter</p></div>'
        '<div id="CookieNotice"><p>We use cookies</p></div>'
        '<div class="sharing-bar"><a>Share</a></div>'
    )
    prune_chrome(page, [GENERIC])
    text = text_of(page)
    assert "Knee pain after running" in text
    for chrome in ("Join our newsletter", "We use cookies", "Share"):
        assert chrome not in text


def test_prune_keeps_a_chrome_named_wrapper_of_the_content():
    page = tree(f'<div class="page sharing-enabled"><h1>Knee pain</h1><p>{PARA}</p></div>')
    prune_chrome(page, [GENERIC])
    assert "Knee pain after running" in text_of(page)


def test_prune_strips_scripts_and_styles_but_keeps_json_ld():
    page = tree(
        f"<p>{PARA}</p><script>var x = 1;</script><style>p {{color: red}}</style><noscript>Enable JS</noscript>",
        head='<script type="application/ld+json">{"@type": "BlogPosting"}</script>',
    )
    prune_chrome(page, [GENERIC])
    assert page.xpath("//script/@type") == ["application/ld+json"]
    assert not page.xpath("//style | //noscript")


def test_whole_class_tokens_do_not_match_substrings():
    matcher = chrome_matcher([GENERIC, WORDPRESS])
    page = tree(
        '<div class="widget-area">sidebar</div><div class="widget-area-like-name">content</div>'
        '<div id="comments">comments</div><div id="comments-intro">intro</div>'
    )
    assert [text_of(el) for el in matcher.find(page)] == ["sidebar", "comments"]


def test_tag_limited_rules_and_bare_tag_rules():
    matcher = chrome_matcher([GENERIC])
    page = tree(
        '<a class="skip-link" href="#main">Skip</a><span class="skip-link">not a link</span>'
        "<form><input></form>"
        '<a href="#content">Skip to main content</a><a href="#fn1">Skipping rope, see note</a>'
    )
    found = {(el.tag, text_of(el)) for el in matcher.find(page)}
    assert found == {("a", "Skip"), ("form", ""), ("a", "Skip to main content")}


def test_cms_profiles_are_detected_and_add_their_rules():
    html = '<html><head><link href="https://static.wixstatic.com/x.css"></head><body></body></html>'
    assert detect_profiles(html) == [GENERIC, WIX]
    page = tree('<div data-hook="related-posts">Related</div><div data-hook="post-body">Body</div>')
    assert [text_of(el) for el in chrome_matcher([GENERIC, WIX]).find(page)] == ["Related"]


# --- a body split into chunks ----------------------------------------------------------------

SPLIT_BODY = (
    '<article class="story"><h1>Knee pain</h1><div class="chunks">'
    f'<div class="row"><div class="article-body"><p>First part one. {PARA}</p><p>First part two. {PARA}</p></div></div>'
    '<div class="ad-slot">Advertisement</div><h2>Strength work</h2>'
    f'<div class="row"><div class="article-body"><p>Second part one. {PARA}</p><p>Second part two. {PARA}</p></div></div>'
    "</div></article>"
)


def test_split_body_class_moves_to_the_common_ancestor():
    page = tree(SPLIT_BODY)
    join_split_body(page)
    assert page.xpath("//*[contains(@class, 'article-body')]/@class") == ["chunks article-body"]


def test_split_body_is_extracted_whole_and_in_order():
    lines = main_text_lines(tree(SPLIT_BODY), URL)
    text = "\n".join(lines)
    assert "First part one" in text and "Second part two" in text
    assert text.index("First part two") < text.index("Strength work") < text.index("Second part one")


def test_far_apart_or_nested_containers_are_not_chunks():
    far = (
        '<div class="a"><div class="b"><div class="c"><div class="d"><div class="body">'
        f"<p>{PARA}</p><p>{PARA}</p></div></div></div></div></div>"
        f'<div class="body"><p>{PARA}</p><p>{PARA}</p></div>'
    )
    nested = f'<div class="body"><p>{PARA}</p><p>{PARA}</p><div class="body"><p>{PARA}</p><p>{PARA}</p></div></div>'
    for body in (far, nested):
        page = tree(body)
        join_split_body(page)
        assert len(page.xpath("//div[@class='body']")) == 2


# --- lists of links --------------------------------------------------------------------------


def list_of(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


@pytest.mark.parametrize(
    ("items", "dropped"),
    [
        (
            [
                '<a href="/blog/a/">Shin splints</a>',
                '<a href="/blog/b/">Runner’s knee</a>',
                '<a href="https://www.clinic.example/c/">ITB</a>',
            ],
            True,
        ),
        (
            [
                '<a href="https://pubmed.ncbi.nlm.nih.gov/1/">Study one</a>',
                '<a href="https://nice.org.uk/x">Guideline</a>',
                '<a href="https://nhs.uk/y">NHS</a>',
            ],
            False,
        ),
        (
            [
                '<a href="#causes">Causes</a>',
                '<a href="#treatment">Treatment</a>',
                '<a href="#prevention">Prevention</a>',
            ],
            False,
        ),
        (
            [
                '<a href="/blog/a/">Squats</a>: three sets of ten, slowly, twice a week',
                '<a href="/b/">Lunges</a>: two sets of eight on each leg',
                '<a href="/c/">Bridges</a>: hold each for five seconds',
            ],
            False,
        ),
        (['<a href="/blog/a/">Shin splints</a>', '<a href="/blog/b/">Runner’s knee</a>'], False),
    ],
    ids=["internal links", "outside sources", "table of contents", "items with prose", "two items"],
)
def test_lists_of_internal_links_are_dropped(items, dropped):
    page = tree(f"<p>{PARA}</p>" + list_of(*items))
    drop_link_lists(page, URL)
    assert (not page.xpath("//ul")) is dropped


# --- output checks ---------------------------------------------------------------------------


def test_a_menu_is_recognised_by_its_short_lines():
    menu = ["Home", "About us", "Services", "Physiotherapy", "Massage", "Contact"] * 4
    assert looks_like_menu(menu)
    assert not looks_like_menu(menu[:6])  # a short list-like post is not a menu
    assert not looks_like_menu([PARA] * 10 + menu)


def test_title_lines_near_the_top_are_dropped():
    titles = ["Knee pain – what runners should know", None, "Knee Pain | Example Physio"]
    lines = ["Sports injuries", "Knee Pain: What Runners Should Know", PARA, "Knee pain | Example Physio"]
    assert drop_title_lines(lines, titles) == ["Sports injuries", PARA]
    far = [PARA] * 5 + ["Knee pain: what runners should know"]
    assert drop_title_lines(far, titles) == far  # further down it is a heading of the text


# --- promotional lead-ins (chrome line filter) -----------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Related: 5 Stretches for Sciatica",
        "[Related: Why your knee clicks]",
        "READ MORE: Dry needling explained",
        "See also: Plantar fasciitis treatment",
        "You may also like » Shin splints",
        "Comments",
        "DON'T MISS",
    ],
)
def test_promotions_of_other_posts_are_chrome(line):
    assert ChromeFilter().is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Related conditions include bursitis and tendinopathy of the hip.",
        "Read more about the research in our reference list below.",
        "Related: " + PARA + " " + PARA,  # a paragraph, not a headline
        "Comments from patients show how much a home programme helps.",
    ],
)
def test_sentences_starting_like_promotions_stay(line):
    assert not ChromeFilter().is_chrome(line)
