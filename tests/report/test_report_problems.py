"""What a content manager must fix, per site and overall: verification shares, retracted works
cited, offline check findings, contradicted citations and the posts table, on the hand-made
archive of tests/fixtures/report-problems (answers worked out in its README.md), with and
without its verification.jsonl."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES

from pipelines.report.build import ALL_SITES, Report, report_from_scan
from pipelines.report.scan import load_verification, scan_archive, scan_records
from pipelines.report.summary import summarize
from pipelines.report.verification import VerificationIndex

FIXTURE = FIXTURES / "report-problems"
KNEE, SHOULDER, BACK = "Knee Pain: What Helps", "Shoulder Impingement Explained", "Back Pain Myths"


@pytest.fixture(scope="module")
def report() -> Report:
    return report_from_scan(scan_archive(FIXTURE, workers=0))


@pytest.fixture(scope="module")
def unverified() -> Report:
    return report_from_scan(scan_archive(FIXTURE, workers=0, verification=False))


def figures(report: Report, site: str):
    return report.total if site == ALL_SITES else next(f for f in report.sites if f.site == site)


def test_the_verification_file_is_found_beside_the_archive(report):
    assert report.verification == str(FIXTURE / "verification.jsonl")
    assert (report.verification_lines, report.verification_bad_lines) == (15, 2)
    assert [f.site for f in report.sites] == ["north.example", "south.example"] and report.posts == 5


@pytest.mark.parametrize(
    ("site", "counts", "shares"),
    [
        ("north.example", (2, 1, 1, 1, 1), (0.4, 0.2, 0.2, 0.2)),
        ("south.example", (3, 0, 0, 1, 0), (0.75, 0.0, 0.0, 0.25)),
        (ALL_SITES, (5, 1, 1, 2, 1), (0.5556, 0.1111, 0.1111, 0.2222)),
    ],
)
def test_references_by_verification_status_of_the_newest_versions(report, site, counts, shares):
    """The knee post's version-1 lines (both not found) and the removed post's line are not
    counted; a reference with no line for its post's newest version is unchecked (no_line)."""
    v = figures(report, site).verification
    assert (v.verified, v.mismatch, v.not_found, v.unchecked, v.no_line) == counts
    assert (v.share_verified, v.share_mismatch, v.share_not_found, v.share_unchecked) == shares


def test_retracted_works_cited_with_the_sentences_and_the_notice(report):
    knee, back = report.retractions  # cited after the retraction first
    assert (knee.title, knee.site, knee.n, knee.cited_after) == (KNEE, "north.example", 3, True)
    assert knee.url == "https://north.example/blog/knee-pain/"
    assert knee.sentences == [
        "Platelet injections heal tendons within weeks (3).",
        "Most patients need only one injection (3).",
    ]
    assert knee.entry.startswith("Wakefield A. Platelet injections heal tendons.")
    assert (knee.nature, knee.date, knee.notice_doi) == (
        "retraction",
        "2021-02-02",
        "10.1016/S0140-6736(21)00001-1",
    )
    assert (back.title, back.n, back.nature, back.cited_after) == (BACK, 2, "expression_of_concern", False)
    assert back.sentences == ["Bed rest speeds recovery from back pain (2)."]
    counts = [(f.retracted_references, f.retracted_cited_after) for f in [*report.sites, report.total]]
    assert counts == [(1, 1), (1, 0), (2, 1)]


@pytest.mark.parametrize(
    ("site", "codes", "posts"),
    [
        ("north.example", {"year_after_post": 1, "doi_publisher": 1, "pages_reversed": 1}, 2),
        ("south.example", {"duplicate": 1, "uncited": 1}, 1),
        (
            ALL_SITES,
            {"year_after_post": 1, "doi_publisher": 1, "pages_reversed": 1, "duplicate": 1, "uncited": 1},
            3,
        ),
    ],
)
def test_check_findings_counted_per_code(report, site, codes, posts):
    fig = figures(report, site)
    assert fig.check_findings == codes and list(fig.check_findings) == list(codes)  # the report's order
    assert fig.posts_with_check_findings == posts


def test_check_findings_listed_by_code_with_post_entry_message_and_evidence(report):
    rows = [(f.code, f.title, f.n, f.evidence) for f in report.findings]
    assert rows == [
        ("year_after_post", KNEE, 2, "2025 > 2024"),
        ("doi_publisher", SHOULDER, 2, "10.1016/j.jse.2017.01.001: prefix 10.1016 (Elsevier); Br J Sports Med: BMJ 10.1136"),
        ("pages_reversed", SHOULDER, 2, "88-79"),
        ("duplicate", BACK, 3, "bed rest for acute low back pain:2012"),
        ("uncited", BACK, 1, "entry 1"),
    ]  # fmt: skip
    assert report.findings[2].message == "the last page comes before the first"
    assert report.findings[2].url == "https://north.example/blog/shoulder/"


