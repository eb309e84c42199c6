"""Streaming the archive for the report: newest version per id, filters, damaged lines, workers."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import FIXTURES

from pipelines.report.build import report_from_scan
from pipelines.report.neardup import Signer
from pipelines.report.scan import archive_file, scan_archive, scan_records, site_key

FIXTURE = FIXTURES / "report"
LINES = (FIXTURE / "articles.jsonl").read_text("utf-8").splitlines()


def records() -> list[dict]:
    return [json.loads(line) for line in LINES]


def by_title(scan) -> dict:
    return {p.title: p for p in scan.posts.values()}


def test_only_the_newest_version_of_each_post_counts():
    scan = scan_records(records())
    assert (scan.lines, scan.ids, len(scan.posts)) == (10, 9, 9)
    posts = by_title(scan)
    assert "Knee Pain Basics" not in posts  # version 1, superseded by version 2
    knee = posts["Knee Pain: What Helps"]
    assert (knee.published, knee.references, knee.categories) == (
        "2024-01-10",
        2,
        ("Knee", "Sports Injuries"),
    )


def test_the_last_line_wins_even_when_versions_are_out_of_order():
    lines = records()
    old, new = lines[0], lines[6]
    assert old["id"] == new["id"]
    scan = scan_records([new, old])  # a merged archive might put history after the newest line
    assert [p.title for p in scan.posts.values()] == ["Knee Pain Basics"]


def test_a_post_whose_newest_line_is_a_tombstone_is_gone():
    lines = records()
    myths = next(r for r in lines if r["title"] == "Five Back Pain Myths")
    tombstone = {key: myths[key] for key in ("schema", "id", "url", "canonical_url", "site", "crawl")}
    tombstone.update(version=2, removed_at="2024-05-01T00:00:00Z", http={"status": 404})
    scan = scan_records([*lines, tombstone], signer=Signer())
    assert "Five Back Pain Myths" not in by_title(scan) and len(scan.posts) == 8
    assert myths["id"] not in scan.signatures and scan.removed == {myths["id"]}
    report = report_from_scan(scan)
    assert report.removed == 1
    assert report.clusters[0].sites == ["beta.example", "gamma.example"]
    back = dict(myths, version=3)
    assert by_title(scan_records([*lines, tombstone, back]))["Five Back Pain Myths"]  # republished


def test_since_keeps_posts_published_on_or_after_the_date_and_drops_undated_ones():
    scan = scan_records(records(), since=date(2024, 2, 1), signer=Signer())
    assert sorted(p.title for p in scan.posts.values()) == [
        "Back Pain Myths at the Dentist",  # 2024-02-01 itself is kept
        "Our New Clinic Opens",
        "Sciatica Relief",
        "Sciatica Relief (Updated)",
        "Shoulder Impingement Explained",
    ]  # "Teeth Whitening FAQ" has no date
    assert set(scan.signatures) <= set(scan.posts)
    report = report_from_scan(scan, since=date(2024, 2, 1))
    assert report.since == "2024-02-01"
    assert [c.sites for c in report.clusters] == [["beta.example"]]  # the other myths copies are older


@pytest.mark.parametrize(
    "spelling", ["alpha.example", "ALPHA.example", "www.alpha.example", "https://alpha.example/blog"]
)
def test_sites_filter_accepts_the_ways_people_write_a_site(spelling):
    scan = scan_records(records(), sites=[spelling, "gamma.example"])
    assert {p.site for p in scan.posts.values()} == {"alpha.example", "gamma.example"}
    assert scan.sites_seen == {"alpha.example": 4, "beta.example": 3, "gamma.example": 2}  # before filters


def test_sites_not_in_the_archive_are_reported_and_order_follows_the_request():
    sites = ["gamma.example", "nowhere.example", "alpha.example"]
    scan = scan_records(records(), sites=sites, signer=Signer())
    report = report_from_scan(scan, sites=sites)
    assert report.missing_sites == ["nowhere.example"]
    assert [f.site for f in report.sites] == ["gamma.example", "alpha.example"]
    assert [c.sites for c in report.clusters] == [["alpha.example", "gamma.example"]]


def test_a_post_whose_newest_version_moved_off_the_wanted_sites_is_dropped():
    old = {"id": "abc", "site": "alpha.example", "title": "old", "text": "x " * 80}
    new = {"id": "abc", "site": "elsewhere.example", "title": "new", "text": "x " * 80}
    scan = scan_records([old, new], sites=["alpha.example"], signer=Signer())
    assert scan.posts == {} and scan.signatures == {}


def test_damaged_lines_are_counted_and_skipped(tmp_path):
    archive = tmp_path / "articles.jsonl"
    archive.write_text("\n".join([*LINES[:3], "{not json", "[1, 2]", '{"no": "id"}', *LINES[3:]]) + "\n")
    with archive.open("a") as f:
        f.write('{"id": "torn", "site": "alpha.exa')  # a killed writer's last line
    scan = scan_archive(tmp_path, workers=0)
    assert (scan.lines, scan.bad_lines, len(scan.posts)) == (13, 3, 9)


def test_archive_may_be_given_as_directory_or_file():
    assert archive_file(FIXTURE) == FIXTURE / "articles.jsonl"
    assert archive_file(FIXTURE / "articles.jsonl") == FIXTURE / "articles.jsonl"


def test_site_key():
    assert site_key(" WWW.Clinic.Example ") == "clinic.example"
    assert site_key("https://www.clinic.example/blog/") == "clinic.example"
    assert site_key("clinic.example/blog") == "clinic.example"


def test_worker_processes_give_the_same_scan_as_one_process():
    alone = scan_archive(FIXTURE, signer=Signer(), workers=0)
    pooled = scan_archive(FIXTURE, signer=Signer(), workers=2)
    assert pooled.posts == alone.posts
    assert pooled.signatures == alone.signatures and len(alone.signatures) == 8  # the news post is too short


def test_summaries_hold_no_text():
    scan = scan_archive(FIXTURE, signer=Signer(), workers=0)
    post = next(iter(scan.posts.values()))
    assert not hasattr(post, "text") and not hasattr(post, "__dict__")  # slots: small per post
    assert all(len(s) == 4 * Signer().num_perm for s in scan.signatures.values())
