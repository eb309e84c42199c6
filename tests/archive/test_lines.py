"""JSONL files read in bounded memory whatever they hold, and torn tails moved aside, not dropped."""

from __future__ import annotations

import io
import json
import os

from conftest import run_cli

from pipelines.archive.jsonl import Archive, iter_records
from pipelines.archive.lines import iter_lines, repair_torn_tail

RECORD = {
    "id": "a1",
    "version": 1,
    "url": "https://c.example/p/",
    "content_hash": "h1",
    "fetched_at": "2026-01-01T00:00:00Z",
}


def lines_of(data: bytes, max_bytes: int) -> list[tuple[int, int, int, bytes | None, bool]]:
    return [(x.number, x.offset, x.size, x.raw, x.complete) for x in iter_lines(io.BytesIO(data), max_bytes)]


def test_an_over_long_line_is_skipped_to_its_end_without_being_held():
    data = b"short\n" + b"x" * 1000 + b"\nnext\n" + b"\0" * 500
    assert lines_of(data, 100) == [
        (1, 0, 6, b"short\n", True),
        (2, 6, 1001, None, True),
        (3, 1007, 5, b"next\n", True),
        (4, 1012, 500, None, False),  # a NUL tail over the limit: torn and not read
    ]
    assert [x.problem() is None for x in iter_lines(io.BytesIO(data), 100)] == [True, False, True, False]


def test_a_short_torn_tail_is_reported_as_torn():
    (good, torn) = iter_lines(io.BytesIO(b"{}\n\0\0\0"))
    assert good.problem() is None
    assert "torn last line of NUL bytes" in torn.problem()


def sparse_nul_tail(path, records: list[dict], tail_bytes: int) -> None:
    """An archive file whose end is ``tail_bytes`` of NULs, as a crashed file system leaves it
    (sparse: the test writes no such amount to disk)."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    os.truncate(path, path.stat().st_size + tail_bytes)


def test_readers_skip_a_huge_nul_tail_in_bounded_memory(tmp_path):
    archive = tmp_path / "out" / "articles.jsonl"
    archive.parent.mkdir()
    sparse_nul_tail(archive, [RECORD, {**RECORD, "id": "b2"}], 512 * 1024 * 1024)
    assert [r["id"] for r in iter_records(archive)] == ["a1", "b2"]

    # validate and merge, each in its own process, whose peak memory is measured
    def peak_rss(*args: str) -> tuple[object, int]:
        report = tmp_path / f"rss-{args[0]}.txt"
        prelude = (
            "import atexit, resource\n"
            f"atexit.register(lambda: open({str(report)!r}, 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))"
        )
        proc = run_cli(*args, prelude=prelude)
        return proc, int(report.read_text()) * 1024

    validate, rss = peak_rss("validate", str(archive))
    assert validate.returncode == 1 and "Traceback" not in validate.stderr
    assert "torn last line" in validate.stdout + validate.stderr
    assert rss < 512 * 1024 * 1024
    merged, rss = peak_rss("merge", str(archive.parent), "-o", str(tmp_path / "merged"))
    assert merged.returncode == 0, merged.stderr
    assert "torn last line" in merged.stderr  # said, not dropped in silence
    assert [
        json.loads(x)["id"] for x in (tmp_path / "merged" / "articles.jsonl").read_text().splitlines()
    ] == ["a1", "b2"]
    assert rss < 512 * 1024 * 1024


def test_a_writer_moves_a_torn_tail_aside_and_says_so(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    sparse_nul_tail(out / "articles.jsonl", [RECORD], 4 * 1024 * 1024)
    Archive(out, crawl_id="20261206T000000Z-aaaa").close()
    assert (out / "articles.jsonl").read_text() == json.dumps(RECORD) + "\n"
    (moved,) = out.glob("articles.jsonl.torn-*")
    assert moved.stat().st_size == 4 * 1024 * 1024 and not moved.read_bytes().strip(b"\0")
    (line,) = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    assert line["error"] == "torn_tail" and line["stage"] == "archive" and moved.name in line["message"]


def test_repair_without_keeping_cuts_only(tmp_path):
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": ')
    assert repair_torn_tail(path, keep=False) == path
    assert path.read_bytes() == b'{"a": 1}\n' and not list(tmp_path.glob("*.torn-*"))
    assert repair_torn_tail(path) is None  # a clean end: nothing to do
