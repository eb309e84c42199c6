"""``import clinic_archive`` and the archive-reading examples of the docs, run for real: the
Python blocks of docs/api.md, and the jq, pandas and DuckDB examples of docs/archive.md, on an
archive crawled from a fixture site, with and without a removed article's tombstone."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SITES

import clinic_archive as ca
from crawler.siteserver import SiteServer

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def blocks(doc: str, lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall((ROOT / "docs" / doc).read_text("utf-8")) if kind == lang]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The wp-physio fixture crawled with the API, and a copy of its archive whose last line is
    a tombstone (the shape a removal leaves)."""
    work = tmp_path_factory.mktemp("api")
    with SiteServer(SITES / "wp-physio") as site:
        summary = ca.crawl([f"{site.url}/"], work / "output", settings=FAST)
    removed = work / "removed"
    shutil.copytree(work / "output", removed)
    first = next(ca.read_archive(removed))
    tombstone = {key: first[key] for key in ("schema", "id", "url", "canonical_url", "site", "crawl")}
    tombstone |= {
        "version": first["version"] + 1,
        "removed_at": "2026-12-07T10:00:00Z",
        "http": {"status": 404},
    }
    with (removed / "articles.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(tombstone) + "\n")
    return {
        "summary": summary,
        "output": work / "output",
        "removed": removed,
        "work": work,
        "gone": first["id"],
    }


def test_crawl_returns_its_summary_and_sites(crawled: dict[str, Any]) -> None:
    summary = crawled["summary"]
    assert summary.exit_code == 0 and summary.finish_reason == "finished"
    assert summary.articles["new"] == 9 and summary.errors == {"http_404": 1}
    assert [s["status"] for s in summary.sites] == ["ok"]
    records = list(ca.read_archive(crawled["output"]))
    assert len(records) == 9 and all(r["schema"] == "clinic-archive/article@1.1" for r in records)
    assert ca.validate(crawled["output"]) == []


def test_read_archive_leaves_out_tombstones_unless_asked(crawled: dict[str, Any]) -> None:
    ids = [r["id"] for r in ca.read_archive(crawled["removed"])]
    assert crawled["gone"] not in ids and len(ids) == 8
    everything = list(ca.read_archive(crawled["removed"], latest=False, include_removed=True))
    assert len(everything) == 10 and everything[-1]["removed_at"]
    frame = ca.read_archive(crawled["output"], as_frame=True)
    assert list(frame["id"]) == [r["id"] for r in ca.read_archive(crawled["output"])]


def test_errors_are_exceptions_with_the_commands_message(tmp_path: Path) -> None:
    with pytest.raises(ca.CrawlError) as failed:
        ca.crawl(["not a url"], tmp_path / "out")
    assert failed.value.exit_code == 2 and "Traceback" not in str(failed.value)
    with pytest.raises(ca.NotAnArticleError):
        ca.extract_article(
            "<html><body><nav><a href='/'>Home</a></nav><p>Call us.</p></body></html>", "https://c.example/"
        )
    with pytest.raises(FileNotFoundError):
        list(ca.read_archive(tmp_path / "nothing"))


@pytest.mark.parametrize("index", range(len(blocks("api.md", "python"))))
def test_the_api_examples_run(crawled: dict[str, Any], index: int, tmp_path: Path) -> None:
    code = blocks("api.md", "python")[index]
    with SiteServer(SITES / "wp-physio") as site:
        code = code.replace('"https://clinic.example/"', repr(f"{site.url}/"))
        code = code.replace('"output-references.bib"', repr(str(tmp_path / "refs.bib")))
        code = code.replace('"output"', repr(str(tmp_path / "output")))
        exec(compile(code, f"docs/api.md block {index + 1}", "exec"), {})
    if "crawl(" in code:
        assert (tmp_path / "refs.bib").read_text("utf-8").count("@article") >= 10


@pytest.mark.parametrize("archive", ["output", "removed"])
def test_the_reading_examples_run_with_and_without_removals(crawled: dict[str, Any], archive: str) -> None:
    path = crawled[archive]
    expected = 9 if archive == "output" else 8
    commands = [
        line for block in blocks("archive.md", "bash") for line in block.splitlines() if line.startswith("jq")
    ]
    assert len(commands) == 3
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (apt-get install jq; .ci/run installs it)")
    outputs = []
    for command in commands:
        local = command.replace("output/", f"{archive}/")
        proc = subprocess.run(local, shell=True, cwd=path.parent, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0].count('"title"') == expected
    assert outputs[2].strip()  # DOIs counted

    (pandas_code,) = [b for b in blocks("archive.md", "python") if "pandas" in b]
    namespace: dict[str, Any] = {}
    exec(pandas_code.replace('"output/articles.jsonl"', repr(str(path / "articles.jsonl"))), namespace)
    assert len(namespace["latest"]) == expected and len(namespace["refs"]) > 0

    import duckdb

    (sql,) = [b for b in blocks("archive.md", "sql") if "read_json_auto" in b]
    rows = duckdb.sql(sql.replace("output/articles.jsonl", str(path / "articles.jsonl"))).fetchall()
    assert len(rows) == 1 and rows[0][1] == expected


def test_the_reports_json_fits_its_published_schema(crawled: dict[str, Any]) -> None:
    from conftest import run_cli

    from pipelines.record import record_problems

    for archive in ("output", "removed"):
        proc = run_cli("report", str(crawled[archive]), "--format", "json", "-o", "-")
        assert proc.returncode == 0, proc.stderr
        assert record_problems(json.loads(proc.stdout), "report") == []
