"""The report in a real browser: headless Chromium opens the HTML file from disk with the network
off, every chart must paint, the console must stay clean, and a screenshot is kept in
``test-artifacts/report.png``.

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


def test_report_renders_offline_in_chromium(report_file):
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "no Chromium binary: install Debian's chromium (apt-get install -y chromium), as .ci/run does"
        )
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
