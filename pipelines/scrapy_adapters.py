"""Thin Scrapy item pipelines: each calls one pure function and counts what happened."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from typing import Any

from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from pipelines.archive import Archive, ArchiveError
from pipelines.extract import ExtractConfig, ExtractPool, listing_verdict, worker_count
from pipelines.record import Article, NotArticle, Page, PageError, Removal, Settled

log = logging.getLogger(__name__)


def extract_config(settings: Any) -> ExtractConfig:
    """The extraction settings of ``crawler/settings.py`` as an ``ExtractConfig``."""
    defaults = ExtractConfig()
    return ExtractConfig(
        chrome_phrases=tuple(settings.getlist("CLINIC_CHROME_PHRASES", defaults.chrome_phrases)),
        chrome_markers=tuple(settings.getlist("CLINIC_CHROME_MARKERS", defaults.chrome_markers)),
        chrome_marker_max_words=settings.getint(
            "CLINIC_CHROME_MARKER_MAX_WORDS", defaults.chrome_marker_max_words
        ),
        keep_non_articles=settings.getbool("CLINIC_KEEP_NON_ARTICLES", defaults.keep_non_articles),
        timeout=settings.getfloat("CLINIC_EXTRACT_TIMEOUT", defaults.timeout or 0) or None,
    )


class ExtractPipeline:
    """Page -> Article (or drop a page that is not an article).

    Extraction runs in a process pool of ``CLINIC_EXTRACT_WORKERS`` (default: one per usable
    CPU, none with a single CPU) kept for the whole crawl, so the reactor goes on fetching
    meanwhile; 0 runs it inline.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.config = extract_config(crawler.settings)
        self.workers = worker_count(crawler.settings.get("CLINIC_EXTRACT_WORKERS"))
        self.start_method = crawler.settings.get("CLINIC_EXTRACT_START_METHOD") or "forkserver"
        self.pool: ExtractPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.crawler.stats.set_value("clinic/extract_workers", self.workers)
        if self.workers:
            log.info("extracting in %d worker processes", self.workers)
            self.pool = ExtractPool(self.workers, self.config, self.start_method)
            try:
                self.pool.start()
            except OSError as exc:  # the pool only saves time: extract in this process instead
                log.warning("cannot start the extraction workers (%s): extracting inline", exc)
                self.pool, self.workers = None, 0
                self.crawler.stats.set_value("clinic/extract_workers", 0)
        else:
            log.info("extracting inline, in the crawl process (CLINIC_EXTRACT_WORKERS=0 or one usable CPU)")

    def close_spider(self) -> None:
        if self.pool:
            self.crawler.stats.set_value("clinic/extract_pool_restarts", self.pool.restarts)
            self.pool.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        if item.listing and not self.config.keep_non_articles:  # no trip to a worker: the URL decides
            result: Article | NotArticle | PageError = listing_verdict(item.final_url or item.url)
        elif self.pool:
            result = await self.pool.build(item)
        else:  # inline; imported here, as with a pool only the workers need the extractor
            from pipelines.extract import build_article

            result = build_article(item, self.config)
        if isinstance(result, NotArticle):
            self.crawler.stats.inc_value("clinic/not_article")
            if result.kind == "needs_javascript":
                self.crawler.stats.inc_value("clinic/skipped/needs_javascript")
            return replace(result, request_url=item.url)  # listed in skipped.jsonl by the archive
        since = getattr(self.crawler.spider, "since", None)
        if (
            isinstance(result, Article)
            and since
            and result.published
            and result.published < since.isoformat()
        ):
            self.crawler.stats.inc_value("clinic/skipped/before_since")
            reason = f"published {result.published}, before --since {since.isoformat()}"
            return NotArticle(result.url, reason, "before_since", request_url=item.url)
        return result


