"""The report's sections of things to fix as the HTML page shows them (verification, retracted
works cited, reference checks, contradicted citations, the posts table), and in the CSV; every
string from the archive or verification.jsonl escaped."""

from __future__ import annotations

import csv
import importlib
import io
import json

import pytest
from conftest import FIXTURES
from parsel import Selector

from pipelines.report.build import Report, report_from_scan
from pipelines.report.render import finding_groups, render_csv, render_html
from pipelines.report.scan import load_verification, scan_archive, scan_records

FIXTURE = FIXTURES / "report-problems"
render_module = importlib.import_module("pipelines.report.render")  # the package's ``render`` is a function


@pytest.fixture(scope="module")
def report() -> Report:
    return report_from_scan(scan_archive(FIXTURE, workers=0))


@pytest.fixture(scope="module")
def page(report) -> Selector:
    return Selector(text=render_html(report))


def cells(row: Selector) -> list[str]:
    return [" ".join(" ".join(c.css("::text").getall()).split()) for c in row.css("td")]


def test_verification_shares_per_site_and_overall(page):
    table = page.css("#verification table.verification")
    assert table.css("thead th::text").getall() == [
        "References",
        "north.example",
        "south.example",
        "all sites",
    ]
    rows = {r.attrib["data-status"]: cells(r) for r in table.css("tr[data-status]")}
    assert rows == {
        "verified": ["40% (2)", "75% (3)", "56% (5)"],
        "mismatch": ["20% (1)", "0% (0)", "11% (1)"],
        "not_found": ["20% (1)", "0% (0)", "11% (1)"],
        "unchecked": ["20% (1)", "25% (1)", "22% (2)"],
    }
    assert "15 lines, 2 unreadable and skipped" in " ".join(page.css("#verification p.note ::text").getall())


def test_retracted_works_cited_with_post_sentences_and_notice(page):
    items = page.css("#verification .retraction")
    assert len(items) == 2
    knee = items[0]
    link = knee.css("a")[0]
    assert (link.attrib["href"], link.css("::text").get()) == (
        "https://north.example/blog/knee-pain/",
        "Knee Pain: What Helps",
    )
    assert knee.css(".flag::text").get() == "cited after the retraction"
    assert knee.css("blockquote::text").getall() == [
        "Platelet injections heal tendons within weeks (3).",
        "Most patients need only one injection (3).",
    ]
    assert knee.css(".entry::text").get().startswith("Wakefield A. Platelet injections")
    notice = knee.css("a[href^='https://doi.org/']")
    assert notice.attrib["href"] == "https://doi.org/10.1016/S0140-6736(21)00001-1"
    assert "retraction" in knee.css("b::text").getall() and "2021-02-02" in knee.get()
    back = items[1]
    assert back.css(".flag").getall() == []  # published before the notice
    assert back.css("b::text").get() == "expression of concern"


def test_references_found_different_with_each_field_and_both_values(page, report):
    """verify's mismatch lines: the post, the entry and each field that differs, both ways."""
    (item,) = page.css("#verification .mismatch")
    assert item.css("a::attr(href)").get() == "https://north.example/blog/knee-pain/"
    assert " ".join(" ".join(item.css("li ::text").getall()).split()) == (
        "year : the post says 2025 , the database 2015"
    )
    (row,) = report.mismatches
    assert (row.n, row.differences) == (2, [{"field": "year", "ours": "2025", "theirs": "2015"}])
    assert json.loads(render_module.render_json(report))["mismatches"][0]["differences"] == row.differences


