"""The report as one self-contained HTML page (Jinja2 + inline SVG), JSON, or long-format CSV.

All three come from the same ``Report``, so the tables a researcher loads from the CSV show
exactly the numbers the HTML page shows.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pipelines.report.build import Report
from pipelines.report.charts import posts_per_month_chart, word_count_chart
from pipelines.report.figures import SiteFigures
from pipelines.report.listing import FindingRow
from pipelines.report.problems import CHECK_LABELS

FORMATS = ("html", "json", "csv")
# The HTML page lists at most this many clusters (the JSON and `duplicates` give all of them):
# past a few hundred a page stops being read and only gets slow to open.
HTML_MAX_CLUSTERS = 200
# Each list of things to fix (findings of one check, contradictions, retractions) shows at most
# this many rows on the page, and the posts table this many posts (most problems first). Rows are
# rendered server-side and the page's script only sorts and filters them: at 5,000 rows a sort
# takes about half a second in Chromium on a busy 2-CPU machine (mostly table layout), at 10,000
# two seconds. The JSON output has every row.
HTML_MAX_ROWS = 500
HTML_MAX_POSTS = 5_000
# The verification statuses as the page names them, in its order.
VERIFICATION_ROWS = [
    ("verified", "verified"),
    ("mismatch", "found with other details (mismatch)"),
    ("not_found", "not found"),
    ("unchecked", "not checked"),
]


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one check code, as the page lists them."""

    code: str
    label: str
    total: int
    rows: list[FindingRow]


def render(report: Report, fmt: str) -> str:
    """The report in one of ``FORMATS``."""
    if fmt == "html":
        return render_html(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def render_json(report: Report) -> str:
    return json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2) + "\n"


# --- HTML ---------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pipelines.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = percent
    env.filters["num"] = number
    env.filters["href"] = web_link
    env.filters["doi_link"] = doi_link
    return env


def doi_link(doi: str) -> str:
    """The doi.org address of a DOI, percent-encoded (a DOI may hold any printable character)."""
    return "https://doi.org/" + quote(doi.strip(), safe="/:;()._-")


def web_link(url: str | None) -> str:
    """Only http(s) links: an archive edited by hand could hold ``javascript:`` URLs."""
    return url if url and url.lower().startswith(("http://", "https://")) else "#"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def render_html(report: Report) -> str:
    charts = {
        "posts_per_month": posts_per_month_chart(report.sites),
        "word_count": word_count_chart(report.sites),
    }
    template = environment().get_template("report.html.j2")
    return template.render(
        report=report,
        columns=[*report.sites, report.total] if len(report.sites) > 1 else report.sites,
        charts={k: Markup(v) if v else None for k, v in charts.items()},
        clusters=report.clusters[:HTML_MAX_CLUSTERS],
        verification_rows=VERIFICATION_ROWS,
        finding_groups=finding_groups(report.findings),
        contradictions=report.contradictions[:HTML_MAX_ROWS],
        retractions=report.retractions[:HTML_MAX_ROWS],
        mismatches=report.mismatches[:HTML_MAX_ROWS],
        post_rows=report.post_table[:HTML_MAX_POSTS],
    )


def finding_groups(findings: list[FindingRow], limit: int = HTML_MAX_ROWS) -> list[FindingGroup]:
    """The findings by check code (they come sorted by code), each list cut at ``limit`` rows."""
    groups = []
    for code, rows in groupby(findings, key=lambda f: f.code):
        listed = list(rows)
        groups.append(FindingGroup(code, CHECK_LABELS.get(code, code), len(listed), listed[:limit]))
    return groups


# --- CSV ----------------------------------------------------------------------------------

CSV_HEADER = ("site", "figure", "key", "value")
LISTS = ("categories", "tags", "title_words", "credentials", "journals", "cited_sites")


def render_csv(report: Report) -> str:
    """Long ("tidy") format, one number per row: ``site, figure, key, value``; load it with
    ``pandas.read_csv`` and pivot to whatever table you need."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(report))
    return buffer.getvalue()


def csv_rows(report: Report) -> Iterator[tuple[str, str, str, Any]]:
    for key in (
        "archive",
        "generated_at",
        "since",
        "threshold",
        "lines",
        "bad_lines",
        "posts",
        "removed",
        "kept_non_articles",
        "verification",
        "verification_lines",
    ):
        yield "", "report", key, _cell(getattr(report, key))
    for kind, count in report.skipped.items():
        yield "", "skipped_pages", kind, count
    for failed in report.failed_sites:
        yield failed["site"], "failed_site", failed["status"], failed["reason"]
    for fig in [*report.sites, report.total]:
        yield from site_rows(fig)
    for cluster in report.clusters:
        for post in cluster.posts:
            yield post.site, "duplicate_cluster", cluster.id, post.url
    for retraction in report.retractions:
        yield retraction.site, "retracted_reference", retraction.url, retraction.notice_doi or ""
    for row in report.mismatches:
        differ = "; ".join(f"{d['field']}: {d['ours']} / {d['theirs']}" for d in row.differences)
        yield row.site, "mismatched_reference", row.url, f"entry {row.n}: {differ}"
    for row in report.post_table:
        if row.problems:
            yield row.site, "post_problems", row.url, row.problems


def site_rows(fig: SiteFigures) -> Iterator[tuple[str, str, str, Any]]:
    site = fig.site
    for field in dataclasses.fields(fig):
        value = getattr(fig, field.name)
        if value is None or isinstance(value, str | int | float):
            yield site, "summary", field.name, _cell(value)
    for month, count in fig.posts_per_month.items():
        yield site, "posts_per_month", month, count
    for key, value in dataclasses.asdict(fig.word_count).items():
        if key != "histogram":
            yield site, "word_count", key, _cell(value)
    for label, count in fig.word_count.histogram.items():
        yield site, "word_count_histogram", label, count
    for name in LISTS:
        for row in getattr(fig, name):
            yield site, name, row.name, row.count
    for author in fig.authors:
        yield site, "author_posts", author.name, author.posts
        yield site, "author_credentials", author.name, "; ".join(author.credentials)
    for post in fig.problem_posts:
        yield (
            site,
            "citation_problem_post",
            post.url,
            post.markers_without_entries + post.unused_entries + post.contradictions,
        )
    for post in fig.newest:
        yield site, "newest_post", post.url, post.published
    for code, count in fig.check_findings.items():
        yield site, "check_findings", code, count
    if fig.verification is not None:
        for key, value in dataclasses.asdict(fig.verification).items():
            yield site, "verification", key, _cell(value)


def _cell(value: Any) -> Any:
    return "" if value is None else value