def stop_crawl(crawler: Any, message: str, closing: bool = False) -> None:
    """Stop the crawl because its output cannot be written (disk full, permissions): said once,
    kept in the crawl summary as ``fatal``, and the job stays resumable."""
    if crawler.stats.get_value("clinic/fatal"):
        return
    crawler.stats.set_value("clinic/fatal", message)
    log.critical("stopping the crawl: %s", message)
    if not closing:
        deferred_from_coro(crawler.engine.close_spider_async(reason="archive_error"))


class ArchivePipeline:
    """Article -> a line in articles.jsonl; PageError -> a line in errors.jsonl.
    Once a write fails the crawl stops and nothing more is written: every later item is
    dropped unwritten (and not marked done, so resuming the crawl fetches it again)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.directory = crawler.settings.get("CLINIC_OUTPUT_DIR")
        if not self.directory:
            raise NotConfigured("CLINIC_OUTPUT_DIR is empty")
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            shard = self.crawler.settings.get("CLINIC_SHARD") or None  # a distributed worker's own files
            spider = self.crawler.spider
            # a worker's shard continues the versions of pages other shards archived (the spider's
            # known pages include those crawl --redis published)
            known = {p.id: p for p in spider.known.values()}.values() if shard else ()
            self.archive = Archive(self.directory, crawl_id=spider.crawl_id, shard=shard, known=known)
        except ArchiveError as exc:
            stop_crawl(self.crawler, str(exc))

    def close_spider(self) -> None:
        if self.archive:
            try:
                self.archive.close()
            except ArchiveError as exc:
                stop_crawl(self.crawler, str(exc), closing=True)

    def _finished(self, *urls: str | None) -> None:
        """Tell a resumable crawl's ledger that this page is safely archived."""
        finished = getattr(self.crawler.spider, "finished", None)
        if finished:
            finished(*urls)

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        if isinstance(item, Settled):  # a response with nothing to archive; its links are queued
            self._finished(*item.urls)
            raise DropItem("settled: nothing to archive", log_level="DEBUG")
        if self.archive is None or stats.get_value("clinic/fatal"):
            raise DropItem("not written: the crawl is stopping (see clinic/fatal)", log_level="DEBUG")
        try:
            tally = getattr(self.crawler, "site_tally", None)  # crawler/sites.py, when it runs
            if isinstance(item, Article):
                status, record = self.archive.add(item)
                stats.inc_value(f"clinic/articles/{status}")
                if tally is not None:
                    tally.article(item.url, status)
                self._finished(item.request_url, item.url)
                return record
            if isinstance(item, Removal):
                record = self.archive.remove(item.url, item.status, item.at)
                self._finished(item.url)
                if record is None:
                    raise DropItem("already removed", log_level="DEBUG")
                stats.inc_value("clinic/articles/removed")
                if tally is not None:
                    tally.article(item.url, "removed")
                return record
            if isinstance(item, NotArticle):  # every page not archived is listed, with why
                self.archive.log_skip(item)
                if tally is not None and item.kind in ("not_article", "needs_javascript", "listing"):
                    tally.not_article(item.url)
                self._finished(item.request_url, item.url)
                raise DropItem(f"not archived ({item.kind}): {item.reason}", log_level="DEBUG")
            if isinstance(item, PageError):
                self.archive.log_error(item)
                stats.inc_value(f"clinic/errors/{item.error}")
                if tally is not None:
                    tally.error(item.url, item.error)
                log.warning("%s failed at %s: %s (%s)", item.url, item.stage, item.message, item.error)
                raise DropItem(f"error recorded: {item.error}", log_level="DEBUG")
        except ArchiveError as exc:
            stop_crawl(self.crawler, str(exc))
            raise DropItem(str(exc), log_level="DEBUG") from exc
        except (OSError, sqlite3.Error) as exc:  # out of file descriptors, say: the item is not lost
            message = f"cannot write to the archive in {self.directory}: {exc}"
            stop_crawl(self.crawler, message)
            raise DropItem(message, log_level="DEBUG") from exc
        return item