def test_check_findings_counted_per_code_and_listed_in_expandable_lists(page):
    counts = {r.attrib["data-code"]: cells(r) for r in page.css("#checks table.checks tr[data-code]")}
    assert counts == {
        "year_after_post": ["1", "0", "1"],
        "doi_publisher": ["1", "0", "1"],
        "pages_reversed": ["1", "0", "1"],
        "duplicate": ["0", "1", "1"],
        "uncited": ["0", "1", "1"],
    }
    lists = page.css("#checks details.findings")
    assert [d.attrib["data-code"] for d in lists] == list(counts)
    assert "open" not in lists[0].attrib  # closed until clicked
    (row,) = lists[2].css("tbody tr")
    assert cells(row) == [
        "north.example Shoulder Impingement Explained",
        "2",
        "the last page comes before the first",
        "88-79",
    ]
    assert row.css("a::attr(href)").get() == "https://north.example/blog/shoulder/"


def test_contradictions_show_the_sentence_the_entry_and_the_reason(page):
    rows = [cells(r) for r in page.css("#citations table.contradictions tbody tr")]
    assert rows[0] == [
        "north.example Shoulder Impingement Explained",
        "Surgery works better than exercise for impingement (1).",
        "[1] Beard DJ. Arthroscopic subacromial decompression. Lancet. 2018;391:329-38.",
        "The cited trial found surgery no better than placebo surgery.",
    ]
    assert rows[1][0] == "south.example Sciatica Relief" and len(rows) == 2


def test_the_posts_table_is_rendered_server_side(page):
    table = page.css("table#post-table")
    headers = table.css("thead th::text").getall()
    assert headers == ["Post", "Site", "Date", "Authors", "Words", "References", "Verified", "Problems"]
    rows = [cells(r) for r in table.css("tbody tr")]
    assert rows[0] == [
        "Shoulder Impingement Explained",
        "north.example",
        "2024-02-10",
        "Tom Lee, Jane Doe",
        "220",
        "2",
        "0%",
        "3",
    ]
    assert [r[0] for r in rows] == [
        "Shoulder Impingement Explained",
        "Back Pain Myths",
        "Knee Pain: What Helps",
        "Sciatica Relief",
        "Our New Clinic Opens",
    ]
    assert rows[-1][6:] == ["", "0"]  # no references: nothing verified
    assert table.css("tbody tr")[0].css("td")[-1].attrib["title"] == (
        "2 check findings, 1 contradiction, 0 retracted works cited"
    )
    assert "hidden" in page.css("#post-tools").attrib  # the filter box appears only with the script


def test_at_a_glance_counts_the_things_to_fix(page):
    glance = {
        " ".join(r.css("th ::text").getall()).strip(): cells(r)
        for r in page.css("#overview tbody tr")
        if r.css("td")
    }
    assert glance["Reference check findings"] == ["3", "2", "5"]
    assert glance["References verified"] == ["40% (2)", "75% (3)", "56% (5)"]
    assert glance["Retracted works cited"] == ["1", "1", "2"]
    assert glance["…cited after the retraction"] == ["1", "0", "1"]
    assert glance["Posts with problems (findings, contradictions, retractions)"] == ["2", "2", "4"]


def test_without_verification_the_page_says_how_to_get_it():
    report = report_from_scan(scan_archive(FIXTURE, workers=0, verification=False))
    page = Selector(text=render_html(report))
    assert page.css("#verification table").getall() == [] and page.css(".retraction").getall() == []
    assert "No verification.jsonl beside the archive" in "".join(page.css("#verification ::text").getall())
    assert [cells(r)[6] for r in page.css("#post-table tbody tr")] == [""] * 5
    assert "References verified" not in page.css("#overview").get()
    assert len(page.css("#checks details.findings")) == 5  # the offline checks do not need it


def test_long_lists_are_cut_on_the_page_and_say_so(report, monkeypatch):
    monkeypatch.setattr(render_module, "HTML_MAX_POSTS", 2)
    page = Selector(text=render_html(report))
    assert len(page.css("#post-table tbody tr")) == 2
    assert "The first 2 of 5 shown" in " ".join(page.css("#posts ::text").getall())
    groups = finding_groups([f for f in report.findings for _ in range(3)], limit=2)
    assert [(g.code, g.total, len(g.rows)) for g in groups][:2] == [
        ("year_after_post", 3, 2),
        ("doi_publisher", 3, 2),
    ]


