"""Article or not: every piece of evidence weighed, none a veto on its own.

A crawl fetches a page because it might be a post; whether it is one is decided from what the
page says about itself (schema.org types anywhere, ``og:type``, article/h-entry markup, a byline,
a date), how it was found (a feed, a sitemap of posts, a blog index) and what it looks like
(its URL, its length, how much of it is links). Each signal adds a weight; the page is an
article when the sum reaches ``THRESHOLD``. The signals and their weights travel with the
verdict, so a skipped page says why in ``skipped.jsonl`` and a page kept with
``--keep-non-articles`` carries them in its record.

The weights were set from how often each signal appears on real articles and on real
non-articles (the shared page sets, the fixture sites' home, service and listing pages), not
from any one page: a signal that real articles often carry (``og:type website``, no date) is
weak; one that articles almost never carry (a home page URL, a contact page type, a page made
of links) is strong. Pure: no Scrapy, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import html as lxml_html

from pipelines.extract.metadata import ARTICLE_TYPES, NON_ARTICLE_TYPES, PageMeta
from pipelines.record import solid_chars, url_signals

THRESHOLD = 0.0

# How a URL was found (``Page.discovered_via``), and what that says
DISCOVERY_WEIGHTS = {
    "feed": ("listed in the site's feed", 4.0),  # CMSs put posts, and only posts, in feeds
    "post_sitemap": ("listed in a sitemap of posts", 2.0),
    "listing": ("linked from a blog index or listing page", 0.5),
}

# Classes that mark a post's container (WordPress post_class(), microformats): one on a post,
# one per teaser on a list of posts.
POST_CLASSES = frozenset(("h-entry", "hentry", "type-post", "blog-post"))
# class attributes, read from the page source (0.2 ms a page; the same test in XPath took 0.7)
CLASS_ATTRIBUTE = re.compile(r"""class=["']([^"']*)["']""")  # (a leading \s made it 3x slower)


@dataclass(slots=True)
class Verdict:
    """The decision, its score and the signals it was made from (label, weight)."""

    is_article: bool
    score: float
    signals: list[tuple[str, float]] = field(default_factory=list)
    page_type: str = "article"  # article, home, blog_index, listing, service, page

    def reasons(self) -> list[str]:
        """The signals as short strings, strongest first: "og:type website (-0.5)"."""
        ordered = sorted(self.signals, key=lambda s: -abs(s[1]))
        return [f"{label} ({weight:+g})" for label, weight in ordered]

    def summary(self) -> str:
        """One line for skipped.jsonl's ``reason``: the verdict and its two strongest signals."""
        against = [s for s in sorted(self.signals, key=lambda s: s[1]) if s[1] < 0][:2]
        named = "; ".join(label for label, _ in against) or "too little evidence of a post"
        return f"not an article (score {self.score:+.1f}): {named}"


@dataclass(slots=True)
class PageShape:
    """What the page's HTML looks like, read before extraction changes the tree."""

    post_markup: bool = False  # one <article>, h-entry, hentry, type-post... container
    post_list: int = 0  # how many post containers, when there are three or more: a list of posts
    link_density: float = 0.0  # share of the page's text (outside menus and footers) in links
    teaser_links: int = 0  # "Read more"/"Continue reading" links: a list of posts
    plain_chars: int = 0  # non-space characters of the page's text outside links and menus
    wordpress_page: bool = False  # post_class() says "type-page": a WordPress Page, not a Post


# Elements whose text every page has (menus, headers, footers, sidebars, forms) or that is not text
CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form")
TEASER_LABELS = ("read more", "continue reading", "read the full", "read full")


def page_shape(tree: lxml_html.HtmlElement, html: str) -> PageShape:
    """Post markup, link density of the page's text and teaser links, from the page as fetched
    (``tree``, and ``html``, the source it was parsed from).
    Menus, headers, footers, sidebars and forms are left out: every page has them. (lxml's
    C iterators do the walking: a Python loop over every node cost ~4 ms a page, XPath ~3 ms.)"""
    shape = PageShape()
    articles = sum(1 for _ in tree.iter("article"))
    entries = 0
    for value in CLASS_ATTRIBUTE.findall(html):
        if "post" in value or "entry" in value or "page" in value:
            classes = value.split()
            if "type-page" in classes:
                shape.wordpress_page = True
            elif POST_CLASSES.intersection(classes):
                entries += 1
    posts = max(articles, entries)
    shape.post_markup = posts == 1
    shape.post_list = posts if posts >= 3 else 0

    body = (tree.xpath("//body") or [tree])[0]
    chrome = [el for el in body.iter(*CHROME_TAGS) if next(el.iterancestors(*CHROME_TAGS), None) is None]
    chars = solid_chars(body.text_content()) - sum(solid_chars(el.text_content()) for el in chrome)
    in_chrome = {a for el in chrome for a in el.iter("a")}  # (lxml keeps one proxy per live node)
    link_chars = 0
    for link in body.iter("a"):
        if link in in_chrome:
            continue
        label = link.text_content()
        link_chars += solid_chars(label)
        if " ".join(label.split()).lower().startswith(TEASER_LABELS):
            shape.teaser_links += 1
    shape.link_density = link_chars / chars if chars else 0.0
    shape.plain_chars = chars - link_chars
    return shape


