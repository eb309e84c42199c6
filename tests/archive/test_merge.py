"""Merging archive shards: one history per article, no duplicates, raw pointers intact."""

from __future__ import annotations

import shutil

from conftest import SITES, crawl, edit_post, load_expected, read_jsonl, run_cli

from pipelines.archive.captures import read_capture
from pipelines.record.validate import record_problems


def test_merge_two_shards_of_one_site(tmp_path, serve):
    site = tmp_path / "site"
    shutil.copytree(SITES / "wix-dental", site)
    server = serve(site)
    first = crawl([f"{server.url}/"], tmp_path / "shard-a")
    assert first.returncode == 0
    article = load_expected("wix-dental")["articles"][2]
    sentence = article["text_must_contain"][0]
    edit_post(site, article["path"], sentence, sentence + " Revised in 2026.")
    second = crawl([f"{server.url}/"], tmp_path / "shard-b")  # a second worker, its own shard
    assert second.returncode == 0

    proc = run_cli(
        "merge", str(tmp_path / "shard-a"), str(tmp_path / "shard-b"), "-o", str(tmp_path / "merged")
    )
    assert proc.returncode == 0, proc.stderr
    assert "(2 duplicates dropped)" in proc.stdout  # the 2 unchanged posts; the edited one is history
    merged = read_jsonl(tmp_path / "merged" / "articles.jsonl")
    assert len(merged) == 4
    history: dict[str, list[tuple[int, str]]] = {}
    for record in merged:
        history.setdefault(record["id"], []).append((record["version"], record["fetched_at"]))
        assert record_problems(record) == []
        capture = read_capture(tmp_path / "merged", record["raw"])  # WARCs came along
        assert capture.record_id == record["raw"]["record_id"]
    assert sorted(len(v) for v in history.values()) == [1, 1, 2]
    for versions in history.values():
        assert [v for v, _ in versions] == list(range(1, len(versions) + 1))
        assert [t for _, t in versions] == sorted(t for _, t in versions)  # ordered by fetch time
    edited = next(r for r in merged if r["version"] == 2)
    assert "Revised in 2026." in edited["text"] and edited["url"].endswith(article["path"])
    assert len(read_jsonl(tmp_path / "merged" / "crawls.jsonl")) == 2


def test_merge_refuses_unsafe_targets(tmp_path, serve):
    server = serve("wix-dental")
    assert crawl([f"{server.url}/"], tmp_path / "a").returncode == 0
    assert run_cli("merge", str(tmp_path / "a"), "-o", str(tmp_path / "a")).returncode == 2
    assert run_cli("merge", str(tmp_path / "nothing"), "-o", str(tmp_path / "m")).returncode == 2


def test_merge_orders_a_record_with_a_malformed_fetched_at_first_and_goes_on(tmp_path):
    """A hand-edited or foreign line with a number (or null) for fetched_at: no TypeError, no
    line lost; it sorts before every dated version of its article."""
    import json

    shard = tmp_path / "shard"
    shard.mkdir()
    lines = [
        {"id": "a", "version": 1, "fetched_at": "2026-01-02T00:00:00Z", "content_hash": "h2", "text": "two"},
        {"id": "a", "version": 1, "fetched_at": 1767225600, "content_hash": "h1", "text": "one"},
        {"id": "b", "version": 1, "fetched_at": None, "content_hash": "h3", "text": "three"},
    ]
    (shard / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    proc = run_cli("merge", str(shard), "-o", str(tmp_path / "merged"))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    merged = read_jsonl(tmp_path / "merged" / "articles.jsonl")
    assert [(r["id"], r["text"], r["version"]) for r in merged if r["id"] == "a"] == [
        ("a", "one", 1),
        ("a", "two", 2),
    ]
    assert [r["text"] for r in merged if r["id"] == "b"] == ["three"]
