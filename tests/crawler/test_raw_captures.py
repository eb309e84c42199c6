"""Raw WARC captures of a real crawl: standard tools read them, digests hold, pointers resolve."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SITES, crawl
from warcio.archiveiterator import ArchiveIterator

from crawler.siteserver import SiteServer
from pipelines.archive.captures import read_capture


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw")
    with SiteServer(SITES / "wp-physio") as server:
        result = crawl([f"{server.url}/"], out)
        requested = list(server.requests)
    assert result.returncode == 0, result.stderr
    return result, requested


def warc_files(out: Path) -> list[Path]:
    return sorted((out / "raw").glob("*.warc.gz"))


def test_one_warc_file_per_crawl_named_by_crawl_id(crawled):
    result, _ = crawled
    (warc,) = warc_files(result.output)
    assert warc.name == f"{result.crawls[-1]['crawl_id']}.warc.gz"


def test_warcio_indexes_every_record_and_every_digest_matches(crawled):
    result, requested = crawled
    (warc,) = warc_files(result.output)
    types = []
    with warc.open("rb") as f:
        for record in ArchiveIterator(f, check_digests="raise"):
            record.content_stream().read()  # reading the payload is what checks its digest
            types.append(record.rec_type)
    assert types[0] == "warcinfo"
    # every request the server answered is one response record plus one request record
    assert types.count("response") == len(requested) == types.count("request")
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(warc)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout and "digest fail" not in checked.stdout


def test_each_record_points_at_its_own_response(crawled):
    result, _ = crawled
    for record in result.articles:
        raw = record["raw"]
        capture = read_capture(result.output, raw)
        assert capture.record_id == raw["record_id"]
        assert capture.url == record["url"]
        assert capture.status == 200
        assert capture.date == record["fetched_at"]
        assert record["title"].encode() in capture.body


def test_robots_sitemaps_feeds_and_errors_are_captured_too(crawled):
    result, _ = crawled
    (warc,) = warc_files(result.output)
    index = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "index", str(warc)], capture_output=True, text=True
    ).stdout
    uris = [json.loads(line).get("warc-target-uri", "") for line in index.splitlines()]
    for suffix in ("/robots.txt", "/sitemap_index.xml", "/feed/", "/blog/old-deleted-post/"):
        assert any(u.endswith(suffix) for u in uris), suffix


def test_no_raw_turns_capture_off(tmp_path, serve):
    server = serve("wix-dental")
    result = crawl([f"{server.url}/"], tmp_path, "--no-raw")
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "raw").exists()
    assert result.articles and all(r["raw"] is None for r in result.articles)
