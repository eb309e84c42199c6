"""Offline re-extraction: rebuild ``articles.jsonl`` from raw WARC captures, no network.

Captures are read in file order and pass the same decisions the crawl made (on the crawl's
sites, HTML, first page per canonical URL, listing pages, ``--since``), then the same
``build_article``; results are written in order, so the archive equals the live crawl's
(``fetched_at`` is the WARC-Date).

The main process only reads the WARC records and checks their headers; each HTML response goes
to a worker process as received, which decodes it, parses it for its canonical link and
extracts it. The main process then applies the canonical de-duplication and writes, in file
order. (Decoding and parsing in the main process kept ``--jobs 2`` at ~1.2x ``--jobs 1``:
``bench/reextract.py``.)
"""

from __future__ import annotations

import functools
import gc
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from scrapy.http import HtmlResponse

from crawler.discovery import PageDedup, extract_links, html_root, is_listing, response_kind
from crawler.fetch import shell_message, unrendered
from crawler.settings import DOWNLOAD_MAXSIZE
from pipelines.archive import (
    Archive,
    Capture,
    Damage,
    append_crawl_summary,
    iter_captures,
    new_crawl_id,
    warc_started,
)
from pipelines.extract import DEFAULT_CONFIG, ExtractConfig, build_article, html_encoding
from pipelines.record import Article, NotArticle, Page, PageError, Removal, clean_url, site_key, utc_now

log = logging.getLogger(__name__)
# Decoded bodies past this are refused, as the crawl refuses them (DOWNLOAD_MAXSIZE).
MAX_BODY = DOWNLOAD_MAXSIZE
T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class Candidate:
    """A captured HTML response, to be decoded, parsed and extracted in a worker process, or a
    404/410 that tombstones an archived page (``removal``; then ``capture`` is None)."""

    capture: Capture | None
    sites: set[str]
    since: str | None
    removal: Removal | None = None
    crawl_id: str | None = None


@dataclass(slots=True)
class Outcome:
    url: str
    canonical: str | None
    crawl_id: str | None
    sites: set[str]
    since: str | None
    result: Article | NotArticle | PageError | Removal | None


@dataclass(slots=True)
class ReextractStats:
    captures: int = 0
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    damage: list[Damage] = field(default_factory=list)  # regions of the WARC files not read

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def candidate_from_capture(capture: Capture) -> Candidate | None:
    """The response if the spider would have yielded a Page (or a removal) for it, else None.
    Only header checks: this runs in the main process, for every record, in file order."""
    info = capture.info
    sites = set(info.get("clinic-archive-sites", "").split())
    if sites and site_key(capture.url) not in sites:
        return None
    if capture.status in (404, 410):  # a tombstone if the page was archived before
        removal = Removal(clean_url(capture.url) or capture.url, capture.status, capture.date)
        return Candidate(None, sites, None, removal=removal, crawl_id=capture.crawl_id)
    if not 200 <= capture.status < 300:
        return None
    if capture.oversize:  # the crawl refused it too (DOWNLOAD_MAXSIZE, or a decompression bomb)
        return None
    if response_kind(capture.headers.get("content-type", ""), capture.body) != "html":
        return None
    return Candidate(capture, sites, info.get("clinic-archive-since") or None, crawl_id=capture.crawl_id)


def page_from_capture(capture: Capture) -> tuple[Page | None, str | None]:
    """The Page the spider yielded for this HTML response, and the canonical link it deduplicated
    the page by. Decoding and parsing are most of the per-record work: this runs in the workers.
    No page for an unrendered JavaScript shell the crawl fetched again through its browser (the
    rendered capture that follows is the page)."""
    content_type = capture.headers.get("content-type", "")
    # The exact decoding Scrapy applied in the crawl (headers, BOM, <meta charset>, sniffing).
    encoding = html_encoding(content_type, capture.body)  # as the spider corrects a wrong charset
    response = HtmlResponse(
        capture.url, headers={"Content-Type": content_type}, body=capture.body, encoding=encoding
    )
    html = response.text
    # the tree the spider parses the live response into (html_root), for the same canonical link
    root = html_root(response.body, response.encoding, lambda: html)
    canonical = extract_links(root, capture.url).canonical
    max_pagination = _int_field(capture.info, "clinic-archive-max-pagination", 500)
    shell = None if capture.rendered else unrendered(root, capture.discovered_via)
    render = capture.info.get("clinic-archive-render") or "never"  # older crawls rendered nothing
    missing = capture.info.get("clinic-archive-render-missing") or None
    if shell and render != "never" and not missing:
        return None, canonical
    page = Page(
        url=capture.url,
        final_url=capture.url,
        status=capture.status,
        html=html,
        fetched_at=capture.date,
        headers=dict(capture.headers),
        crawl_id=capture.crawl_id,
        listing=is_listing(capture.url, max_pagination),
        discovered_via=capture.discovered_via,
        raw={"warc": capture.warc, "offset": capture.offset, "record_id": capture.record_id},
        rendered=capture.rendered,
        unrendered=shell_message(shell, render, missing) if shell else None,
    )
    return page, canonical


def _int_field(info: dict[str, str], key: str, default: int) -> int:
    """A number the crawl wrote into the warcinfo record; its default when the value is not one
    (a damaged or hand-edited file must not stop a re-extraction)."""
    try:
        return int(info.get(key) or default)
    except ValueError:
        return default


