"""Extraction in worker processes gives exactly the records of inline extraction, and survives a
worker that dies."""

from __future__ import annotations

import asyncio
import os

import pytest
from conftest import SITES, CrawlResult, crawl

from crawler.siteserver import SiteServer
from pipelines.extract.article import DEFAULT_CONFIG, build_article
from pipelines.extract.cpus import cgroup_cpu_quota, usable_cpus
from pipelines.extract.pool import ExtractPool, _build_in_worker, worker_count
from pipelines.record.models import Page, PageError

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


def test_workers_default_to_one_per_cpu_and_to_none_on_a_single_cpu():
    assert worker_count(None, cpus=1) == 0
    assert worker_count("", cpus=1) == 0
    assert worker_count(None, cpus=2) == 2
    assert worker_count(None, cpus=8) == 8
    assert worker_count("1", cpus=1) == 1  # asked for: a pool even on one CPU
    assert worker_count("0", cpus=8) == 0
    assert worker_count(-3, cpus=8) == 0
    with pytest.raises(ValueError):
        worker_count("two", cpus=2)


def cgroups(root, v2: dict[str, str] = {}, v1: tuple[str, str] | None = None):  # noqa: B006
    """A cgroup filesystem under ``root``: cpu.max files by cgroup path, and a v1 quota/period."""
    for path, text in v2.items():
        (root / path.strip("/")).mkdir(parents=True, exist_ok=True)
        (root / path.strip("/") / "cpu.max").write_text(text)
    if v1:
        (root / "cpu").mkdir(parents=True, exist_ok=True)
        (root / "cpu" / "cpu.cfs_quota_us").write_text(v1[0])
        (root / "cpu" / "cpu.cfs_period_us").write_text(v1[1])
    return root


@pytest.mark.parametrize(
    "v2, v1, own, quota",
    [
        ({}, None, "/", None),  # no cgroup files at all
        ({"/": "max 100000\n"}, None, "/", None),
        ({"/": "150000 100000\n"}, None, "/", 1.5),  # inside a container: its own cgroup is the root
        ({"/": "x y"}, None, "/", None),
        ({"/": ""}, None, "/", None),
        ({"/a/b": "max 100000", "/a": "200000 100000"}, None, "/a/b", 2.0),  # a parent's limit applies
        ({"/a/b": "50000 100000", "/a": "200000 100000"}, None, "/a/b", 0.5),
        ({"/other": "50000 100000"}, None, "/a", None),  # another cgroup's limit does not
        ({}, ("-1\n", "100000\n"), "/", None),  # cgroup v1 without a quota
        ({}, ("300000\n", "100000\n"), "/", 3.0),
        ({"/": "400000 100000"}, ("100000", "100000"), "/", 1.0),
    ],
)
def test_cgroup_cpu_quota_takes_the_smallest_limit_that_applies(tmp_path, v2, v1, own, quota):
    root = cgroups(tmp_path / "cg", v2, v1)
    assert cgroup_cpu_quota(root, own) == quota


def test_usable_cpus_is_capped_by_a_cgroup_quota_rounded_up(tmp_path):
    affinity = len(os.sched_getaffinity(0))
    assert usable_cpus(cgroups(tmp_path / "none", {"/": "max 100000"})) == affinity
    assert usable_cpus(cgroups(tmp_path / "half", v1=("50000", "100000"))) == 1
    assert usable_cpus(cgroups(tmp_path / "more", v1=(str(affinity * 100000 + 1), "100000"))) == affinity


def pinned_crawl(url: str, output, cpus: set[int]) -> CrawlResult:
    """A crawl with default settings in a process allowed only ``cpus`` (set by the process itself:
    pytest has threads running, so no preexec_fn)."""
    return crawl([url], output, prelude=f"import os\nos.sched_setaffinity(0, {sorted(cpus)!r})")


def test_a_crawl_on_one_cpu_extracts_inline_and_on_more_in_workers(serve, tmp_path):
    """Default settings: the crawl summary says how many extraction workers ran."""
    server = serve("wp-physio")
    cpus = sorted(os.sched_getaffinity(0))
    one = pinned_crawl(f"{server.url}/", tmp_path / "one", {cpus[0]})
    assert one.returncode == 0, one.stderr[-2000:]
    assert one.articles, "the fixture site should yield articles"
    assert one.crawls[-1]["extract_workers"] == 0
    assert "extracting inline" in "".join(f.read_text() for f in (tmp_path / "one" / "logs").glob("*.log"))
    if len(cpus) < 2:
        pytest.skip("one usable CPU: the pooled half of this test needs two")
    both = pinned_crawl(f"{server.url}/", tmp_path / "both", set(cpus[:2]))
    assert both.returncode == 0, both.stderr[-2000:]
    assert both.crawls[-1]["extract_workers"] == 2
    assert stable(both.articles) == stable(one.articles)


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
