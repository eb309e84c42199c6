"""Crawl-level extensions: the summary written to crawls.jsonl, live progress output, and the
bound on pages waiting for extraction."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from pipelines import TOOL
from pipelines.archive import ArchiveError, append_crawl_summary
from pipelines.record import utc_now

log = logging.getLogger(__name__)


def _group(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}


def crawl_summary(
    stats: dict[str, Any], spider: Any, output: str, reason: str, started: float
) -> dict[str, Any]:
    """The crawls.jsonl line: counts from Scrapy's stats collector, nothing counted twice."""
    articles = _group(stats, "clinic/articles/")
    errors = _group(stats, "clinic/errors/")
    return {
        "crawl_id": spider.crawl_id,
        "tool": TOOL,
        "seeds": spider.seeds,
        "output": output,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "finished_at": utc_now(),
        "duration_s": round(time.time() - started, 2),
        "finish_reason": reason,
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "pages_html": stats.get("clinic/pages_html", 0),
        # pages fetched again through the browser (--render), and how the browser fared
        "rendered": stats.get("clinic/render/pages", 0),
        "render": _group(stats, "clinic/render/"),
        "articles": {k: articles.get(k, 0) for k in ("new", "changed", "unchanged", "removed")},
        "not_modified": stats.get("clinic/not_modified", 0),
        "not_articles": stats.get("clinic/not_article", 0),
        "errors_total": sum(errors.values()),
        "errors": errors,
        "skipped": _group(stats, "clinic/skipped/"),
        "max_pages": getattr(spider, "max_pages", 0) or None,  # --max-pages; skipped.max_pages: refused
        "offsite_sitemaps": stats.get("clinic/offsite_sitemaps", 0),
        "blocked_addresses": stats.get("clinic/errors/blocked_address", 0),
        "extract_workers": stats.get("clinic/extract_workers", 0),
        "fatal": stats.get("clinic/fatal"),
        # a distributed worker's own figures: requests re-queued, politeness waits, ... (else {})
        "distributed": _group(stats, "clinic/distributed/"),
    }


class CrawlSummary:
    """Appends one summary line per crawl to ``OUTPUT/crawls.jsonl``."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.output = crawler.settings.get("CLINIC_OUTPUT_DIR")
        self.started = time.time()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlSummary:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        self.started = time.time()

    def spider_closed(self, spider: Any, reason: str) -> None:
        summary = crawl_summary(self.crawler.stats.get_stats(), spider, self.output, reason, self.started)
        try:
            append_crawl_summary(self.output, summary, self.crawler.settings.get("CLINIC_SHARD") or None)
        except ArchiveError as exc:
            log.error("could not write the crawl summary: %s", exc)


class Progress:
    """Live counts while crawling, on a terminal; nothing elsewhere (the summary says the end)."""

    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None
        self.console: Any = None
        self.live: Any = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("CLINIC_PROGRESS"):
            raise NotConfigured
        return cls(crawler, crawler.settings.getfloat("CLINIC_PROGRESS_INTERVAL", 0.5))

    def line(self) -> str:
        stats = self.crawler.stats.get_stats()
        articles = _group(stats, "clinic/articles/")
        errors = sum(_group(stats, "clinic/errors/").values())
        queued = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
        return (
            f"pages fetched {stats.get('downloader/response_count', 0)} · "
            f"articles written {articles.get('new', 0) + articles.get('changed', 0)}"
            f" (unchanged {articles.get('unchanged', 0)}) · "
            f"not articles {stats.get('clinic/not_article', 0)} · errors {errors} · queued {queued}"
        )

    def spider_opened(self, spider: Any) -> None:
        from rich.console import Console
        from rich.live import Live

        self.console = Console(stderr=True)
        # A terminal only: a log or a pipe gets the summary at the end (and Scrapy's log its
        # periodic stats), not progress lines that are stale by the time anyone reads them.
        if self.console.is_terminal:
            self.live = Live(self.line(), console=self.console, refresh_per_second=4, transient=True)
            self.live.start()
            self.task = create_looping_call(self.refresh)
            self.task.start(self.interval)

    def refresh(self) -> None:
        self.live.update(self.line())

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        if self.live:
            self.live.stop()


class ScraperBacklog:
    """Counts each response waiting in Scrapy's scraper (for its callback, extraction and the
    archive) as at least ``CLINIC_SCRAPER_RESPONSE_COST`` bytes against
    ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, instead of Scrapy's 1 KB.

    Scrapy stops taking new responses when the bodies waiting reach that size (5 MB), but a
    small page costs far more than its body while it waits: the decoded text, the request and
    headers, the pending extraction job (~40 KB measured on 2 KB posts). When fetching outruns
    extraction, as in a broad crawl of many small sites, 5 MB of 2 KB pages was ~3,000 pages
    and ~130 MB; counted at 32 KB it is ~150, plenty to keep the extraction workers busy."""

    def __init__(self, crawler: Any, cost: int) -> None:
        self.crawler = crawler
        self.cost = cost
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ScraperBacklog:
        cost = crawler.settings.getint("CLINIC_SCRAPER_RESPONSE_COST")
        if cost <= 0:
            raise NotConfigured
        return cls(crawler, cost)

    def spider_opened(self, spider: Any) -> None:
        slot = getattr(getattr(self.crawler.engine, "scraper", None), "slot", None)
        if slot is not None and hasattr(slot, "MIN_RESPONSE_SIZE"):
            slot.MIN_RESPONSE_SIZE = max(self.cost, type(slot).MIN_RESPONSE_SIZE)
