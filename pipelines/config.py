"""Extraction settings, apart from the extractor: the crawl's main process reads them (and
decides listing pages) without importing ``pipelines.extract``, which only its extraction worker
processes run (importing it costs ~0.1 s of start-up: the reference parser compiles its patterns)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.chrome import (
    DEFAULT_CHROME_MARKERS,
    DEFAULT_CHROME_PHRASES,
    DEFAULT_MARKER_MAX_WORDS,
    ChromeFilter,
)

# Below this many words, a page with no article markup (JSON-LD, og:type) is not a post.
DEFAULT_MIN_ARTICLE_WORDS = 120
# Why a listing page is never an article (and is not parsed to find out).
LISTING_PAGE = "listing page (tag, category, author, date archive or pagination)"


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    chrome_phrases: tuple[str, ...] = DEFAULT_CHROME_PHRASES
    chrome_markers: tuple[str, ...] = DEFAULT_CHROME_MARKERS
    chrome_marker_max_words: int = DEFAULT_MARKER_MAX_WORDS
    min_article_words: int = DEFAULT_MIN_ARTICLE_WORDS
    include_tables: bool = True
    chrome_filter: ChromeFilter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        chrome = ChromeFilter(self.chrome_phrases, self.chrome_markers, self.chrome_marker_max_words)
        object.__setattr__(self, "chrome_filter", chrome)


DEFAULT_CONFIG = ExtractConfig()
