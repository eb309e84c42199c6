"""``clinic-archive export --format ...`` on a real crawl's archive, each format read back with the
library its users read it with: CSL-JSON with citeproc-py, RIS with rispy, BibTeX with
bibtexparser, Parquet with pyarrow and DuckDB, CSV with the csv module and DuckDB; compared
field by field with the JSONL it came from."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.siteserver import SiteServer
from tests.conftest import SITES, crawl, read_jsonl, run_cli


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two fixture clinics crawled into one archive (posts with numbered reference lists)."""
    out = tmp_path_factory.mktemp("export") / "out"
    with SiteServer(SITES / "wp-physio") as one, SiteServer(SITES / "squarespace-chiro") as two:
        result = crawl([f"{one.url}/", f"{two.url}/"], out)
    assert result.returncode == 0, result.stderr
    return out


def export(archive: Path, fmt: str, out: Path, *extra: str) -> Any:
    proc = run_cli("export", str(archive), "--format", fmt, "-o", str(out), *extra)
    assert proc.returncode == 0, proc.stderr
    return proc


def archived_references(archive: Path) -> dict[str, dict[str, Any]]:
    """Each distinct reference of the archive's newest versions, by DOI or string as printed."""
    newest: dict[str, dict[str, Any]] = {}
    for record in read_jsonl(archive / "articles.jsonl"):
        newest[record["id"]] = record
    refs = {}
    for record in newest.values():
        for ref in record["references"]:
            refs.setdefault(ref["doi"] or ref["raw"], ref)
    return refs


def test_csl_json_reads_in_citeproc_with_every_field(archive: Path, tmp_path: Path) -> None:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    export(archive, "csl-json", tmp_path / "refs.json")
    items = json.loads((tmp_path / "refs.json").read_text("utf-8"))
    refs = archived_references(archive)
    assert len(items) == len(refs) >= 10  # one item per work
    by_key = {item.get("DOI") or item["note"].split("\nCited in:")[0]: item for item in items}
    for key, ref in refs.items():
        item = by_key[key]
        assert item.get("title") == ref["title"] and item.get("container-title") == ref["container"]
        assert item.get("volume") == ref["volume"] and item.get("page") == ref["pages"]
        assert item.get("issued", {}).get("date-parts", [[None]])[0][0] == ref["year"]
        families = [a.get("family") or a.get("literal") for a in item.get("author", [])]
        assert families == [re.sub(r"\s+[A-Z-]+$", "", a) for a in ref["authors"]]
        assert "Cited in: http" in item["note"]
    # citeproc reads them all and formats a bibliography with a real CSL style
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(items)
    titled = [i for i in items if i.get("title")]
    assert any(titled[0]["title"] in entry for entry in rendered)


def test_ris_and_bibtex_read_back_with_their_libraries(archive: Path, tmp_path: Path) -> None:
    import bibtexparser
    import rispy

    refs = archived_references(archive)
    export(archive, "ris", tmp_path / "refs.ris")
    entries = rispy.loads((tmp_path / "refs.ris").read_text("utf-8"))
    assert len(entries) == len(refs)
    ris_by_title = {e.get("title"): e for e in entries}
    export(archive, "bibtex", tmp_path / "refs.bib")
    library = bibtexparser.parse_string((tmp_path / "refs.bib").read_text("utf-8"))
    assert not library.failed_blocks
    assert len(library.entries) == len(refs) and len({e.key for e in library.entries}) == len(refs)
    bib_by_doi = {e.fields_dict["doi"].value: e for e in library.entries if "doi" in e.fields_dict}
    for ref in refs.values():
        entry = ris_by_title[ref["title"]]
        assert entry.get("secondary_title") == ref["container"] and entry.get("volume") == ref["volume"]
        assert entry.get("year") == (str(ref["year"]) if ref["year"] else None)
        assert entry.get("doi") == ref["doi"]
        assert len(entry.get("authors", [])) == len(ref["authors"])
        assert entry["notes"][0] == ref["raw"] and entry["notes"][1].startswith("Cited in: http")
        if ref["pages"]:
            assert entry["start_page"] == re.split(r"[-\u2013]", ref["pages"])[0]
        if ref["doi"]:
            bib = bib_by_doi[ref["doi"]].fields_dict
            value = {name: field.value for name, field in bib.items()}
            assert value.get("year") == (str(ref["year"]) if ref["year"] else None)
            assert value.get("volume") == ref["volume"]
            journal = ref["container"] and ref["container"].replace("&", r"\&")
            assert value.get("journal") == journal
            assert len(value["author"].split(" and ")) == len(ref["authors"])


