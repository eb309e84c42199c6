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
