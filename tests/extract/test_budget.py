"""The per-page CPU-time budget (pipelines/extract/budget.py, CLINIC_EXTRACT_TIMEOUT).

The budget is exercised for real: a backtracking regex and a CPU loop are cut short by the timer,
and a crawl of a site with one very large post (a real page whose extraction takes seconds, not
a stand-in) records that post as ``extract_timeout``, archives the others, keeps the capture, and
a later ``reextract`` with the default budget turns the capture into an article.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from conftest import crawl, run_cli
from faultserver import HTML, FaultServer, Reply, article_html, filler

from pipelines.extract.article import extract_article
from pipelines.extract.budget import ExtractTimeout, run_with_budget
from pipelines.extract.config import ExtractConfig
from pipelines.record.models import Article, PageError

TIGHT = 0.3  # CPU seconds: far above a normal post (~10 ms), far below the big page (> 1 s)


def spin(seconds: float = 30.0) -> None:
    """Burn CPU in Python for up to ``seconds`` of CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_backtracking_regex_is_cut_short():
    started = time.process_time()
    with pytest.raises(ExtractTimeout):
        run_with_budget(lambda: re.match(r"(a+)+b", "a" * 60), 0.2)  # hours without the budget
    assert time.process_time() - started < 5


def test_a_swallowed_timeout_fires_again():
    """A bare ``except`` in extraction code cannot keep the page running past its budget."""

    def swallow_once() -> None:
        try:  # noqa: SIM105 - written out, as careless code is
            spin()
        except BaseException:  # noqa: BLE001 - what careless code does
            pass
        spin()

    with pytest.raises(ExtractTimeout):
        run_with_budget(swallow_once, 0.1)


def test_the_budget_ends_with_the_call():
    assert run_with_budget(lambda: 42, 0.05) == 42
    spin(0.3)  # no late signal reaches code after the budget


def test_no_budget_means_none():
    assert run_with_budget(lambda: spin(0.2) or "done", None) == "done"
    assert run_with_budget(lambda: "done", 0) == "done"


def test_outside_the_main_thread_the_call_runs_without_a_budget():
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(run_with_budget(lambda: spin(0.2) or 1, 0.05)))
    thread.start()
    thread.join()
    assert results == [1]


def big_post(paragraphs: int = 12_000) -> str:
    """A real post, ~3 MB: many paragraphs with citation markers and a reference list."""
    body = [
        f"Session {i}: gentle loading helps tendon pain settle (Smith et al., 2019). "
        f"Patients kept their exercise diary [1]. Pain fell over six weeks in most of them."
        for i in range(paragraphs)
    ]
    html = article_html("A very long post", body)
    refs = "<h2>References</h2><ol><li>Smith J, Lee K. Loading and tendon pain. J Pain. 2019;1:1-2.</li></ol>"
    return html.replace("</article>", refs + "</article>")


def test_extract_article_gives_up_a_page_over_budget():
    html = big_post()
    result = extract_article(html, "https://clinic.example/blog/long/", config=ExtractConfig(timeout=TIGHT))
    assert isinstance(result, PageError)
    assert (result.stage, result.error) == ("extract", "extract_timeout")
    assert "CLINIC_EXTRACT_TIMEOUT" in result.message
    # the same page within the default budget is an article
    assert isinstance(extract_article(html, "https://clinic.example/blog/long/"), Article)


def slow_site(base: str) -> dict[str, Reply]:
    posts = {
        f"/blog/post-{i}/": Reply(body=article_html(f"Post {i}", filler(f"topic {i}")).encode())
        for i in range(3)
    }
    posts["/blog/very-long-post/"] = Reply(body=big_post().encode(), content_type=HTML)
    urls = "".join(f"<url><loc>{base}{path}</loc></url>" for path in posts)
    sitemap = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    home = "".join(f'<a href="{path}">{path}</a>' for path in posts)
    return {
        **posts,
        "/": Reply(body=f"<html><body><h1>Blog</h1>{home}</body></html>".encode()),
        "/robots.txt": Reply(body=f"Sitemap: {base}/sitemap.xml\n".encode(), content_type="text/plain"),
        "/sitemap.xml": Reply(body=sitemap.encode(), content_type="application/xml"),
    }


@pytest.mark.parametrize("workers", ["0", "2"], ids=["inline", "pool"])
def test_a_crawl_records_a_page_over_budget_and_goes_on(tmp_path: Path, workers: str):
    with FaultServer(slow_site) as server:
        result = crawl(
            [f"{server.url}/"],
            tmp_path / "out",
            "-s", f"CLINIC_EXTRACT_TIMEOUT={TIGHT}",
            "-s", f"CLINIC_EXTRACT_WORKERS={workers}",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert sorted(r["url"].rsplit("/", 2)[-2] for r in result.articles) == ["post-0", "post-1", "post-2"]
    timeouts = [e for e in result.errors if e["error"] == "extract_timeout"]
    assert [e["url"].rsplit("/", 2)[-2] for e in timeouts] == ["very-long-post"]
    assert timeouts[0]["stage"] == "extract"
    assert result.crawls[-1]["errors"].get("extract_timeout") == 1

    # the capture was kept: re-extraction within the same budget says so again, with the default
    # budget it makes the article
    warcs = [str(p) for p in (tmp_path / "out" / "raw").glob("*.warc.gz")]
    again = run_cli("reextract", *warcs, "-o", str(tmp_path / "tight"), "--extract-timeout", str(TIGHT))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "3 article versions written" in again.stdout and "1 errors" in again.stdout
    default = run_cli("reextract", *warcs, "-o", str(tmp_path / "default"), "--jobs", "1")
    assert default.returncode == 0, default.stderr[-2000:]
    assert "4 article versions written" in default.stdout