def extract_candidate(candidate: Candidate, config: ExtractConfig = DEFAULT_CONFIG) -> Outcome:
    """Runs in a worker process: the crawl's decoding and canonical link, then its ``build_article``."""
    if candidate.removal is not None:
        removal = candidate.removal
        return Outcome(removal.url, None, candidate.crawl_id, candidate.sites, None, removal)
    assert candidate.capture is not None
    capture = candidate.capture
    page, canonical = page_from_capture(capture)
    result = build_article(page, config) if page is not None else None
    return Outcome(capture.url, canonical, capture.crawl_id, candidate.sites, candidate.since, result)


# Records per task sent to a worker: each task costs the pool ~0.5 ms of the main process (its
# manager and feeder threads, pipe wake-ups), as much as a tenth of a record's extraction.
CHUNK = 8


def order_warcs(files: Iterable[Path]) -> list[Path]:
    """WARC files oldest first: by when each was started (its warcinfo record, to the
    microsecond), else by the UTC second its name starts with (crawl ids do), then by name. The
    names alone tie for two crawls started in the same second (their ids differ only in a random
    suffix), and the order decides which of two captures of a page is version 1."""

    def started(path: Path) -> tuple[datetime, str]:
        when = warc_started(path)
        if when is None:
            try:
                when = datetime.strptime(path.name[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            except ValueError:
                when = datetime.min.replace(tzinfo=UTC)
        return when, path.name

    return sorted(files, key=started)


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], jobs: int, window: int = 0, chunk: int = CHUNK
) -> Iterator[R]:
    """``map`` over worker processes, results in input order, ``chunk`` items per task and at
    most ``window`` tasks in flight (so memory stays flat however large the input)."""
    if jobs <= 1:
        yield from map(fn, items)
        return
    window = window or jobs * 2
    # Forked workers share the parent's objects copy-on-write; freezing them keeps the workers'
    # garbage collector from touching (and so copying) every page of the parent's heap.
    gc.freeze()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[list[R]]] = deque()
        for batch in batched(items, chunk):
            pending.append(pool.submit(_map_list, fn, batch))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _map_list(fn: Callable[[T], R], batch: list[T]) -> list[R]:
    return [fn(item) for item in batch]


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_candidates(
    files: list[Path], stats: ReextractStats, progress: Callable[[int], None], max_body: int = MAX_BODY
) -> Iterator[Candidate]:
    """Pages from the WARC files in order; ``progress`` gets the bytes read since the last call.
    A body is decoded no further than ``max_body`` bytes (the crawl's DOWNLOAD_MAXSIZE)."""
    for path in files:
        last = 0
        for capture in iter_captures(path, max_body=max_body, damage=stats.damage):
            stats.captures += 1
            progress(capture.offset - last)
            last = capture.offset
            if capture.oversize:
                stats.add("too_large")
            candidate = candidate_from_capture(capture)
            if candidate is not None:
                stats.pages += 1
                yield candidate
        progress(path.stat().st_size - last)


def reextract(
    files: list[Path],
    output: Path,
    jobs: int = 1,
    config: ExtractConfig = DEFAULT_CONFIG,
    progress: Callable[[int], None] = lambda n: None,
    max_body: int = MAX_BODY,
) -> ReextractStats:
    """Rebuild an archive in ``output`` from WARC files (oldest first). Returns the counts."""
    stats = ReextractStats()
    run_id = new_crawl_id()
    started = utc_now()
    archive = Archive(output, crawl_id=run_id)
    dedup_by_crawl: dict[str | None, PageDedup] = {}  # the crawl deduplicated within one crawl
    try:
        extract = functools.partial(extract_candidate, config=config)
        for outcome in ordered_map(extract, iter_candidates(files, stats, progress, max_body), jobs):
            result = outcome.result
            if result is None:  # a JavaScript shell the crawl rendered: its rendered capture follows
                stats.add("rendered_again")
                continue
            if isinstance(result, Removal):
                if archive.remove(result.url, result.status, result.at, crawl_id=outcome.crawl_id or run_id):
                    stats.add("articles/removed")
                continue
            dedup = dedup_by_crawl.setdefault(outcome.crawl_id, PageDedup(outcome.sites))
            crawl_id = outcome.crawl_id or run_id
            if not dedup.first_time(outcome.url, outcome.canonical):
                stats.add("duplicate_canonical")
                reason = f"its canonical URL {outcome.canonical or outcome.url} was already archived"
                archive.log_skip(NotArticle(outcome.url, reason, "duplicate_canonical"), crawl_id)
            elif isinstance(result, NotArticle):
                stats.add("not_article")
                archive.log_skip(result, crawl_id)
            elif isinstance(result, PageError):
                archive.log_error(result)
                stats.add(f"error/{result.error}")
            elif outcome.since and result.published and result.published < outcome.since:
                stats.add("before_since")
                reason = f"published {result.published}, before --since {outcome.since}"
                archive.log_skip(NotArticle(result.url, reason, "before_since"), crawl_id)
            else:
                status, _ = archive.add(result, crawl_id=outcome.crawl_id or run_id)
                stats.add(f"articles/{status}")
    finally:
        archive.close()
    append_crawl_summary(
        output,
        {
            "crawl_id": run_id,
            "kind": "reextract",
            "sources": [str(f) for f in files],
            "started_at": started,
            "finished_at": utc_now(),
            "captures": stats.captures,
            "pages_html": stats.pages,
            "counts": dict(sorted(stats.counts.items())),
            "damaged_regions": [d.describe() for d in stats.damage],
        },
    )
    return stats