def test_contradictions_with_the_sentence_the_entry_and_the_reason(report):
    shoulder, sciatica = report.contradictions
    assert (shoulder.site, shoulder.title, shoulder.n, shoulder.marker) == (
        "north.example",
        SHOULDER,
        1,
        "(1)",
    )
    assert shoulder.sentence == "Surgery works better than exercise for impingement (1)."
    assert shoulder.entry == "Beard DJ. Arthroscopic subacromial decompression. Lancet. 2018;391:329-38."
    assert shoulder.reason == "The cited trial found surgery no better than placebo surgery."
    assert (sciatica.site, sciatica.entry) == (
        "south.example",
        "Roe S. The course of sciatica. BMJ. 2016;352:1-9.",
    )
    assert [f.contradictions for f in [*report.sites, report.total]] == [1, 1, 2]


def test_posts_table_most_problems_first(report):
    rows = [
        (p.title, p.problems, p.verified, p.findings, p.contradictions, p.retractions)
        for p in report.post_table
    ]
    assert rows == [
        (SHOULDER, 3, 0.0, 2, 1, 0),
        (BACK, 3, 0.6667, 2, 0, 1),  # as many problems: the newer post first
        (KNEE, 2, 0.6667, 1, 0, 1),
        ("Sciatica Relief", 1, 1.0, 0, 1, 0),
        ("Our New Clinic Opens", 0, None, 0, 0, 0),  # no references: nothing to verify
    ]  # fmt: skip
    shoulder = report.post_table[0]
    assert (shoulder.site, shoulder.published, shoulder.authors) == (
        "north.example",
        "2024-02-10",
        ["Tom Lee", "Jane Doe"],
    )
    assert (shoulder.words, shoulder.references, shoulder.url) == (
        220,
        2,
        "https://north.example/blog/shoulder/",
    )
    assert [f.posts_with_problems for f in [*report.sites, report.total]] == [2, 2, 4]


def test_without_verification_the_rest_stays(unverified, report):
    assert unverified.verification is None and unverified.retractions == []
    assert all(f.verification is None for f in [*unverified.sites, unverified.total])
    assert [f.retracted_references for f in [*unverified.sites, unverified.total]] == [0, 0, 0]
    assert unverified.findings == report.findings and unverified.contradictions == report.contradictions
    assert [(p.title, p.problems, p.verified) for p in unverified.post_table][:3] == [
        (SHOULDER, 3, None),
        (BACK, 2, None),  # no retraction known
        (KNEE, 1, None),
    ]


def test_the_json_output_carries_the_new_figures_and_lists(report):
    from pipelines.report.render import render_json

    data = json.loads(render_json(report))
    north = data["sites"][0]
    assert north["verification"]["share_verified"] == 0.4 and north["check_findings"]["pages_reversed"] == 1
    assert data["total"]["retracted_cited_after"] == 1
    assert [r["n"] for r in data["retractions"]] == [3, 2] and len(data["findings"]) == 5
    assert data["contradictions"][0]["entry"].startswith("Beard DJ.")
    assert [p["problems"] for p in data["post_table"]] == [3, 3, 2, 1, 0]


# --- the verification index on its own ----------------------------------------------------


def line(**fields) -> dict:
    return {"article_id": "a", "version": 1, "n": 1, "status": "verified", "retraction": None, **fields}


def test_the_index_keeps_the_last_line_per_reference_and_skips_unusable_ones():
    index = VerificationIndex()
    for item in [
        line(status="not_found"),
        line(),
        line(n=2, status="maybe"),
        line(n="3"),
        line(version=True),
        None,
        line(
            n=4,
            retraction={"nature": " retraction ", "date": "", "notice_doi": None},
            cited_after_retraction=1,
        ),
    ]:
        index.add(item)
    assert (index.lines, index.bad_lines) == (7, 4)
    checked = index.of("a", 1)
    assert {n: c.status for n, c in checked.items()} == {1: "verified", 4: "verified"}
    notice = checked[4].notice
    assert (notice.nature, notice.date, notice.notice_doi, notice.cited_after) == (
        "retraction",
        None,
        None,
        None,
    )
    assert index.of("a", 2) == {} and index.of("a", None) == {} and index.of("b", 1) == {}


def test_no_verification_file_means_none(tmp_path):
    (tmp_path / "articles.jsonl").write_text("")
    assert load_verification(tmp_path) is None
    assert scan_archive(tmp_path, workers=0).verification is None


def test_odd_fields_are_ignored_and_clean_posts_carry_nothing():
    record = {
        "id": "x",
        "version": 1,
        "references": [{"n": 1, "raw": "r", "checks": [{"code": "uncited"}, "junk", {"code": None}]}, "junk"],
        "citations": [{"marker": "(1)", "ref": 1, "sentence": "s", "contradiction": ""}, 7],
    }
    post = summarize(record, VerificationIndex())
    assert [(f.code, f.n, f.message, f.evidence) for f in post.findings] == [("uncited", 1, "", "")]
    assert post.contradicted == () and post.retracted == () and post.contradictions == 0
    assert post.verification.unchecked == 1 and post.verification.no_line == 1
    clean = summarize({"id": "y"})
    assert clean.findings == () and clean.verification is None and clean.problems == 0


def test_a_citation_of_a_retracted_entry_that_no_sentence_cites():
    index = VerificationIndex()
    index.add(line(retraction={"nature": "retraction"}))
    scan = scan_records(
        [{"id": "a", "version": 1, "site": "s", "references": [{"n": 1, "raw": "R"}]}], verified=index
    )
    (row,) = report_from_scan(scan).retractions
    assert (row.entry, row.sentences, row.cited_after) == ("R", [], None)
