"""Offline re-extraction from WARC captures reproduces the live crawl's records exactly."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SITES, crawl, edit_post, load_expected, read_jsonl, run_cli

from crawler.siteserver import SiteServer


def warcs(out: Path) -> list[str]:
    return sorted(str(p) for p in (out / "raw").glob("*.warc.gz"))


def by_id_and_version(path: Path) -> dict[tuple[str, int], dict]:
    return {(r["id"], r["version"]): r for r in read_jsonl(path)}


@pytest.mark.parametrize("site", ["wp-physio", "squarespace-chiro"])
def test_reextract_equals_the_live_crawl(tmp_path, site):
    with SiteServer(SITES / site) as server:
        live = crawl([f"{server.url}/"], tmp_path / "live")
    assert live.returncode == 0, live.stderr
    proc = run_cli("reextract", *warcs(tmp_path / "live"), "-o", str(tmp_path / "re"), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "article versions written" in proc.stdout
    rebuilt = by_id_and_version(tmp_path / "re" / "articles.jsonl")
    original = by_id_and_version(tmp_path / "live" / "articles.jsonl")
    assert len(original) == len(load_expected(site)["articles"])
    assert rebuilt == original  # every field, fetched_at and raw pointer included


def test_reextract_rebuilds_version_history_across_crawls(tmp_path, serve):
    site = tmp_path / "site"
    shutil.copytree(SITES / "wix-dental", site)
    server = serve(site)
    out = tmp_path / "live"
    assert crawl([f"{server.url}/"], out).returncode == 0
    article = load_expected("wix-dental")["articles"][1]
    sentence = article["text_must_contain"][0]
    edit_post(site, article["path"], sentence, sentence + " Updated for 2025.")
    assert crawl([f"{server.url}/"], out).returncode == 0
    assert len(warcs(out)) == 2

    for jobs in ("1", "2"):
        target = tmp_path / f"re{jobs}"
        proc = run_cli("reextract", *reversed(warcs(out)), "-o", str(target), "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr
        assert by_id_and_version(target / "articles.jsonl") == by_id_and_version(out / "articles.jsonl")
    versions = sorted(v for _, v in by_id_and_version(out / "articles.jsonl"))
    assert versions == [1, 1, 1, 2]


def test_a_torn_warc_tail_loses_only_the_torn_record(tmp_path, serve):
    server = serve("wix-dental")
    live = crawl([f"{server.url}/"], tmp_path / "live")
    assert live.returncode == 0
    (warc,) = warcs(tmp_path / "live")
    data = Path(warc).read_bytes()
    last = max(r["raw"]["offset"] for r in live.articles)
    torn = tmp_path / "torn.warc.gz"
    torn.write_bytes(data[: last + 40])  # cut inside the last article's response record
    proc = run_cli("reextract", str(torn), "-o", str(tmp_path / "re"))
    # the loss is said, and the exit status says so too
    assert proc.returncode == 1, proc.stderr
    assert "1 damaged region(s) skipped" in proc.stderr and "Traceback" not in proc.stderr
    rebuilt = read_jsonl(tmp_path / "re" / "articles.jsonl")
    assert len(rebuilt) == len(live.articles) - 1


def test_reextract_refuses_to_mix_into_an_existing_archive(tmp_path, serve):
    server = serve("wix-dental")
    assert crawl([f"{server.url}/"], tmp_path).returncode == 0
    proc = run_cli("reextract", *warcs(tmp_path), "-o", str(tmp_path))
    assert proc.returncode == 2 and "empty directory" in proc.stderr
    assert run_cli("reextract", str(tmp_path / "nope.warc.gz"), "-o", str(tmp_path / "x")).returncode == 2


def test_warcs_are_ordered_by_when_they_were_started_not_by_name(tmp_path):
    """Two crawls started in the same second have ids that differ only in a random suffix: the
    name order is a coin toss, the warcinfo record's microseconds are not."""
    from crawler.reextract import order_warcs
    from pipelines.archive.captures import warc_started
    from pipelines.archive.warc import WarcCapture

    first = WarcCapture(tmp_path / "a", "20261205T074549Z-ffff")  # started first, sorts last by name
    first.close()
    second = WarcCapture(tmp_path / "b", "20261205T074549Z-0000")
    second.close()
    assert warc_started(first.path) < warc_started(second.path)
    assert sorted([first.path, second.path], key=lambda p: p.name) == [second.path, first.path]
    assert order_warcs([second.path, first.path]) == [first.path, second.path]

    # no warcinfo record: the second its name starts with, else first of all
    def named(offset: timedelta, suffix: str) -> Path:
        path = tmp_path / f"{(warc_started(first.path) + offset).strftime('%Y%m%dT%H%M%SZ')}-{suffix}.warc.gz"
        path.write_bytes(b"")
        return path

    earlier, bare = named(timedelta(seconds=-2), "9999"), named(timedelta(minutes=1), "1234")
    junk = tmp_path / "zz-not-ours.warc.gz"
    junk.write_bytes(b"not a warc")
    assert warc_started(bare) is None and warc_started(junk) is None
    assert order_warcs([bare, second.path, junk, earlier, first.path]) == [
        junk,
        earlier,
        first.path,
        second.path,
        bare,
    ]


def test_a_malformed_warcinfo_value_does_not_stop_reextract(tmp_path):
    """A damaged or hand-edited warcinfo record ("max pagination: lots") falls back to the
    crawl's default instead of raising ValueError."""
    from pipelines.archive.warc import WarcCapture

    html = (
        "<html><head><title>Shoulder pain</title><meta property='og:type' content='article'></head>"
        "<body><article><h1>Shoulder pain</h1>"
        + "<p>Gentle loading helps a sore shoulder settle. </p>" * 40
        + "</article></body></html>"
    ).encode()
    warc = WarcCapture(tmp_path / "live", "20261206T000000Z-abcd", {"clinic-archive-max-pagination": "lots"})
    warc.capture(
        "https://clinic.example/blog/shoulder/",
        method="GET",
        request_headers=[("Host", "clinic.example")],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=html,
        date="2026-12-06T00:00:00Z",
    )
    warc.close()
    proc = run_cli("reextract", str(warc.path), "-o", str(tmp_path / "re"), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "1 article versions written" in proc.stdout
