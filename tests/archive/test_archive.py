"""The JSONL archive: versioning, dedup, torn-line repair, locking, schema."""

import json

import pytest

from pipelines.archive.jsonl import (
    ARTICLES,
    ERRORS,
    Archive,
    ArchiveError,
    JsonlWriter,
    iter_records,
    repair_torn_tail,
)
from pipelines.record.models import Article, PageError
from pipelines.record.normalize import content_hash
from pipelines.record.validate import record_problems


def make_article(text: str = "Some text.", url: str = "https://c.example/blog/a/") -> Article:
    return Article(
        id="0123456789abcdef",
        url=url,
        canonical_url=url,
        site="c.example",
        site_name="C",
        title="A",
        authors=[],
        published="2024-01-01",
        modified=None,
        language="en",
        categories=[],
        tags=[],
        summary=None,
        text=text,
        word_count=len(text.split()),
        references=[],
        citations=[],
        unused_references=[],
        content_hash=content_hash("A", text),
        fetched_at="2026-01-01T00:00:00Z",
        status=200,
    )


def test_unchanged_adds_nothing_and_changed_adds_a_version(tmp_path):
    archive = Archive(tmp_path, crawl_id="c1")
    assert archive.add(make_article())[0] == "new"
    assert archive.add(make_article())[0] == "unchanged"
    archive.close()

    archive = Archive(tmp_path, crawl_id="c2")  # a later crawl reads the history
    assert archive.add(make_article())[0] == "unchanged"
    status, record = archive.add(make_article("Edited text."))
    archive.close()
    assert status == "changed" and record["version"] == 2
    lines = list(iter_records(tmp_path / ARTICLES))
    assert [(r["version"], r["crawl"]["id"]) for r in lines] == [(1, "c1"), (2, "c2")]
    assert all(record_problems(r) == [] for r in lines)


def test_torn_last_line_is_cut_on_open(tmp_path):
    path = tmp_path / ARTICLES
    good = json.dumps({"id": "x", "version": 1, "content_hash": "h"})
    path.write_text(good + "\n" + '{"id": "y", "vers')
    assert repair_torn_tail(path)
    assert path.read_text() == good + "\n"
    assert not repair_torn_tail(path)


def test_reader_skips_an_unterminated_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": 3')
    assert [r["a"] for r in iter_records(path)] == [1, 2]


def test_errors_are_one_line_each(tmp_path):
    archive = Archive(tmp_path, crawl_id="c1")
    archive.log_error(PageError("https://c.example/x", "fetch", "http_404", "HTTP 404 from the server"))
    archive.close()
    (line,) = list(iter_records(tmp_path / ERRORS))
    assert {k: line[k] for k in ("url", "stage", "error", "message")} == {
        "url": "https://c.example/x",
        "stage": "fetch",
        "error": "http_404",
        "message": "HTTP 404 from the server",
    }
    assert line["at"].endswith("Z")


def test_second_writer_refuses_with_a_clear_message(tmp_path):
    first = Archive(tmp_path, crawl_id="c1")
    with pytest.raises(ArchiveError, match="another crawl"):
        Archive(tmp_path, crawl_id="c2")
    first.close()
    Archive(tmp_path, crawl_id="c3").close()  # free again once the first one closed


def test_unusable_output_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ArchiveError, match=r"is not a directory: .*a-file is a file in the way"):
        Archive(blocker / "out", crawl_id="c1")


def test_writer_appends_whole_lines(tmp_path):
    writer = JsonlWriter(tmp_path / "x.jsonl")
    for i in range(100):
        writer.append({"i": i, "text": "line\nbreak ünïcode"})
    writer.close()
    raw = (tmp_path / "x.jsonl").read_bytes()
    assert raw.count(b"\n") == 100
    assert [r["i"] for r in iter_records(tmp_path / "x.jsonl")] == list(range(100))


def test_a_shard_continues_the_versions_another_shard_archived(tmp_path):
    """A distributed worker writes a changed post, or a tombstone, for a page another worker's
    shard holds: the version follows the newest known one, not 1 (crawler/distributed/known.py)."""
    from pipelines.archive.jsonl import KnownPage

    article = make_article("First text.")
    elsewhere = KnownPage(
        id=article.id,
        version=3,
        content_hash="old",
        url=article.url,
        canonical_url=article.url,
        site="c.example",
    )
    archive = Archive(tmp_path, crawl_id="c2", shard="w1", known=[elsewhere])
    status, record = archive.add(article)
    assert (status, record["version"]) == ("changed", 4)
    tombstone = archive.remove(article.url, 404, "2026-01-01T00:00:00Z")
    assert tombstone is not None and tombstone["version"] == 5
    archive.close()
    unchanged = Archive(tmp_path, crawl_id="c3", shard="w2", known=[elsewhere])
    assert unchanged.remove("https://c.example/blog/other/", 404, "2026-01-01T00:00:00Z") is None  # unknown
    unchanged.close()
