"""Extraction: (url, html) -> an ``Article`` or the reason it is not one. Main text and chrome
removal, CMS profiles, metadata (JSON-LD, OpenGraph, bylines, dates), the article/not-article
decision, encodings, the per-page CPU budget and the process pool the crawl runs it in.
Imports ``pipelines.references`` and ``pipelines.record``.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "build_article": "article",
    "extract_article": "article",
    "ExtractTimeout": "budget",
    "run_with_budget": "budget",
    "DEFAULT_CHROME_MARKERS": "chrome",
    "DEFAULT_CHROME_PHRASES": "chrome",
    "DEFAULT_MARKER_MAX_WORDS": "chrome",
    "DEFAULT_CONFIG": "config",
    "DEFAULT_EXTRACT_TIMEOUT": "config",
    "ExtractConfig": "config",
    "listing_verdict": "config",
    "usable_cpus": "cpus",
    "codec_name": "encoding",
    "html_encoding": "encoding",
    "html_parser": "htmltree",
    "ExtractPool": "pool",
    "start_fork_server": "pool",
    "worker_count": "pool",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.extract.article import build_article, extract_article
    from pipelines.extract.budget import ExtractTimeout, run_with_budget
    from pipelines.extract.chrome import (
        DEFAULT_CHROME_MARKERS,
        DEFAULT_CHROME_PHRASES,
        DEFAULT_MARKER_MAX_WORDS,
    )
    from pipelines.extract.config import (
        DEFAULT_CONFIG,
        DEFAULT_EXTRACT_TIMEOUT,
        ExtractConfig,
        listing_verdict,
    )
    from pipelines.extract.cpus import usable_cpus
    from pipelines.extract.encoding import codec_name, html_encoding
    from pipelines.extract.htmltree import html_parser
    from pipelines.extract.pool import ExtractPool, start_fork_server, worker_count
