"""The record: the dataclasses every stage passes on (``Page``, ``Article``, ``Reference``...),
normalisation of names, dates and text, URLs and sites, and the JSON Schema with its validation.
The lowest layer: it imports no other stage.
"""

from typing import TYPE_CHECKING

from pipelines._exports import lazy_exports

# public name -> the module that defines it, loaded on first use (pipelines/_exports.py)
_EXPORTS = {
    "Article": "models",
    "Author": "models",
    "Citation": "models",
    "NotArticle": "models",
    "DISCOVERY_SOURCES": "models",
    "Page": "models",
    "discovery_order": "models",
    "PageError": "models",
    "Reference": "models",
    "Removal": "models",
    "Settled": "models",
    "article_id": "normalize",
    "clean_line": "normalize",
    "content_hash": "normalize",
    "iso_date": "normalize",
    "join_paragraphs": "normalize",
    "is_credential": "normalize",
    "parse_author": "normalize",
    "parse_date": "normalize",
    "parse_datetime": "normalize",
    "split_authors": "normalize",
    "utc_now": "normalize",
    "solid_chars": "normalize",
    "word_count": "normalize",
    "BLOG_SECTION": "urls",
    "DEFAULT_PORTS": "urls",
    "LISTING_PATH": "urls",
    "LISTING_QUERY": "urls",
    "clean_url": "urls",
    "site_key": "urls",
    "site_root": "urls",
    "url_score": "urls",
    "url_signals": "urls",
    "record_problems": "validate",
    "ARTICLE_SCHEMA": "models",
    "SCHEMAS": "validate",
    "kind_of_file": "validate",
    "schema": "validate",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pipelines.record.models import (
        ARTICLE_SCHEMA,
        DISCOVERY_SOURCES,
        Article,
        Author,
        Citation,
        NotArticle,
        Page,
        PageError,
        Reference,
        Removal,
        Settled,
        discovery_order,
    )
    from pipelines.record.normalize import (
        article_id,
        clean_line,
        content_hash,
        is_credential,
        iso_date,
        join_paragraphs,
        parse_author,
        parse_date,
        parse_datetime,
        solid_chars,
        split_authors,
        utc_now,
        word_count,
    )
    from pipelines.record.urls import (
        DEFAULT_PORTS,
        LISTING_PATH,
        LISTING_QUERY,
        clean_url,
        site_key,
        site_root,
        url_score,
        url_signals,
    )
    from pipelines.record.validate import SCHEMAS, kind_of_file, record_problems, schema