def test_parquet_and_csv_tables_match_the_jsonl(archive: Path, tmp_path: Path) -> None:
    import duckdb
    import pyarrow.parquet as pq

    records = read_jsonl(archive / "articles.jsonl")
    export(archive, "parquet", tmp_path / "pq")
    export(archive, "csv", tmp_path / "csv")
    articles = pq.read_table(tmp_path / "pq" / "articles.parquet").to_pylist()
    assert [(a["id"], a["version"], a["title"]) for a in articles] == [
        (r["id"], r["version"], r["title"]) for r in records
    ]
    assert [a["authors"] for a in articles] == [[x["name"] for x in r["authors"]] for r in records]
    assert [a["word_count"] for a in articles] == [r["word_count"] for r in records]
    expected = [
        (r["id"], r["version"], ref["n"], ref["doi"], ref["year"]) for r in records for ref in r["references"]
    ]
    db = duckdb.connect()
    for path in (tmp_path / "pq" / "references.parquet", tmp_path / "csv" / "references.csv"):
        rows = db.execute(
            f"select article_id, version, n, doi, year from '{path}' order by article_id, version, n"
        ).fetchall()
        assert [tuple(None if v == "" else v for v in row) for row in rows] == sorted(
            expected, key=lambda x: (x[0], x[1], x[2])
        )
    # the two tables join on (article id, version)
    joined = db.execute(
        f"select count(*) from '{tmp_path / 'pq' / 'articles.parquet'}' a "
        f"join '{tmp_path / 'pq' / 'references.parquet'}' r on a.id = r.article_id and a.version = r.version"
    ).fetchone()
    assert joined == (len(expected),)
    with (tmp_path / "csv" / "articles.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["id"], int(r["version"]), r["text"]) for r in rows] == [
        (r["id"], r["version"], r["text"]) for r in records
    ]


def test_export_to_standard_output_and_clear_errors(archive: Path, tmp_path: Path) -> None:
    proc = run_cli("export", str(archive), "--format", "ris", "-o", "-")
    assert proc.returncode == 0 and proc.stdout.startswith("1.\nTY  - JOUR\n"), proc.stderr
    assert "references written to standard output" in proc.stderr
    bad = run_cli("export", str(archive), "--format", "csv", "-o", "-")
    assert bad.returncode == 2 and "give a directory with -o" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "file").write_text("x")
    bad = run_cli("export", str(archive), "--format", "parquet", "-o", str(tmp_path / "file"))
    assert bad.returncode == 2 and "is a file" in bad.stderr
    missing = run_cli(
        "export", str(tmp_path / "nothing"), "--format", "bibtex", "-o", str(tmp_path / "x.bib")
    )
    assert missing.returncode == 2 and "no archive in" in missing.stderr


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Smith JA", {"family": "Smith", "given": "J. A."}),
        ("van der Berg J-P", {"family": "van der Berg", "given": "J.-P."}),
        ("O'Brien C", {"family": "O'Brien", "given": "C."}),
        ("García-Márquez G", {"family": "García-Márquez", "given": "G."}),
        ("World Health Organization", {"literal": "World Health Organization"}),
        ("Cochrane", {"literal": "Cochrane"}),
    ],
)
def test_parsed_author_names_become_csl_names(name: str, parts: dict[str, str]) -> None:
    from pipelines.export import name_parts

    assert name_parts(name) == parts


