"""Dataclasses at each stage boundary: Page -> Article (with References, Citations).

The spider produces a ``Page``; pure functions turn it into an ``Article`` (or a
``NotArticle`` / ``PageError`` value); the archive writer is the one place that turns an
``Article`` into a JSON record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# What new article records say in their ``schema`` field: the article schema's major.minor
# version (pipelines/record/schema/article.schema.json, docs/schema.md)
ARTICLE_SCHEMA = "clinic-archive/article@1.1"


@dataclass(slots=True)
class Page:
    """A fetched HTML response, as the spider saw it."""

    url: str  # the URL that was requested
    final_url: str  # after redirects
    status: int
    html: str
    fetched_at: str  # ISO 8601 UTC, e.g. "2026-11-24T13:40:00Z"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    crawl_id: str | None = None
    listing: bool = False  # a tag/category/pagination page: never an article
    # How the crawl found the URL, strongest first: DISCOVERY_SOURCES. A signal of the classifier.
    discovered_via: tuple[str, ...] = ()
    raw: dict[str, Any] | None = None  # where the response is kept in the WARC file, if it is
    rendered: bool = False  # the HTML is what a browser built (crawler/fetch/render.py)
    # The plain HTML looked like an unrendered JavaScript shell and was not rendered: the skip
    # reason, used when the page is judged not an article (crawler/fetch/shell.py)
    unrendered: str | None = None


# What ``Page.discovered_via`` holds: the URL was a seed, in the site's feed, in a sitemap of
# posts (its URL names posts, blogs, articles or news), in another sitemap, linked from a blog
# index or listing page, or linked from any other page.
DISCOVERY_SOURCES = ("seed", "feed", "post_sitemap", "sitemap", "listing", "link")


def discovery_order(sources: Iterable[str]) -> tuple[str, ...]:
    """Known sources once each, in ``DISCOVERY_SOURCES`` order (strongest first)."""
    found = set(sources)
    return tuple(s for s in DISCOVERY_SOURCES if s in found)


@dataclass(slots=True)
class Author:
    name: str
    credentials: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Reference:
    """One entry of an article's reference list. Unknown fields stay None."""

    n: int  # its printed number, or its 1-based position in the list
    raw: str
    authors: list[str] = field(default_factory=list)
    title: str | None = None
    container: str | None = None  # journal, book or site name
    year: int | None = None
    volume: str | None = None
    issue: str | None = None  # the issue number: "14" of "40(Suppl 14)", "4" of "88(4 Pt 1)"
    issue_qualifier: str | None = None  # what NLM prints around it: "Suppl", "Pt 1", "RR"
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    # the style it was parsed as: vancouver, apa, harvard, mla, chicago, ieee, acs, physics,
    # astronomy, url (a bare link or a page), other
    style: str | None = None
    # how far the fields can be trusted, 0-1: the share of the string they account for, and
    # whether the parts every reference has were found (pipelines/references/confidence.py)
    confidence: float | None = None
    # offline findings: {"code", "message", "evidence"} (pipelines/references/checks.py)
    checks: list[dict[str, str]] = field(default_factory=list)
    # the author list is cut short ("et al.", "and others", an ellipsis): ``authors`` is not all
    authors_truncated: bool = False


@dataclass(slots=True)
class Citation:
    """An in-text marker and the entry it points to (None when it points to none)."""

    marker: str
    ref: int | None
    sentence: str
    # Why the sentence disagrees with the entry it cites (journal, year or author named in the
    # sentence but not in the entry), or None when it does not, or cannot be checked.
    contradiction: str | None = None


@dataclass(slots=True)
class Article:
    """Everything the archive needs to write one record, except version and crawl."""

    id: str
    url: str
    canonical_url: str
    site: str
    site_name: str | None
    title: str | None
    authors: list[Author]
    published: str | None
    modified: str | None
    language: str | None
    categories: list[str]
    tags: list[str]
    summary: str | None
    text: str
    word_count: int
    references: list[Reference]
    citations: list[Citation]
    unused_references: list[int]
    content_hash: str
    fetched_at: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    raw: dict[str, Any] | None = None
    request_url: str | None = None  # the URL that was asked for (before redirects); not in the record
    page_type: str = "article"  # what else it is when kept with --keep-non-articles: home, service...
    published_relative: str | None = None  # "3 days ago": published was counted back from fetched_at
    classification: dict[str, Any] | None = None  # {"score": float, "signals": ["label (+w)", ...]}
    rendered: bool = False  # the page was rendered in a browser (record field fetch.rendered)
    # the text as CommonMark (headings, lists, links, emphasis, tables) and its outline
    # (pipelines/extract/markdown.py): the same paragraphs as ``text``
    markdown: str = ""
    headings: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NotArticle:
    """A fetched page that is not archived as an article, and why: listed in ``skipped.jsonl``.
    ``kind``: ``not_article`` (an index, about or contact page...), ``listing`` (tag, category,
    pagination), ``before_since``, ``duplicate_canonical``, ``needs_javascript`` (an unrendered
    JavaScript shell: see ``Page.unrendered``)."""

    url: str
    reason: str
    kind: str = "not_article"
    request_url: str | None = None  # the URL the crawl asked for, when it differs (a redirect)
    score: float | None = None  # the classifier's, for kind not_article (pipelines/extract/classify.py)
    signals: tuple[str, ...] | list[str] = ()  # what it weighed: "og:type website (-0.5)"


@dataclass(frozen=True, slots=True)
class Removal:
    """An archived article's URL now answers 404/410: the archive records a tombstone."""

    url: str
    status: int
    at: str  # when the crawl saw it gone, ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class Settled:
    """The last output of a callback that yields no page or error item: the response's work is
    over. Scrapy hands it to the item pipelines only after every request yielded before it has
    reached the scheduler, so the resume ledger (or a distributed crawl's in-flight record)
    marks the response done only once its links are safely queued."""

    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageError:
    """A failure at one stage for one URL: logged once, counted, written to errors.jsonl."""

    url: str
    stage: str  # discover | fetch | extract | references | normalize | archive
    error: str  # short machine-readable kind, e.g. "http_404", "not_html", "no_main_content"
    message: str  # what a human needs to know
