"""``clinic-archive report`` and ``clinic-archive duplicates`` as a user runs them, and the bench."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from crawler.cli import build_parser, main

FIXTURE = ROOT / "tests" / "fixtures" / "report"


@pytest.fixture
def archive(tmp_path) -> Path:
    """A copy of the fixture archive, so the default report.html lands in a temp directory."""
    (tmp_path / "articles.jsonl").write_bytes((FIXTURE / "articles.jsonl").read_bytes())
    return tmp_path


def test_help_lists_the_report_commands():
    text = build_parser().format_help()
    assert "report" in text and "duplicates" in text


def test_report_writes_html_next_to_the_archive_by_default(archive, capsys):
    assert main(["report", str(archive)]) == 0
    page = (archive / "report.html").read_text("utf-8")
    assert "Competitor audit" in page and page.count("<svg") == 2
    err = capsys.readouterr().err
    assert f"Report: {archive / 'report.html'} (9 posts from 3 sites, 2 near-duplicate clusters" in err
    assert not list(archive.glob(".*.partial"))


def test_report_json_to_stdout_with_filters(capsys):
    assert main(["report", str(FIXTURE), "--format", "json", "--sites", "alpha.example,beta.example"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["site"] for s in data["sites"]] == ["alpha.example", "beta.example"]
    assert data["sites_filter"] == ["alpha.example", "beta.example"]
    assert [c["sites"] for c in data["clusters"]] == [["alpha.example", "beta.example"], ["beta.example"]]


def test_report_csv_to_a_file_with_since(tmp_path):
    out = tmp_path / "figures" / "report.csv"
    assert (
        main(
            [
                "report",
                str(FIXTURE / "articles.jsonl"),
                "--format",
                "csv",
                "--since",
                "2024-03-01",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    posts = {r["site"]: r["value"] for r in rows if r["figure"] == "summary" and r["key"] == "posts"}
    assert posts == {"alpha.example": "2", "all sites": "2"}  # shoulder and news, March 2024


def test_report_warns_about_sites_not_in_the_archive(capsys):
    assert main(["report", str(FIXTURE), "--format", "json", "--sites", "gamma.example,nope.example"]) == 0
    assert "warning: no posts of nope.example" in capsys.readouterr().err


def test_duplicates_gives_every_post_its_cluster(capsys):
    assert main(["duplicates", str(FIXTURE)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 9
    clusters = {r["title"]: r["cluster"] for r in rows}
    myths = {
        clusters[t]
        for t in ("Five Back Pain Myths", "Back Pain Myths Debunked", "Back Pain Myths at the Dentist")
    }
    assert len(myths) == 1 and None not in myths
    assert clusters["Sciatica Relief"] == clusters["Sciatica Relief (Updated)"]
    assert clusters["Sciatica Relief"] not in (None, *myths)
    assert clusters["Teeth Whitening FAQ"] is None
    news = next(r for r in rows if r["title"] == "Our New Clinic Opens")
    assert (news["cluster"], news["compared"]) == (None, False)  # too short to compare
    sizes = {r["title"]: (r["cluster_size"], r["cluster_sites"]) for r in rows}
    assert sizes["Five Back Pain Myths"] == (3, 3) and sizes["Sciatica Relief"] == (2, 1)


def test_duplicates_clustered_only_and_threshold(tmp_path):
    out = tmp_path / "dups.jsonl"
    assert main(["duplicates", str(FIXTURE), "--clustered-only", "-o", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 5
    assert main(["duplicates", str(FIXTURE), "--clustered-only", "--threshold", "0.99", "-o", str(out)]) == 0
    assert out.read_text() == ""  # no two posts are that close


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "/nonexistent/archive"], "no archive at"),
        (["report", str(FIXTURE), "--since", "someday"], "--since"),
        (["duplicates", str(FIXTURE), "--threshold", "1.5"], "--threshold"),
    ],
)
def test_bad_arguments_are_one_line_errors(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bench_smoke_run():
    proc = subprocess.run(
        [sys.executable, "bench/report.py", "--records", "300"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "synthetic archive: 300 records" in proc.stdout
    assert [line.split()[0] for line in proc.stdout.splitlines()[2:5]] == ["report", "report", "duplicates"]


def test_the_command_line_default_threshold_is_the_reports():
    from crawler.commands.report import DEFAULT_THRESHOLD
    from pipelines.report import DEFAULT_THRESHOLD as REPORT_THRESHOLD

    assert DEFAULT_THRESHOLD == REPORT_THRESHOLD


def test_the_report_lists_the_sites_that_could_not_be_crawled(archive, capsys):
    """From sites.jsonl beside the archive: a site's newest line decides (one that failed, then
    was crawled, is not listed), and the JSON and CSV carry the same list."""
    lines = [
        {
            "crawl_id": "c1",
            "site": "gone-clinic.example",
            "status": "unreachable",
            "reason": "the host name could not be resolved",
        },
        {
            "crawl_id": "c1",
            "site": "back-clinic.example",
            "status": "http_error",
            "reason": "HTTP 503 Service Unavailable",
        },
        {"crawl_id": "c2", "site": "back-clinic.example", "status": "ok", "reason": None},
        {
            "crawl_id": "c2",
            "site": "robots-clinic.example",
            "status": "blocked_by_robots",
            "reason": "disallowed by the site's robots.txt",
        },
    ]
    (archive / "sites.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    assert main(["report", str(archive)]) == 0
    page = (archive / "report.html").read_text("utf-8")
    assert "Sites that could not be crawled" in page
    assert "gone-clinic.example" in page and "the host name could not be resolved" in page
    assert "robots-clinic.example" in page and "back-clinic.example" not in page
    assert main(["report", str(archive), "--format", "json", "-o", str(archive / "r.json")]) == 0
    failed = json.loads((archive / "r.json").read_text("utf-8"))["failed_sites"]
    assert [f["site"] for f in failed] == ["gone-clinic.example", "robots-clinic.example"]
    assert main(["report", str(archive), "--format", "csv", "-o", str(archive / "r.csv")]) == 0
    rows = list(csv.reader(io.StringIO((archive / "r.csv").read_text("utf-8"))))
    assert [
        "gone-clinic.example",
        "failed_site",
        "unreachable",
        "the host name could not be resolved",
    ] in rows