def test_bibtex_escapes_latex_and_keeps_keys_unique() -> None:
    import bibtexparser

    from pipelines.export import bibtex_text, csl_item

    ref = {"raw": "x", "authors": ["Smith J"], "title": "50% of R&D_costs: {braces} #1 ~ ^", "year": 2019}
    items = [csl_item({**ref, "raw": f"ref {i}"}) for i in range(3)]
    text = bibtex_text(items)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == ["smith2019", "smith2019a", "smith2019b"]
    title = library.entries[0].fields_dict["title"].value
    assert title == r"50\% of R\&D\_costs: \{braces\} \#1 \textasciitilde{} \textasciicircum{}"


def test_markdown_files_read_back_with_yaml_and_a_markdown_parser(archive: Path, tmp_path: Path) -> None:
    """One file per article (newest version): its YAML front matter holds the record's fields
    and references, and its body is the record's Markdown, which markdown-it reads."""
    import yaml
    from markdown_it import MarkdownIt

    export(archive, "markdown", tmp_path / "notes")
    newest: dict[str, dict[str, Any]] = {}
    for record in read_jsonl(archive / "articles.jsonl"):
        newest[record["id"]] = record
    files = sorted((tmp_path / "notes").rglob("*.md"))
    assert len(files) == len(newest)
    seen = set()
    for path in files:
        _, header, body = path.read_text("utf-8").split("---\n", 2)
        meta = yaml.safe_load(header)
        record = newest[meta["id"]]
        seen.add(meta["id"])
        assert path.parent.name == record["site"].replace(":", "-")
        assert meta["title"] == record["title"] and meta["url"] == record["canonical_url"]
        assert meta["authors"] == [a["name"] for a in record["authors"]]
        assert (meta["published"], meta["version"]) == (record["published"], record["version"])
        assert [r["raw"] for r in meta["references"]] == [r["raw"] for r in record["references"]]
        assert [r.get("doi") for r in meta["references"]] == [r["doi"] for r in record["references"]]
        assert body.strip() == f"# {record['title']}\n\n{record['markdown']}".strip()
        tokens = MarkdownIt("commonmark").parse(body)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
        assert headings == [record["title"], *(h["text"] for h in record["headings"])]
    assert seen == set(newest)


def test_site_and_since_select_the_articles_of_every_format(archive: Path, tmp_path: Path) -> None:
    newest: dict[str, dict[str, Any]] = {}
    for record in read_jsonl(archive / "articles.jsonl"):
        newest[record["id"]] = record
    site = sorted({r["site"] for r in newest.values()})[0]
    dates = sorted(r["published"] for r in newest.values() if r["site"] == site and r["published"])
    since = dates[len(dates) // 2]
    wanted = {i for i, r in newest.items() if r["site"] == site and (r["published"] or "") >= since}
    assert 0 < len(wanted) < len(newest)
    url = f"http://{site}/blog/"  # a URL on the site names it too
    export(archive, "jsonl", tmp_path / "a.jsonl", "--latest", "--site", url, "--since", since)
    assert {r["id"] for r in read_jsonl(tmp_path / "a.jsonl")} == wanted
    export(archive, "csv", tmp_path / "t", "--site", site, "--since", since)
    with (tmp_path / "t" / "articles.csv").open(encoding="utf-8", newline="") as f:
        assert {row["id"] for row in csv.DictReader(f)} == wanted
    export(archive, "markdown", tmp_path / "md", "--site", site, "--since", since)
    assert len(list((tmp_path / "md").rglob("*.md"))) == len(wanted)
    bad = run_cli("export", str(archive), "--since", "soon", "-o", str(tmp_path / "x.jsonl"))
    assert bad.returncode == 2 and "--since: cannot read 'soon'" in bad.stderr
