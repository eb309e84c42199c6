"""Extraction in worker processes gives exactly the records of inline extraction, and survives a
worker that dies."""

from __future__ import annotations

import asyncio
import os

import pytest
from conftest import SITES, crawl

from crawler.siteserver import SiteServer
from pipelines.extract import DEFAULT_CONFIG, build_article
from pipelines.extract_pool import ExtractPool, _build_in_worker
from pipelines.models import Page, PageError

VOLATILE = ("fetched_at", "crawl", "raw")  # differ between any two crawls (raw: a pointer into its WARC)


def stable(records: list[dict]) -> dict[str, dict]:
    return {r["id"]: {k: v for k, v in r.items() if k not in VOLATILE} for r in records}


@pytest.mark.parametrize("site", ["wp-physio", "squarespace-chiro", "wix-dental"])
def test_pool_and_inline_crawls_write_the_same_records(site, tmp_path):
    with SiteServer(SITES / site) as server:
        inline = crawl([f"{server.url}/"], tmp_path / "inline", "-s", "CLINIC_EXTRACT_WORKERS=0")
        pooled = crawl([f"{server.url}/"], tmp_path / "pooled", "-s", "CLINIC_EXTRACT_WORKERS=2")
    assert inline.returncode == 0, inline.stderr
    assert pooled.returncode == 0, pooled.stderr
    assert inline.articles, "the fixture site should yield articles"
    assert stable(pooled.articles) == stable(inline.articles)
    assert sorted((e["url"], e["error"]) for e in pooled.errors) == sorted(
        (e["url"], e["error"]) for e in inline.errors
    )


def fixture_page(name: str = "wp-physio") -> Page:
    html = (SITES / name / "blog" / "dry-needling-fibromyalgia" / "index.html").read_text("utf-8")
    url = "http://127.0.0.1:8000/blog/dry-needling-fibromyalgia/"
    return Page(url=url, final_url=url, status=200, html=html, fetched_at="2026-01-01T00:00:00Z")


def crash_on_marked_page(page: Page):
    """A worker task that dies like a segfault on pages whose URL says so."""
    if "crash" in page.url:
        os._exit(1)
    return _build_in_worker(page)


class CrashingPool(ExtractPool):
    task = staticmethod(crash_on_marked_page)


def run_pool(pool: ExtractPool, pages: list[Page]) -> list:
    async def go() -> list:
        pool.start()
        try:
            return await asyncio.gather(*(pool.build(p) for p in pages))
        finally:
            pool.close()

    return asyncio.run(go())


def test_pool_result_equals_inline_result():
    page = fixture_page()
    assert run_pool(ExtractPool(1, DEFAULT_CONFIG), [page]) == [build_article(page, DEFAULT_CONFIG)]


def test_a_dead_worker_costs_one_page_not_the_crawl():
    good = fixture_page()
    bad = Page(
        url="http://127.0.0.1:8000/crash/",
        final_url="http://127.0.0.1:8000/crash/",
        status=200,
        html="<html></html>",
        fetched_at="2026-01-01T00:00:00Z",
    )
    pool = CrashingPool(2, DEFAULT_CONFIG)
    results = run_pool(pool, [bad, good])
    assert isinstance(results[0], PageError) and results[0].error == "worker_crashed"
    assert results[1] == build_article(good, DEFAULT_CONFIG)
    assert pool.restarts >= 1
    assert run_pool(CrashingPool(1, DEFAULT_CONFIG), [good]) == [results[1]]


def echo_size(page: Page):
    """A worker task that answers at once: the pool's plumbing without the extractor's time."""
    if "raise" in page.url:
        raise ValueError(f"cannot handle {page.url}")
    return (page.url, len(page.html))


class EchoPool(ExtractPool):
    task = staticmethod(echo_size)


def page_of(url: str, size: int) -> Page:
    return Page(url=url, final_url=url, status=200, html="x" * size, fetched_at="2026-01-01T00:00:00Z")


def test_many_pages_few_workers_each_answer_reaches_its_page():
    """More pages than workers can hold (they wait in the pool's queue), pages larger than a socket
    buffer (sent in pieces as the socket drains), answers matched to their pages by id."""
    pages = [page_of(f"http://127.0.0.1:8000/p{i}/", (i * 7919) % 50_000) for i in range(200)]
    pages += [page_of("http://127.0.0.1:8000/big/", 12_000_000)]
    results = run_pool(EchoPool(2, DEFAULT_CONFIG), pages)
    assert results == [(p.url, len(p.html)) for p in pages]


def test_an_exception_in_the_task_reaches_its_page_only():
    pages = [page_of("http://127.0.0.1:8000/ok/", 10), page_of("http://127.0.0.1:8000/raise/", 10)]
    pool = EchoPool(1, DEFAULT_CONFIG)

    async def go() -> list:
        pool.start()
        try:
            return await asyncio.gather(*(pool.build(p) for p in pages), return_exceptions=True)
        finally:
            pool.close()

    ok, failed = asyncio.run(go())
    assert ok == ("http://127.0.0.1:8000/ok/", 10)
    assert isinstance(failed, ValueError) and "raise" in str(failed)
    assert pool.restarts == 0


def test_pages_queued_behind_a_crashing_page_are_all_extracted():
    """A worker dies holding the culprit and the page sent after it; pages still in the queue go
    to its replacement. Only the culprit is lost."""
    good = fixture_page()
    bad = Page(url="http://127.0.0.1:8000/crash/", final_url="http://127.0.0.1:8000/crash/", status=200,
               html="<html></html>", fetched_at="2026-01-01T00:00:00Z")  # fmt: skip
    pool = CrashingPool(1, DEFAULT_CONFIG)
    results = run_pool(pool, [good, bad, good, good, good])
    expected = build_article(good, DEFAULT_CONFIG)
    assert results[1] == PageError(bad.url, "extract", "worker_crashed", "the extraction worker process died")
    assert results[0] == results[2] == results[3] == results[4] == expected
    assert pool.restarts == 2  # the first attempt and the retry each killed a worker
