"""``clinic-archive verify``: every reference of each article's newest version checked against
Crossref and PubMed, one line each in ``OUTPUT/verification.jsonl`` (replaced whole by each run;
the archive itself is never touched).

Two passes over the archive keep memory to the set of distinct requests: the first plans a
request per reference and asks each distinct one once (the cache first, then the services
through a small thread pool and one rate limit); the second reads the answers back from the
cache and writes the lines."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from crawler.verify.cache import ResponseCache
from crawler.verify.client import HttpClient, RateLimiter
from pipelines import TOOL
from pipelines.archive import ARTICLES, export_records
from pipelines.record import Reference, utc_now
from pipelines.verify import (
    STATUSES,
    VERIFICATION,
    Lookup,
    Reply,
    RetractionIndex,
    as_reference,
    plan_lookup,
    result_line,
    summarise,
    verify_reference,
)

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
DEFAULT_PUBMED_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
PROJECT_URL = "https://github.com/clinic-archive/clinic-archive"
# Crossref's public pool asks for no more than a few requests a second, NCBI for at most 3 a
# second without an API key: 3 a second overall, 2 at a time, suits both.
DEFAULT_RATE = 3.0
DEFAULT_CONCURRENCY = 2
DEFAULT_TIMEOUT = 30.0  # seconds for one answer
OFFLINE_MISS = "offline: not cached"


@dataclass
class VerifyOptions:
    crossref_url: str = DEFAULT_CROSSREF_URL
    pubmed_url: str = DEFAULT_PUBMED_URL
    mailto: str | None = None
    retractions: RetractionIndex | None = None
    offline: bool = False
    rate: float = DEFAULT_RATE  # requests a second overall; 0: no limit
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = DEFAULT_TIMEOUT


@dataclass
class VerifyReport:
    path: Path
    articles: int = 0
    references: int = 0
    lookups: int = 0  # distinct requests the references needed
    requests: int = 0  # HTTP requests sent, retries included
    cache_hits: int = 0  # distinct requests answered by the cache
    counts: dict[str, int] = field(default_factory=dict)


def user_agent(mailto: str | None) -> str:
    """Crossref's etiquette: the tool, its version, a way to reach whoever runs it."""
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"{TOOL} (+{PROJECT_URL}; reference verification{contact})"


def request_url(lookup: Lookup, options: VerifyOptions) -> str:
    """The full URL of ``lookup``: the service's base, the path, the parameters, the etiquette
    (``mailto`` for Crossref; ``tool`` and ``email`` for NCBI's E-utilities)."""
    base = options.crossref_url if lookup.service == "crossref" else options.pubmed_url
    params = list(lookup.params)
    if options.mailto and lookup.service == "crossref":
        params.append(("mailto", options.mailto))
    elif lookup.service == "pubmed":
        params.append(("tool", TOOL.split()[0]))
        if options.mailto:
            params.append(("email", options.mailto))
    query = f"?{urlencode(params)}" if params else ""
    return f"{base.rstrip('/')}/{lookup.path}{query}"


def planned(output: Path) -> Iterator[tuple[dict[str, Any], Reference, Lookup | None]]:
    for article in export_records(output / ARTICLES):  # the newest versions, no tombstones
        for entry in article.get("references") or []:
            ref = as_reference(entry)
            yield article, ref, plan_lookup(ref)


class Fetcher:
    """Asks each distinct URL once: the cache, else (online) the service, keeping what is worth
    keeping. Answers not kept (errors) stay in memory for the second pass."""

    def __init__(self, output: Path, options: VerifyOptions) -> None:
        self.cache = ResponseCache(output)
        self.offline = options.offline
        self.client = HttpClient(user_agent(options.mailto), RateLimiter(options.rate), options.timeout)
        self.concurrency = options.concurrency
        self.uncached: dict[str, Reply] = {}
        self.cache_hits = 0

    def fetch_all(self, urls: list[str], progress: Callable[[int, int], None] | None = None) -> None:
        missing = []
        for url in urls:
            if self.cache.path(url).exists():
                self.cache_hits += 1
            elif self.offline:
                self.uncached[url] = Reply(error=OFFLINE_MISS)
            else:
                missing.append(url)
        done = len(urls) - len(missing)
        if progress:
            progress(done, len(urls))
        window = max(1, self.concurrency) * 4  # requests queued ahead of the pool, no more
        todo = iter(missing)
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="verify") as pool:
            running: set[Future[None]] = set()
            try:
                while True:
                    for url in todo:
                        running.add(pool.submit(self._fetch, url))
                        if len(running) >= window:
                            break
                    if not running:
                        break
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        future.result()
                    done += len(finished)
                    if progress:
                        progress(done, len(urls))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _fetch(self, url: str) -> None:
        reply = self.client.get(url)
        if not self.cache.put(url, reply):
            self.uncached[url] = reply

    def answer(self, url: str) -> Reply:
        return self.uncached.get(url) or self.cache.get(url) or Reply(error="the cached answer is unreadable")


def run_verify(
    output: Path, options: VerifyOptions, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Check every reference and write OUTPUT/verification.jsonl (temp file, then rename)."""
    fetcher = Fetcher(output, options)
    urls = list(dict.fromkeys(request_url(lookup, options) for _, _, lookup in planned(output) if lookup))
    fetcher.fetch_all(urls, progress)
    report = VerifyReport(output / VERIFICATION, lookups=len(urls))
    articles: set[str] = set()

    def results() -> Iterator[dict[str, Any]]:
        for article, ref, lookup in planned(output):
            reply = fetcher.answer(request_url(lookup, options)) if lookup else None
            outcome = verify_reference(ref, lookup, reply, options.retractions)
            articles.add(article["id"])
            yield result_line(article, ref, outcome, utc_now())

    tmp = output / f".{VERIFICATION}.{os.getpid()}.tmp"
    try:
        with tmp.open("w", encoding="utf-8") as out:
            report.counts = summarise(written(out, results()))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, report.path)
    finally:
        tmp.unlink(missing_ok=True)
    report.articles = len(articles)
    report.references = sum(report.counts.get(status, 0) for status in STATUSES)
    report.requests, report.cache_hits = fetcher.client.counts.requests, fetcher.cache_hits
    return report


def written(out: TextIO, lines: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each line, once written to ``out``."""
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        yield line
