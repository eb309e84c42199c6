"""The report's three formats show the same numbers; the HTML page stands alone."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES

import pipelines.report
from pipelines.report.build import ALL_SITES, Report, report_from_scan
from pipelines.report.charts import posts_per_month_chart, word_count_chart
from pipelines.report.neardup import Signer
from pipelines.report.render import render, render_csv, render_html, render_json
from pipelines.report.scan import scan_archive, scan_records

FIXTURE = FIXTURES / "report"
SCRIPT = Path(pipelines.report.__file__).parent / "templates" / "posts-table.js"


@pytest.fixture(scope="module")
def report() -> Report:
    return report_from_scan(scan_archive(FIXTURE, signer=Signer(), workers=0))


@pytest.fixture(scope="module")
def html(report) -> str:
    return render_html(report)


def test_html_is_self_contained(html):
    """One inline script (the posts table's sorting and filtering, the same text whatever the
    archive), nothing linked, imported or fetched."""
    assert html.startswith("<!doctype html>")
    assert "<link" not in html and "@import" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [attributes for attributes, _ in scripts] == [""]
    assert scripts[0][1].strip() == SCRIPT.read_text("utf-8").strip()
    assert not re.search(r"fetch\(|XMLHttpRequest|import\(|innerHTML|eval\(", SCRIPT.read_text("utf-8"))
    assert not re.search(r"""\bsrc\s*=""", html)  # no images, frames or scripts to fetch
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)  # no web fonts or CSS images


def test_html_has_both_charts_as_inline_svg(html):
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)"><svg', html)
    assert charts == ["posts-per-month", "word-count"]
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_html_shows_every_site_side_by_side_with_a_total_column(html, report):
    header = re.search(r"<thead><tr><th>Figure</th>(.*?)</tr></thead>", html).group(1)
    assert re.findall(r"<th[^>]*>([^<]+)</th>", header) == [*(f.site for f in report.sites), ALL_SITES]
    share_row = re.search(r"References with a DOI</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r">\s*([^<]+?)\s*</td>", share_row) == ["60%", "50%", "100%", "62%"]


def test_html_lists_clusters_newest_posts_and_journals(html, report):
    for cluster in report.clusters:
        assert cluster.id in html
    assert 'href="https://alpha.example/blog/clinic-news/"' in html  # alpha's newest post
    assert "J Orthop Sports Phys Ther" in html and "Ann Kim" in html


def test_html_escapes_what_the_archive_says():
    evil = {"id": "e", "site": "x.example", "title": "<script>alert(1)</script>", "published": "2024-01-01",
            "canonical_url": "https://x.example/\"><b>", "text": ""}  # fmt: skip
    link = {
        "id": "j",
        "site": "x.example",
        "title": "click",
        "published": "2024-01-02",
        "canonical_url": "javascript:alert(1)",
    }
    page = render_html(report_from_scan(scan_records([evil, link])))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '"><b>' not in page
    assert "javascript:" not in page and ">click</a>" in page  # listed among the newest, not linked


def test_json_carries_the_same_figures(report):
    data = json.loads(render_json(report))
    assert [s["site"] for s in data["sites"]] == [f.site for f in report.sites]
    alpha = data["sites"][0]
    assert alpha["share_doi"] == 0.6 and alpha["posts_per_month"] == {
        "2024-01": 2,
        "2024-02": 0,
        "2024-03": 2,
    }
    assert alpha["journals"][0] == {"name": "Br J Sports Med", "count": 2}
    assert data["total"]["posts"] == 9 and data["threshold"] == 0.8
    assert [len(c["posts"]) for c in data["clusters"]] == [3, 2]


def test_csv_is_long_format_with_the_same_numbers(report):
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert set(rows[0]) == {"site", "figure", "key", "value"}

    def value(site, figure, key):
        return [r["value"] for r in rows if (r["site"], r["figure"], r["key"]) == (site, figure, key)]

    assert value("alpha.example", "summary", "share_doi") == ["0.6"]
    assert value(ALL_SITES, "summary", "posts") == ["9"]
    assert value("beta.example", "posts_per_month", "2024-02") == ["2"]
    assert value("alpha.example", "journals", "Br J Sports Med") == ["2"]
    assert value("beta.example", "author_credentials", "Ann Kim") == ["DC; MS"]
    assert value("alpha.example", "word_count", "median") == ["71.0"]
    assert len([r for r in rows if r["figure"] == "duplicate_cluster"]) == 5
    assert value("", "report", "lines") == ["10"]


def test_render_rejects_unknown_formats(report):
    with pytest.raises(ValueError, match="unknown format"):
        render(report, "pdf")


def test_charts_name_each_site_and_are_deterministic(report):
    svg = posts_per_month_chart(report.sites)
    assert svg.startswith("<svg ") and 'aria-label="Posts per month per site"' in svg
    for site in report.sites:
        assert site.site in svg  # legend entries are text (svg.fonttype none)
    assert svg == posts_per_month_chart(report.sites)
    boxes = word_count_chart(report.sites)
    assert all(site.site in boxes for site in report.sites)


def test_many_sites_get_a_heatmap_of_posts_per_month_embedded_in_the_page():
    posts = [
        {
            "id": f"{site}-{n}",
            "site": f"site{site}.example",
            "published": f"2024-0{1 + n % 3}-01",
            "word_count": 100,
        }
        for site in range(9)
        for n in range(site + 1)
    ]
    report = report_from_scan(scan_records(posts))
    svg = posts_per_month_chart(report.sites)
    assert "<image" in svg and all(f"site{i}.example" in svg for i in range(9))
    images = re.findall(r'<image[^>]*?href="([^"]*)"', render_html(report))
    assert images and all(href.startswith("data:image/png;base64,") for href in images)  # nothing to fetch


def test_charts_without_data_are_left_out():
    undated = report_from_scan(scan_records([{"id": "u", "site": "x.example", "word_count": 10}]))
    assert posts_per_month_chart(undated.sites) is None
    assert word_count_chart(undated.sites) is not None
    assert posts_per_month_chart([]) is None and word_count_chart([]) is None
    assert "No post has a publication date" in render_html(undated)


def test_empty_report_renders(tmp_path):
    (tmp_path / "articles.jsonl").write_text("")
    page = render_html(report_from_scan(scan_archive(tmp_path, workers=0)))
    assert "No post in the archive matches the filters" in page
