"""Page metadata from JSON-LD, OpenGraph/meta tags and bylines: the facts trafilatura's text lacks."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from lxml import html as lxml_html

from pipelines.extract.profiles import Profile
from pipelines.extract.visible import (
    ORGANISATION_WORD,
    credentials_near_names,
    fill_missing,
    shown_day,
    site_name_from_page,
    visible_update_date,
)
from pipelines.record import parse_datetime

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "Article BlogPosting NewsArticle MedicalWebPage MedicalScholarlyArticle ScholarlyArticle Report "
        "TechArticle SocialMediaPosting AnalysisNewsArticle OpinionNewsArticle ReportageNewsArticle "
        "ReviewNewsArticle BackgroundNewsArticle LiveBlogPosting AdvertiserContentArticle SatiricalArticle"
    ).split()
)
NON_ARTICLE_TYPES = frozenset(
    t.lower()
    for t in "CollectionPage ContactPage AboutPage ProfilePage SearchResultsPage CheckoutPage FAQPage".split()
)


@dataclass(slots=True)
class PageMeta:
    """What the page says about itself, before any guessing."""

    types: set[str] = field(default_factory=set)  # schema.org types, lower-case
    article_nodes: int = 0  # how many Article-like JSON-LD/microdata objects the page holds
    og_type: str | None = None
    title: str | None = None
    h1: str | None = None
    html_title: str | None = None
    authors: list[str] = field(default_factory=list)  # raw author strings, in order
    published: str | None = None
    modified: str | None = None
    site_name: str | None = None
    description: str | None = None
    language: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    sections: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # rel="category" links
    tags: list[str] = field(default_factory=list)  # rel="tag" links
    has_time_element: bool = False
    published_relative: str | None = None  # the words ("3 days ago") when published came from them
    # fields found only by trafilatura's fallback readers ("authors", "published"): a date
    # htmldate finds anywhere on a page (a footer, a teaser) says less than one the page declares
    guessed: set[str] = field(default_factory=set)


def read_metadata(
    tree: lxml_html.HtmlElement, profiles: list[Profile], url: str | None = None, html: str = ""
) -> PageMeta:
    """What the page says, from our own readers first (JSON-LD, meta tags, microdata, CMS
    bylines); what they miss is read off the visible page and with trafilatura's readers
    (pipelines/extract/visible.py). ``html`` is the source ``tree`` was parsed from."""
    meta = PageMeta()
    _read_jsonld(tree, meta)
    _read_meta_tags(tree, meta)
    _read_microdata(tree, meta)
    _read_document(tree, meta, profiles)
    meta.site_name = meta.site_name or site_name_from_page(tree, meta)
    meta.modified = meta.modified or visible_update_date(tree, html)
    if meta.published:
        meta.published = shown_day(tree, meta.published)
    # The site's own name as the author: a CMS that fills <meta name="author"> with the business
    # (GoDaddy: dropped, and looked for elsewhere), or a personal blog named after its author
    # (kept, unless a byline in the text names someone else).
    if meta.site_name and [a.casefold() for a in meta.authors] == [meta.site_name.casefold()]:
        meta.guessed.add("authors")
        if ORGANISATION_WORD.search(meta.site_name):  # "Cedar Ridge Chiropractic" is no byline
            meta.authors = []
    fill_missing(tree, meta, url)
    credentials_near_names(html, meta)
    return meta


# --- JSON-LD ------------------------------------------------------------------------------


# JSON-LD inside "<![CDATA[ ... ]]>" or "<!-- ... -->", as older themes and XHTML pages write it
JSON_WRAPPER = re.compile(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$")


def _jsonld_nodes(tree: lxml_html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        raw = JSON_WRAPPER.sub("", (script.text or "").strip())
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue  # broken (or absurdly nested) JSON-LD is common; the other sources still apply
        yield from _flatten(data)


def _flatten(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten(data["@graph"], depth + 1)
        if "@type" in data:
            yield data


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.lower() for v in values if isinstance(v, str)}


# How deep a JSON-LD value is followed for a string: real markup nests two or three levels
# ({"author": {"name": ...}}); a page nested hundreds deep is read no further than this.
MAX_VALUE_DEPTH = 8


def _text(value: Any) -> str | None:
    """A JSON-LD string, unescaped: Yoast and others write "Physio &amp; Wellness" into JSON."""
    for _ in range(MAX_VALUE_DEPTH):
        if isinstance(value, str):
            return " ".join(html.unescape(value).split()) or None
        if isinstance(value, dict):
            value = value.get("name") or value.get("@value")
        elif isinstance(value, list) and value:
            value = value[0]
        else:
            return None
    return None


def _strings(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in html.unescape(value).split(",") if s.strip()]
    if isinstance(value, list) and depth < MAX_VALUE_DEPTH:
        return [s for v in value for s in _strings(v, depth + 1)]
    return []


def _read_jsonld(tree: lxml_html.HtmlElement, meta: PageMeta) -> None:
    nodes = list(_jsonld_nodes(tree))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        types = _types(node)
        meta.types |= types
        if types & ARTICLE_TYPES:
            meta.article_nodes += 1
            if meta.article_nodes > 1:
                continue  # the first article object describes the page; later ones are teasers
            meta.title = meta.title or _text(node.get("headline") or node.get("name"))
            meta.published = meta.published or _text(node.get("datePublished") or node.get("dateCreated"))
            meta.modified = meta.modified or _text(node.get("dateModified"))
            meta.authors = meta.authors or _jsonld_authors(node.get("author"), by_id)
            meta.sections += _strings(node.get("articleSection"))
            meta.keywords += _strings(node.get("keywords"))
            meta.description = meta.description or _text(node.get("description"))
            meta.language = meta.language or _text(node.get("inLanguage"))
            publisher = _resolve(node.get("publisher"), by_id)
            if isinstance(publisher, dict):
                meta.site_name = meta.site_name or _text(publisher.get("name"))
        elif "website" in types:
            meta.site_name = _text(node.get("name")) or meta.site_name
            meta.language = meta.language or _text(node.get("inLanguage"))


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return by_id.get(value["@id"], value)
    return value


def _jsonld_authors(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        item = _resolve(item, by_id)
        name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
        if name and not name.startswith(("http://", "https://")):
            names.append(name)
    return names


# --- meta tags, microdata, document -------------------------------------------------------


def _read_meta_tags(tree: lxml_html.HtmlElement, meta: PageMeta) -> None:
    props: dict[str, list[str]] = {}
    for el in tree.xpath("//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key:
            props.setdefault(key, []).append(" ".join(el.get("content", "").split()))

    def first(*keys: str) -> str | None:
        for key in keys:
            for value in props.get(key, []):
                if value:
                    return value
        return None

    meta.og_type = (first("og:type") or "").lower() or None
    meta.og_url = first("og:url")
    meta.title = meta.title or first("og:title", "twitter:title")
    published = first(
        "article:published_time",
        "datepublished",
        "publish-date",
        "pubdate",
        "date",
        "dc.date.issued",
        "dc.date",
    )
    meta.published = local_time(meta.published, published) if meta.published else published
    meta.modified = meta.modified or first("article:modified_time", "og:updated_time", "datemodified")
    meta.site_name = meta.site_name or first("og:site_name", "application-name")
    meta.description = meta.description or first("description", "og:description", "twitter:description")
    if not meta.authors:
        author = first("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
        if author and not author.startswith(("http://", "https://")):
            meta.authors = [author]
    meta.sections += props.get("article:section", [])
    meta.keywords += props.get("article:tag", [])
    if not meta.language:
        locale = first("og:locale", "content-language", "language")
        meta.language = locale


def local_time(value: str, other: str | None) -> str:
    """``other`` when it is the same instant as ``value`` written in the site's own time zone:
    "2017-02-24T01:18:13Z" in JSON-LD is "2017-02-23T17:18:13-08:00" in the meta tag, and the
    date the post was published on is the 23rd where it was written."""
    if not other:
        return value
    ours, theirs = parse_datetime(value), parse_datetime(other)
    if ours is None or theirs is None or ours.tzinfo is None or theirs.tzinfo is None:
        return value
    if ours == theirs and ours.utcoffset() == timedelta(0) and theirs.utcoffset() != timedelta(0):
        return other
    return value


DATE_PUBLISHED = (
    "//*[@itemprop='datePublished' or @property='datePublished' or @property='schema:datePublished']"
)


def _read_microdata(tree: lxml_html.HtmlElement, meta: PageMeta) -> None:
    """schema.org types from microdata (``itemtype="https://schema.org/BlogPosting"``) and RDFa
    (``typeof="BlogPosting"``, ``typeof="schema:BlogPosting"``), and their dates."""
    for types in tree.xpath("//*[@itemscope]/@itemtype | //*[@typeof]/@typeof"):
        for url in types.split():
            name = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
            meta.types.add(name)
            if name in ARTICLE_TYPES:
                meta.article_nodes += 1
    if not meta.published:
        meta.published = _first_attr(
            tree,
            "//*[@itemprop='datePublished' or @property='datePublished' or @property='schema:datePublished']",
            ("content", "datetime"),
        )


def _first_attr(tree: lxml_html.HtmlElement, xpath: str, attrs: tuple[str, ...]) -> str | None:
    for el in tree.xpath(xpath):
        for attr in attrs:
            if el.get(attr):
                return el.get(attr).strip()
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _read_document(tree: lxml_html.HtmlElement, meta: PageMeta, profiles: list[Profile]) -> None:
    meta.html_title = " ".join(tree.xpath("string(//title)").split()) or None
    h1s = [" ".join(h.text_content().split()) for h in tree.xpath("//h1")]
    h1s = [h for h in h1s if h]
    meta.h1 = h1s[0] if len(h1s) == 1 else None
    canonical = tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
    meta.canonical = canonical[0].strip() if canonical else None
    if not meta.language:
        meta.language = tree.get("lang") or tree.get("xml:lang")
    times = tree.xpath("//article//time[@datetime] | //time[@datetime][contains(@class, 'publish')]")
    meta.has_time_element = bool(times)
    if not meta.published and times:
        meta.published = times[0].get("datetime")
    if not meta.authors:
        for profile in profiles:
            for xpath in profile.bylines:
                names = [" ".join(el.text_content().split()) for el in tree.xpath(xpath)]
                names = [n for n in names if 2 < len(n) < 120]
                if names:
                    meta.authors = list(dict.fromkeys(names))[:5]
                    break
            if meta.authors:
                break
    scope = tree.xpath("//article") or tree.xpath("//main") or [tree]
    for link in scope[0].xpath(".//a[@rel]"):
        rel = link.get("rel", "").lower().split()
        label = " ".join(link.text_content().split())
        if not label or len(label) > 80:
            continue
        if "category" in rel:
            meta.categories.append(label)
        elif "tag" in rel:
            meta.tags.append(label)


LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{2,8})*$")


def primary_language(value: str | None) -> str | None:
    """ "en-US", "en_GB", "EN" -> "en"; anything else -> None."""
    match = LANG.match((value or "").strip())
    return match.group(1).lower() if match else None
