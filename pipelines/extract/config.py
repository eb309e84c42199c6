"""Extraction settings, apart from the extractor: the crawl's main process reads them (and
judges listing pages, ``listing_verdict``) without importing ``pipelines.extract.article``, which only its
extraction worker processes run (importing it costs ~0.1 s of start-up: the reference parser
compiles its patterns)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.extract.chrome import (
    DEFAULT_CHROME_MARKERS,
    DEFAULT_CHROME_PHRASES,
    DEFAULT_MARKER_MAX_WORDS,
    ChromeFilter,
)
from pipelines.record import NotArticle

# CPU seconds one page's extraction may take (pipelines/extract/budget.py). A post takes ~10 ms and a
# 20 MB page a few seconds; a page over this is recorded as ``extract_timeout`` and skipped.
DEFAULT_EXTRACT_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    chrome_phrases: tuple[str, ...] = DEFAULT_CHROME_PHRASES
    chrome_markers: tuple[str, ...] = DEFAULT_CHROME_MARKERS
    chrome_marker_max_words: int = DEFAULT_MARKER_MAX_WORDS
    include_tables: bool = True
    keep_non_articles: bool = False  # archive pages judged not articles too, with their page_type
    timeout: float | None = DEFAULT_EXTRACT_TIMEOUT  # CPU seconds a page; None: no budget
    chrome_filter: ChromeFilter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        chrome = ChromeFilter(self.chrome_phrases, self.chrome_markers, self.chrome_marker_max_words)
        object.__setattr__(self, "chrome_filter", chrome)


DEFAULT_CONFIG = ExtractConfig()


def listing_verdict(url: str) -> NotArticle:
    """A listing page (tag, category, author, date archive, pagination) is never an article, and
    is not parsed to find out: what ``extract_article`` and the crawl's item pipeline both say."""
    return NotArticle(url, "listing page (tag, category, author, date archive or pagination)", "listing")
