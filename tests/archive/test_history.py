"""History readers on a hand-made archive: changes windows, diff summaries, export."""

from __future__ import annotations

import json

from pipelines.archive.history import diff_summary, export_lines, find_changes, scan


def line(id_: str, version: int, at: str, crawl: str, text: str = "One.\n\nTwo.", **extra) -> dict:
    record = {
        "id": id_,
        "version": version,
        "site": "c.example",
        "url": f"https://c.example/{id_}/",
        "title": id_.upper(),
        "text": text,
        "word_count": len(text.split()),
        "references": [],
        "fetched_at": at,
        "crawl": {"id": crawl},
    }
    record.update(extra)
    return record


def tombstone(id_: str, version: int, at: str, crawl: str) -> dict:
    return {
        "id": id_,
        "version": version,
        "site": "c.example",
        "url": f"https://c.example/{id_}/",
        "removed_at": at,
        "http": {"status": 410},
        "crawl": {"id": crawl},
    }


def write_archive(tmp_path, records, crawls):
    (tmp_path / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "crawls.jsonl").write_text("".join(json.dumps(c) + "\n" for c in crawls))


HISTORY = [
    line("a", 1, "2025-01-01T00:00:00Z", "c1"),
    line("b", 1, "2025-01-01T00:00:00Z", "c1"),
    line("c", 1, "2025-01-01T00:00:00Z", "c1"),
    line("a", 2, "2025-02-01T00:00:00Z", "c2", text="One.\n\nTwo, revised with new advice.\n\nThree."),
    tombstone("b", 2, "2025-02-01T00:00:00Z", "c2"),
    line("d", 1, "2025-02-01T00:00:00Z", "c2"),
]
CRAWLS = [{"crawl_id": "c1"}, {"crawl_id": "c2"}, {"crawl_id": "r9", "kind": "reextract"}]


def test_changes_of_the_last_crawl(tmp_path):
    write_archive(tmp_path, HISTORY, CRAWLS)
    changes = find_changes(tmp_path)
    assert changes.window == "crawl c2"  # a re-extraction is not a crawl
    site = changes.sites["c.example"]
    assert [e["id"] for e in site["new"]] == ["d"]
    assert [(e["id"], e["version"]) for e in site["changed"]] == [("a", 2)]
    assert [(e["id"], e["title"], e["removed_at"]) for e in site["removed"]] == [
        ("b", "B", "2025-02-01T00:00:00Z")
    ]
    diff = site["changed"][0]["diff"]
    assert diff["paragraphs"] == {"edited": 1, "added": 1, "removed": 0}
    assert diff["first_new_text"].startswith("Two, revised with new advice.")


def test_changes_since_a_date_counts_a_new_post_once(tmp_path):
    write_archive(tmp_path, [*HISTORY, line("d", 2, "2025-03-01T00:00:00Z", "c3", text="Changed.")], CRAWLS)
    totals = find_changes(tmp_path, since="2025-01-15").totals()
    assert totals == {"new": 1, "changed": 1, "removed": 1}  # d is new in the window, not also changed


def test_diff_summary_reports_title_and_references():
    old = line("a", 1, "x", "c", references=[{}])
    new = line("a", 2, "x", "c", title="New title", references=[{}, {}])
    summary = diff_summary(old, new)
    assert summary["title_changed"] and summary["references"] == [1, 2]
    assert "title: 'A' -> 'New title'" in summary["summary"]


def test_export_latest_and_full_history(tmp_path):
    write_archive(tmp_path, HISTORY, CRAWLS)
    path = tmp_path / "articles.jsonl"
    latest = [json.loads(x) for x in export_lines(path)]
    assert [(r["id"], r["version"]) for r in latest] == [("c", 1), ("a", 2), ("d", 1)]
    with_removed = [json.loads(x) for x in export_lines(path, include_removed=True)]
    assert ("b", 2) in [(r["id"], r["version"]) for r in with_removed]
    everything = list(export_lines(path, latest=False, include_removed=True))
    assert len(everything) == len(HISTORY)


def test_scan_ignores_a_torn_last_line(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text(json.dumps(HISTORY[0]) + "\n" + '{"id": "x", "vers')
    assert [r.id for r in scan(path)] == ["a"]
