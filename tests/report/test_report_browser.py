"""The report in a real browser: headless Chromium opens the HTML file from disk with the network
off, every chart must paint, the console must stay clean, and a screenshot is kept in
``test-artifacts/report.png``. On the archive of things to fix (tests/fixtures/report-problems),
the new sections are there, a click on a column header sorts the posts table and typing in the
filter hides rows; without JavaScript the table is a plain table; markup in the archive never runs.

Uses Debian's ``chromium`` (``.ci/run`` installs it) driven by Playwright; Playwright's own
browser downloads are never used. Skips only when no Chromium binary is installed.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import ROOT

from crawler.fetch import chromium_binary  # $CHROMIUM, Debian's /usr/bin/chromium, the PATH
from pipelines.report.build import report_from_scan
from pipelines.report.neardup import Signer
from pipelines.report.render import render_html
from pipelines.report.scan import scan_archive

FIXTURE = ROOT / "tests" / "fixtures" / "report"
PROBLEMS = ROOT / "tests" / "fixtures" / "report-problems"
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS_JS = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const svg = f.querySelector('svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {name: f.dataset.chart, width: box.width, height: box.height,
          marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0};
})"""


def distinct_colours(png: bytes) -> int:
    from matplotlib.image import imread

    pixels = imread(io.BytesIO(png), format="png")
    return len({tuple(p) for p in pixels.reshape(-1, pixels.shape[-1])[::7].tolist()})


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    report = report_from_scan(scan_archive(FIXTURE, signer=Signer(), workers=0))
    path.write_text(render_html(report), encoding="utf-8")
    return path


def chromium() -> str:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "no Chromium binary: install Debian's chromium (apt-get install -y chromium), as .ci/run does"
        )
    return binary


def test_report_renders_offline_in_chromium(report_file):
    binary = chromium()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("request", lambda req: None if req.url.startswith("file:") else requests.append(req.url))
            page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
            page.goto(report_file.as_uri(), wait_until="load")
            charts = page.evaluate(CHARTS_JS)
            painted = {
                name: distinct_colours(page.locator(f'figure[data-chart="{name}"] svg').screenshot())
                for name in ("posts-per-month", "word-count")
            }
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()

    assert [c["name"] for c in charts] == ["posts-per-month", "word-count"]
    for chart in charts:
        assert chart["width"] > 600 and chart["height"] > 80, chart
        assert chart["marks"] > 20, chart
    assert all(colours > 5 for colours in painted.values()), painted  # lines, boxes and text, not a blank box
    assert problems == []
    assert requests == []  # nothing but the file itself was loaded
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def problems_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report-problems") / "report.html"
    path.write_text(render_html(report_from_scan(scan_archive(PROBLEMS, workers=0))), encoding="utf-8")
    return path


TITLES_JS = """() => [...document.querySelectorAll('#post-table tbody tr')]
  .filter(tr => !tr.hidden && tr.offsetParent !== null).map(tr => tr.cells[0].textContent.trim())"""
COLUMN_JS = """(column) => [...document.querySelectorAll('#post-table tbody tr')]
  .map(tr => tr.cells[column].textContent.trim())"""


def test_the_things_to_fix_and_the_posts_table_in_chromium(problems_file, tmp_path):
    binary = chromium()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.goto(problems_file.as_uri(), wait_until="load")

            # the sections are there
            assert page.locator("#verification table.verification tr[data-status]").count() == 4
            assert page.locator("#verification .retraction").count() == 2
            assert page.locator("#verification .retraction .flag").all_inner_texts() == [
                "cited after the retraction"
            ]
            assert page.locator("#citations table.contradictions tbody tr").count() == 2
            findings = page.locator("#checks details.findings")
            assert findings.count() == 5
            reversed_pages = findings.nth(2)
            assert not reversed_pages.locator("table").is_visible()  # closed: only its summary shows
            reversed_pages.locator("summary").click()
            assert reversed_pages.locator("tbody tr").inner_text().split("\t")[-1] == "88-79"

            # sorting by a click on a column header, again for the other way
            table = page.locator("#post-table")
            assert page.evaluate(TITLES_JS)[0] == "Shoulder Impingement Explained"  # most problems first
            words = table.locator("thead th", has_text="Words")
            words.locator("button").click()
            assert page.evaluate(COLUMN_JS, 4) == ["60", "180", "220", "260", "300"]
            assert words.get_attribute("aria-sort") == "ascending"
            words.locator("button").click()
            assert page.evaluate(COLUMN_JS, 4) == ["300", "260", "220", "180", "60"]
            assert words.get_attribute("aria-sort") == "descending"
            table.locator("thead th", has_text="Verified").locator("button").click()
            assert page.evaluate(COLUMN_JS, 6) == ["", "0%", "67%", "67%", "100%"]  # blank: no references
            assert table.locator("thead th[aria-sort]").count() == 1
            table.locator("thead th", has_text="Post").locator("button").click()
            assert page.evaluate(TITLES_JS) == [
                "Back Pain Myths",
                "Knee Pain: What Helps",
                "Our New Clinic Opens",
                "Sciatica Relief",
                "Shoulder Impingement Explained",
            ]

            # typing in the filter hides the rows without every word typed
            box = page.locator("#post-filter")
            assert box.is_visible()
            box.fill("sam roe")
            assert page.evaluate(TITLES_JS) == ["Back Pain Myths", "Sciatica Relief"]
            assert page.locator("#post-count").inner_text() == "2 of 5 posts"
            box.fill("NORTH 2024-03")
            assert page.evaluate(TITLES_JS) == ["Knee Pain: What Helps", "Our New Clinic Opens"]
            box.fill("no such post")
            assert page.evaluate(TITLES_JS) == []
            box.fill("")
            assert (
                len(page.evaluate(TITLES_JS)) == 5 and page.locator("#post-count").inner_text() == "5 posts"
            )
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-problems.png"), full_page=True)

            # without JavaScript: every row shows, no filter box, plain headers
            plain = browser.new_context(offline=True, java_script_enabled=False).new_page()
            plain.goto(problems_file.as_uri(), wait_until="load")
            assert plain.locator("#post-table tbody tr").count() == 5
            assert plain.locator("#post-table tbody tr").first.is_visible()
            assert not plain.locator("#post-filter").is_visible()
            assert plain.locator("#post-table thead button").count() == 0

            # markup in titles, sentences and references is text, never run
            from test_report_render_problems import hostile_report

            hostile = tmp_path / "hostile.html"
            hostile.write_text(render_html(hostile_report(tmp_path)), encoding="utf-8")
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(hostile.as_uri(), wait_until="load")
            assert page.evaluate("() => window.pwned") is None and dialogs == []
            assert page.locator("#post-table tbody a").inner_text().startswith("Title <script>")
        finally:
            browser.close()
    assert problems == []