# Chinese, Japanese and Korean characters: each says about half a word
DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def classify(
    meta: PageMeta, shape: PageShape, url: str, text: str, discovered_via: Iterable[str] = ()
) -> Verdict:
    """Weigh every signal; an article when the score reaches ``THRESHOLD``. ``text`` is the
    extracted main text; its length is counted in characters (a Chinese or Japanese post has
    few spaces), ~6 to an English word, a Chinese, Japanese or Korean character counting 3."""
    signals: list[tuple[str, float]] = []
    kinds: set[str] = set()

    article_types = sorted(meta.types & ARTICLE_TYPES)
    if article_types:
        signals.append((f"schema.org type {article_types[0]}", 3.0))
    if meta.og_type == "article":
        signals.append(("og:type article", 2.0))
    elif meta.og_type == "website":
        signals.append(("og:type website", -0.5))
    elif meta.og_type in (
        "profile",
        "product",
        "video.other",
        "music.song",
        "book",
        "place",
        "business.business",
    ):
        signals.append((f"og:type {meta.og_type}", -2.0))
    non_article = sorted(meta.types & NON_ARTICLE_TYPES)
    if non_article:
        # FAQPage rides along on many posts (FAQ blocks); the others describe the whole page
        weight = -1.0 if non_article == ["faqpage"] else -3.0
        signals.append((f"schema.org type {non_article[0]}", weight))
        kinds.add("listing" if "collectionpage" in non_article else "page")
    if shape.post_list:
        signals.append((f"{shape.post_list} post containers (a list of posts)", -2.0))
        kinds.add("blog_index")
    if meta.article_nodes > 2:
        signals.append((f"lists {meta.article_nodes} articles", -min(5.0, float(meta.article_nodes - 1))))
        kinds.add("blog_index")
    if meta.published:
        guessed = "published" in meta.guessed
        signals.append(("a date in the page" if guessed else "a publication date", 0.5 if guessed else 1.5))
    if meta.authors:
        guessed = "authors" in meta.guessed
        signals.append(("a name that may be a byline" if guessed else "a byline", 0.5 if guessed else 1.0))
    if shape.wordpress_page:
        signals.append(("a WordPress page, not a post (type-page)", -2.0))
        kinds.add("page")
    elif shape.post_markup:
        signals.append(("post markup (article, h-entry)", 1.0))

    signals += url_signals(url, kinds)
    for source in dict.fromkeys(discovered_via):
        if source in DISCOVERY_WEIGHTS:
            signals.append(DISCOVERY_WEIGHTS[source])

    size = solid_chars(text) + 2 * len(DENSE_SCRIPT.findall(text))
    if size >= 1800:  # ~300 English words
        signals.append((f"{size} characters of text", 1.0))
    elif size >= 900:
        signals.append((f"{size} characters of text", 0.5))
    elif size < 100:  # a caption, a form's labels
        signals.append((f"only {size} characters of text", -4.0))
    elif size < 250:
        signals.append((f"only {size} characters of text", -1.5))
    if shape.link_density > 0.6:
        signals.append((f"{shape.link_density:.0%} of the text is links", -2.0))
        kinds.add("blog_index")
    elif shape.link_density > 0.4:  # link-rich articles are common (Wikipedia: ~30-60%)
        signals.append((f"{shape.link_density:.0%} of the text is links", -0.5))
    if shape.teaser_links >= 3:
        signals.append((f"{shape.teaser_links} 'read more' links", -2.0))
        kinds.add("blog_index")

    score = round(sum(weight for _, weight in signals), 2)
    is_article = score >= THRESHOLD
    return Verdict(is_article, score, signals, "article" if is_article else _page_type(kinds))


def _page_type(kinds: set[str]) -> str:
    for kind in ("home", "listing", "service", "blog_index"):  # the most specific first
        if kind in kinds:
            return kind
    return "page"