def test_csv_rows_for_checks_verification_and_retractions(report):
    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert ["north.example", "check_findings", "pages_reversed", "1"] in rows
    assert ["all sites", "verification", "share_verified", "0.5556"] in rows
    assert ["south.example", "summary", "retracted_references", "1"] in rows
    retracted = [r for r in rows if r[1] == "retracted_reference"]
    assert retracted == [
        ["north.example", "retracted_reference", "https://north.example/blog/knee-pain/", "10.1016/S0140-6736(21)00001-1"],
        ["south.example", "retracted_reference", "https://south.example/posts/back-pain", "10.1097/BRS.0000000000004321"],
    ]  # fmt: skip
    assert len([r for r in rows if r[1] == "post_problems"]) == 4


EVIL = "<script>window.pwned=1</script>"


def hostile_report(tmp_path) -> Report:
    """A post whose title, sentences, reference, findings, reason and retraction notice all
    carry markup, and a verification line that matches it."""
    record = {
        "id": "e",
        "version": 1,
        "site": "x.example",
        "canonical_url": 'https://x.example/"><img src=x onerror=alert(1)>',
        "title": f"Title {EVIL}",
        "published": "2024-01-01",
        "authors": [{"name": f"Dr {EVIL}", "credentials": []}],
        "references": [
            {
                "n": 1,
                "raw": f"Ref {EVIL} & </td></tr>",
                "checks": [{"code": "doi_invalid", "message": f"msg {EVIL}", "evidence": f"ev {EVIL}"}],
            }
        ],
        "citations": [
            {"marker": "(1)", "ref": 1, "sentence": f"Sentence {EVIL}", "contradiction": f"reason {EVIL}"}
        ],
    }
    verification = {
        "article_id": "e",
        "version": 1,
        "n": 1,
        "status": "verified",
        "retraction": {"nature": f"nature {EVIL}", "date": EVIL, "notice_doi": '10.1/"><script>x</script>'},
        "cited_after_retraction": True,
    }
    (tmp_path / "articles.jsonl").write_text(json.dumps(record) + "\n", "utf-8")
    (tmp_path / "verification.jsonl").write_text(json.dumps(verification) + "\n", "utf-8")
    return report_from_scan(scan_archive(tmp_path, workers=0))


def test_hostile_text_in_titles_sentences_and_references_is_escaped(tmp_path):
    report = hostile_report(tmp_path)
    assert report.retractions and report.findings and report.contradictions  # every section has it
    html = render_html(report)
    assert html.count("<script") == 1  # the page's own script only
    assert "<img" not in html and "</td></tr>" not in html.split("<tbody>", 1)[1].split("Ref", 1)[1][:40]
    assert html.count("&lt;script&gt;window.pwned=1&lt;/script&gt;") >= 8
    page = Selector(text=html)
    assert page.css("#post-table tbody tr td a::text").get() == f"Title {EVIL}"
    assert (
        page.css("#post-table tbody tr td a::attr(href)").get() == report.post_table[0].url
    )  # one attribute
    notice = page.css(".retraction a[href^='https://doi.org/']::attr(href)").get()
    assert notice == "https://doi.org/10.1/%22%3E%3Cscript%3Ex%3C/script%3E"


def test_scan_records_matches_verification_lines_to_the_version_it_reads(tmp_path):
    loaded = load_verification(FIXTURE)
    assert loaded is not None
    lines = [json.loads(line) for line in (FIXTURE / "articles.jsonl").read_text("utf-8").splitlines()]
    old_knee = lines[0]  # version 1 alone: its stale lines are the ones that count
    scan = scan_records([old_knee], verified=loaded[1])
    (post,) = scan.posts.values()
    assert (post.verification.not_found, post.verification.verified) == (2, 0)
