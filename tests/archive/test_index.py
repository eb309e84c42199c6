"""The index of known pages (pipelines/archive/index.py): current with the JSONL file, caught up
after a crash, rebuilt when it is not this file's, and what a crawl reads instead of the file."""

from __future__ import annotations

import json
import sqlite3

from pipelines.archive.index import PageIndex, index_path
from pipelines.archive.jsonl import KnownPage, load_known_pages


def record(i: int, version: int = 1, site: str = "a.example", **extra) -> dict:
    return {
        "id": f"id{i}",
        "version": version,
        "url": f"https://{site}/p{i}/",
        "canonical_url": f"https://{site}/p{i}/",
        "site": site,
        "content_hash": f"h{i}-{version}",
        "fetched_at": "2026-01-01T00:00:00Z",
        "http": {"etag": f'"e{i}"'},
        **extra,
    }


def write(path, records) -> None:
    with path.open("a") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)


def pages(path) -> dict[str, tuple]:
    index = PageIndex(path, KnownPage)
    try:
        return {p.id: (p.version, p.content_hash, p.url, p.removed) for p in index}
    finally:
        index.close()


def from_file(path) -> dict[str, tuple]:
    """What reading the whole file gives: the last line of each id."""
    newest = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        page = KnownPage.from_record(r)
        newest[page.id] = (page.version, page.content_hash, page.url, page.removed)
    return newest


def test_the_index_equals_the_newest_line_of_each_article_and_catches_up(tmp_path):
    path = tmp_path / "articles.jsonl"
    write(path, [record(i) for i in range(50)])
    assert pages(path) == from_file(path)
    write(path, [record(3, version=2), {**record(7, version=2), "removed_at": "2026-02-01T00:00:00Z"}])
    write(path, [record(i) for i in range(50, 60)])
    assert pages(path) == from_file(path)  # read only what was appended since
    assert pages(path)["id7"][3] is True


def test_a_replaced_or_shortened_file_rebuilds_the_index(tmp_path):
    path = tmp_path / "articles.jsonl"
    write(path, [record(i) for i in range(20)])
    pages(path)
    path.unlink()
    write(path, [record(i, site="b.example") for i in range(5)])  # another archive, same name
    assert pages(path) == from_file(path)
    path.write_text(json.dumps(record(1)) + "\n")  # shorter than what the index had read
    assert pages(path) == from_file(path)


def test_a_damaged_index_is_rebuilt(tmp_path):
    path = tmp_path / "articles.jsonl"
    write(path, [record(i) for i in range(20)])
    pages(path)
    index_path(path).write_bytes(b"not a database at all" * 100)
    assert pages(path) == from_file(path)


def test_an_index_behind_the_file_after_a_crash_catches_up(tmp_path):
    path = tmp_path / "articles.jsonl"
    write(path, [record(i) for i in range(10)])
    pages(path)
    with sqlite3.connect(index_path(path)) as db:  # as if the last commit never happened
        db.execute("UPDATE meta SET value = '0' WHERE key = 'offset'")
        db.execute("DELETE FROM pages WHERE id = 'id9'")
    assert pages(path) == from_file(path)


def test_load_known_pages_reads_only_the_sites_asked_for(tmp_path):
    write(tmp_path / "articles.jsonl", [record(i, site=f"s{i % 3}.example") for i in range(30)])
    known = load_known_pages(tmp_path, sites={"s1.example"})
    assert sorted(known) == sorted(f"id{i}" for i in range(30) if i % 3 == 1)
    assert len(load_known_pages(tmp_path)) == 30


def test_the_index_skips_a_torn_tail_and_damaged_lines(tmp_path):
    path = tmp_path / "articles.jsonl"
    write(path, [record(1)])
    with path.open("a") as f:
        f.write("{not json}\n")
        f.write(json.dumps(record(2)) + "\n")
        f.write('{"id": "id3", "ver')  # torn
    assert sorted(pages(path)) == ["id1", "id2"]
