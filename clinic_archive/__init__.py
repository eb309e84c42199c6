"""clinic-archive from Python: crawl, extract, parse references, read and export archives.

The public face of the project for notebooks and scripts; the code lives in ``crawler/`` (the
Scrapy crawl and the command line) and ``pipelines/`` (the pure stages). Everything here returns
plain dicts, lists and dataclasses, the same fields as the archive's JSON lines (docs/schema.md).

    import clinic_archive as ca

    summary = ca.crawl(["https://clinic.example/"], "output", max_pages=200)
    for record in ca.read_archive("output"):
        print(record["title"], len(record["references"]))
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines import __version__

__all__ = [
    "CrawlError",
    "CrawlSummary",
    "ExtractionError",
    "NotAnArticleError",
    "__version__",
    "crawl",
    "export",
    "extract_article",
    "parse_reference",
    "read_archive",
    "schema",
    "validate",
]


class CrawlError(RuntimeError):
    """A crawl that could not run, or crawled no site: the command's own one-line message."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class NotAnArticleError(ValueError):
    """The page is not an article (a home, service, contact or listing page); ``reason`` says why."""


class ExtractionError(ValueError):
    """No record could be made of the page: ``kind`` is the error kind errors.jsonl would hold."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind


@dataclass
class CrawlSummary:
    """What a crawl did: its crawls.jsonl line (``line``) and its sites.jsonl lines (``sites``)."""

    crawl_id: str
    output: Path
    exit_code: int
    articles: dict[str, int]
    errors: dict[str, int]
    finish_reason: str
    duration_s: float
    line: dict[str, Any] = field(repr=False)
    sites: list[dict[str, Any]] = field(default_factory=list, repr=False)


def crawl(
    seeds: str | Sequence[str], output: str | Path = "output", *, timeout: float | None = None, **options: Any
) -> CrawlSummary:
    """Crawl ``seeds`` into the archive ``output``, exactly as ``clinic-archive crawl`` does (in a
    subprocess, so a notebook's event loop and logging are untouched). Keyword options are the
    command's long options: ``max_pages=200`` is ``--max-pages 200``, ``render="never"``,
    ``include=["/blog/"]`` repeats ``--include``, ``fresh=True`` is ``--fresh``; ``settings``
    takes a dict of Scrapy settings (``-s NAME=VALUE``). Raises ``CrawlError`` when the crawl
    could not run or crawled no site; a crawl with some failed sites returns (see ``sites``)."""
    output = Path(output)
    command = [sys.executable, "-m", "crawler.cli", "crawl", *([seeds] if isinstance(seeds, str) else seeds)]
    command += ["-o", str(output), *_options(options)]
    before = len(_lines(output / "crawls.jsonl"))
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    crawls = _lines(output / "crawls.jsonl")
    if proc.returncode not in (0, 130) or len(crawls) == before:
        message = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        raise CrawlError(message[0].removeprefix("clinic-archive: error: "), proc.returncode)
    line = crawls[-1]
    sites = [s for s in _lines(output / "sites.jsonl") if s.get("crawl_id") == line["crawl_id"]]
    return CrawlSummary(
        crawl_id=line["crawl_id"],
        output=output,
        exit_code=proc.returncode,
        articles=line.get("articles", {}),
        errors=line.get("errors", {}),
        finish_reason=line.get("finish_reason", ""),
        duration_s=line.get("duration_s", 0.0),
        line=line,
        sites=sites,
    )


def _options(options: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if name == "settings":
            args += [x for key, val in (value or {}).items() for x in ("-s", f"{key}={val}")]
        elif value is True:
            args.append(flag)
        elif value is None or value is False:
            continue
        elif isinstance(value, (list, tuple)):
            args += [x for item in value for x in (flag, str(item))]
        else:
            args += [flag, str(value)]
    return args


def _lines(path: Path) -> list[dict[str, Any]]:
    from pipelines.archive import iter_records

    return list(iter_records(path)) if path.exists() else []


def extract_article(html: str | bytes, url: str, *, force: bool = False) -> dict[str, Any]:
    """The archive record the crawl would write for this page (``version`` 1), with no network.
    Raises ``NotAnArticleError`` (unless ``force``) or ``ExtractionError``."""
    from pipelines.archive import article_record
    from pipelines.extract import extract_article as extract
    from pipelines.record import Article, NotArticle, utc_now

    result = extract(html, url, fetched_at=utc_now(), assume_article=force)
    if isinstance(result, NotArticle):
        raise NotAnArticleError(result.reason)
    if not isinstance(result, Article):
        raise ExtractionError(result.error, result.message)
    return article_record(result, version=1, crawl_id="python")


def parse_reference(raw: str) -> dict[str, Any]:
    """One printed reference's fields (authors, title, container, year, volume, issue, pages,
    doi, pmid, pmcid, url, style, confidence), as in a record's ``references``."""
    from pipelines.references import parse_reference as parse

    return dataclasses.asdict(parse(raw))


def read_archive(
    output: str | Path, latest: bool = True, include_removed: bool = False, as_frame: bool = False
) -> Any:
    """The archive's records: the newest version of each article (or every line with
    ``latest=False``), tombstones left out unless ``include_removed``; an iterator of dicts, or
    a pandas DataFrame with ``as_frame=True`` (needs pandas). Read in bounded memory."""
    path = Path(output) / "articles.jsonl" if Path(output).is_dir() else Path(output)
    if not path.exists():
        raise FileNotFoundError(f"no archive at {path}")
    from pipelines.archive import export_records

    records = export_records(path, latest, include_removed)
    if not as_frame:
        return records
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("read_archive(as_frame=True) needs pandas: pip install pandas") from exc
    return pd.DataFrame(list(records))


def export(
    output: str | Path,
    format: str,
    out: str | Path,
    latest: bool = False,
    include_removed: bool = False,
    sites: Sequence[str] = (),
    since: str | None = None,
) -> str:
    """``clinic-archive export``: ``format`` one of jsonl, csl-json, ris, bibtex, parquet, csv,
    markdown (docs/commands.md), only ``sites``' articles (their site keys) and those published
    on or after ``since`` (YYYY-MM-DD) when given; returns what was written."""
    from pipelines.export import Selection, export_archive

    select = Selection(frozenset(sites), since)
    return export_archive(Path(output), format, Path(out), latest, include_removed, select)


def validate(output: str | Path) -> list[str]:
    """Every JSONL file of an archive (or one file) against its schema: ``"file:line: problem"``
    for each bad line; [] when all are valid."""
    from pipelines.archive import BadLine, validate_file
    from pipelines.record import kind_of_file

    target = Path(output)
    files = sorted(p for p in target.iterdir() if kind_of_file(p.name)) if target.is_dir() else [target]
    problems = []
    for path in files:
        for result in validate_file(path, kind_of_file(path.name) or "article"):
            if isinstance(result, BadLine):
                problems += [f"{path}:{result.line}: {p}" for p in result.problems[:1]]
    return problems


def schema(name: str = "article") -> dict[str, Any]:
    """The published JSON Schema of one kind of line: article, error, crawl, site, skipped."""
    from pipelines.record import schema as published

    return published(name)
