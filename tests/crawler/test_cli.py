"""The clinic-archive command: help, argument errors, extract and validate (no crawl here)."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli
from pages import BODY, REF1, page

from pipelines.record import ARTICLE_SCHEMA

SCHEMA_URL = "https://clinic-archive.dev/schema/article/1.1.json"


def test_help_lists_every_command():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("crawl", "demo", "extract", "validate"):
        assert command in proc.stdout
    crawl_help = run_cli("crawl", "--help").stdout
    for option in ("--seeds-file", "--output", "--max-pages", "--since", "--delay"):
        assert option in crawl_help


def test_no_command_prints_help_and_fails():
    proc = run_cli()
    assert proc.returncode == 2 and "usage:" in proc.stdout


def test_bad_seed_is_a_clear_error_not_a_traceback():
    proc = run_cli("crawl", "not-a-url")
    assert proc.returncode == 2
    assert "not a website URL" in proc.stderr and "Traceback" not in proc.stderr


def test_unresolvable_host_fails_fast(tmp_path):
    proc = run_cli("crawl", "https://no-such-host.invalid/", "-o", str(tmp_path), timeout=60)
    assert proc.returncode == 3  # no site could be crawled
    assert "could not crawl https://no-such-host.invalid/: the host name could not be resolved" in proc.stderr
    assert "no site could be crawled" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_since_date(tmp_path):
    proc = run_cli("crawl", "http://127.0.0.1:9/", "--since", "last tuesday-ish", "-o", str(tmp_path))
    assert proc.returncode == 2 and "--since" in proc.stderr


def test_extract_prints_one_valid_record(tmp_path):
    html = tmp_path / "post.html"
    html.write_text(page(BODY + f"<h2>References</h2><ol><li>{REF1}</li></ol>"), encoding="utf-8")
    proc = run_cli("extract", str(html), "--url", "https://clinic.example/blog/post/?utm_source=x")
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["schema"] == ARTICLE_SCHEMA == "clinic-archive/article@1.1"
    assert record["url"] == "https://clinic.example/blog/post/"
    assert record["references"][0]["doi"] == "10.1016/s0140-6736(18)30480-x"
    out = tmp_path / "one.jsonl"
    out.write_text(proc.stdout.strip() + "\n")
    assert run_cli("validate", str(out)).returncode == 0


def test_extract_refuses_a_non_article_unless_forced(tmp_path):
    html = tmp_path / "about.html"
    html.write_text(page(BODY, head='<meta property="og:type" content="website">'), encoding="utf-8")
    proc = run_cli("extract", str(html), "--url", "https://clinic.example/about/")
    assert proc.returncode == 1 and "not an article" in proc.stderr
    assert run_cli("extract", str(html), "--url", "https://clinic.example/about/", "--force").returncode == 0


def test_validate_reports_bad_lines_by_number(tmp_path):
    html = tmp_path / "post.html"
    html.write_text(page(BODY), encoding="utf-8")
    good = run_cli("extract", str(html), "--url", "https://clinic.example/blog/post/").stdout.strip()
    bad = json.loads(good)
    bad["published"] = "last week"
    del bad["title"]
    archive = tmp_path / "articles.jsonl"
    archive.write_text("\n".join([good, json.dumps(bad), "{not json", good]) + "\n")
    (tmp_path / "errors.jsonl").write_text('{"url": "https://clinic.example/x/", "stage": "fetch"}\n')
    proc = run_cli("validate", str(archive))
    assert proc.returncode == 1
    # one line per bad line: its first problem, and how many more
    assert f"{archive}:2: (record): 'title' is a required property (and 1 more)" in proc.stdout
    assert f"{archive}:3: not JSON" in proc.stdout
    assert f"{archive}:1:" not in proc.stdout and f"{archive}:4:" not in proc.stdout
    assert proc.stdout.count("\n") == 2 and "4 lines checked in 1 file(s), 2 bad" in proc.stderr
    # the output directory: every file against its own schema (errors.jsonl lacks four fields)
    proc = run_cli("validate", str(tmp_path))
    assert proc.returncode == 1 and proc.stdout.count("\n") == 3
    assert (
        f"{tmp_path / 'errors.jsonl'}:1: (record): 'error' is a required property (and 3 more)" in proc.stdout
    )
    assert "5 lines checked in 2 file(s), 3 bad" in proc.stderr
    empty = run_cli("validate", str(tmp_path / "nothing-here"))
    assert empty.returncode == 2 and "no such file or directory" in empty.stderr


def test_schema_prints_each_published_schema(tmp_path):
    listing = run_cli("schema")
    assert listing.returncode == 0 and listing.stdout.split()[:3] == ["article", "1.1", SCHEMA_URL]
    for name in ("article", "error", "crawl", "site", "skipped", "report"):
        proc = run_cli("schema", name)
        assert proc.returncode == 0
        assert json.loads(proc.stdout) == json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
    bad = run_cli("schema", "nonsense")
    assert bad.returncode == 2 and "one of article, error" in bad.stderr


def test_a_crawl_that_cannot_start_says_why_in_one_line(tmp_path):
    """An archive the crawl cannot read (here articles.jsonl is a directory) stops it before
    the first request: one line naming the error, the traceback in the log file."""
    (tmp_path / "articles.jsonl").mkdir()
    proc = run_cli("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path))
    assert proc.returncode == 1
    assert "clinic-archive: error: the crawl could not start: IsADirectoryError: " in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    (log,) = (tmp_path / "logs").glob("*.log")
    assert "Traceback" in log.read_text()
