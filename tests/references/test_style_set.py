"""The hand-labelled evaluation set of reference strings per citation style.

``tests/fixtures/references/styles.jsonl`` holds one labelled reference a line (``bench/references.py
--data`` scores the parser on it, per style and field). These tests check the set itself, not
the parser: every line is well formed, ids are unique, every style has enough references, and
every gold value is copied from the string (in the ``markup`` style, from the string's text:
tags stripped, entities decoded). They also check the benchmark's reading of it: each author
span splits into names, and the per-style accuracy counts what its docstring says.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from conftest import FIXTURES, ROOT

SET = FIXTURES / "references" / "styles.jsonl"
STYLES = {"acs", "astro", "physics", "ieee", "chicago", "mla", "harvard", "markup"}
KEYS = {
    "author",
    "date",
    "title",
    "journal",
    "booktitle",
    "volume",
    "issue",
    "pages",
    "doi",
    "url",
    "publisher",
}
MIN_PER_STYLE = 60

LINES = [line for line in SET.read_text("utf-8").splitlines() if line.strip()]
RECORDS = [json.loads(line) for line in LINES]

spec = importlib.util.spec_from_file_location("bench_references", ROOT / "bench" / "references.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def text_of(markup: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def test_every_line_is_a_record():
    for line in LINES:
        record = json.loads(line)
        assert isinstance(record, dict)
        assert {"id", "style", "raw", "fields"} <= set(record), line
        assert isinstance(record["raw"], str) and record["raw"].strip(), line
        fields = record["fields"]
        assert isinstance(fields, dict) and fields, line
        assert set(fields) <= KEYS, (record["id"], set(fields) - KEYS)
        for values in fields.values():
            assert isinstance(values, list) and values, record["id"]
            assert all(isinstance(v, str) and v.strip() == v and v for v in values), record["id"]


def test_ids_are_unique():
    duplicates = [i for i, n in Counter(r["id"] for r in RECORDS).items() if n > 1]
    assert not duplicates


def test_every_style_has_enough_references():
    per_style = Counter(r["style"] for r in RECORDS)
    assert set(per_style) == STYLES
    assert min(per_style.values()) >= MIN_PER_STYLE, per_style


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_gold_values_are_copied_from_the_string(record):
    """Every value but the author span occurs verbatim (in ``markup``: in the string's text)."""
    markup = record["style"] == "markup"
    raw = text_of(record["raw"]) if markup else record["raw"]
    for key, values in record["fields"].items():
        if key == "author" and not markup:
            continue
        for value in values:
            assert value in raw, f"{key} {value!r} not in {raw!r}"


def test_markup_strings_have_markup():
    for record in RECORDS:
        if record["style"] == "markup":
            assert re.search(r"<[a-z]+[ >]|&#?\w+;", record["raw"]), record["id"]


@pytest.mark.parametrize("record", [r for r in RECORDS if "author" in r["fields"]], ids=lambda r: r["id"])
def test_author_spans_split_into_names(record):
    """The benchmark reads a surname and initials out of every name of the span."""
    keys = bench.split_gold_authors(record["fields"]["author"])
    assert keys
    for key in keys:
        assert re.fullmatch(r"\S+(?: \S+)?", key), (record["id"], keys)


@pytest.mark.parametrize(
    ("span", "names"),
    [
        ("Smith, J. A.; Doe, B.", ["smith ja", "doe b"]),
        ("John A. Smith and Jane Doe", ["smith ja", "doe j"]),
        ("Smith, John, and Jane Doe", ["smith j", "doe j"]),
        (
            "van der Waals, J. D.; O’Keeffe, M.; de la Torre, B. G.",
            ["vanderwaals jd", "okeeffe m", "delatorre bg"],
        ),
        (
            "Planck Collaboration, Aghanim, N., Akrami, Y., et al.",
            ["collaboration p", "aghanim n", "akrami y"],
        ),
        ("Navarro J. F., Frenk C. S., White S. D. M.", ["navarro jf", "frenk cs", "white sdm"]),
        ("Ivezić, Ž., Kahn, S. M.", ["ivezić ž", "kahn sm"]),
        ("Brown, Brené", ["brown b"]),
        ("Hurston, Zora Neale", ["hurston zn"]),
        ("Gates, Henry Louis, Jr., and Nellie Y. McKay", ["gates hl", "mckay ny"]),
        ("Kahneman, Daniel, Paul Slovic, and Amos Tversky", ["kahneman d", "slovic p", "tversky a"]),
        ("Salazar AP, Stein C, Marchese RR", ["salazar ap", "stein c", "marchese rr"]),
    ],
)
def test_split_gold_authors(span, names):
    assert bench.split_gold_authors([span]) == names


def test_style_accuracy_counts_wrong_and_spurious_values_against():
    """Counted where the gold has the field or the parser gave one; absent on both sides is not."""
    records = [
        {"style": "x", "fields": {"title": ["A title"], "date": ["2019"]}},
        {"style": "x", "fields": {"title": ["Another"], "date": ["2020"]}},
        {"style": "x", "fields": {"title": ["Third"]}},
    ]

    def ref(title, year=None, volume=None):
        fields = dict.fromkeys(("container", "issue", "pages", "doi", "pmid", "pmcid", "url"))
        return SimpleNamespace(authors=[], title=title, year=year, volume=volume, **fields)

    refs = [ref("A title", 2019), ref("Wrong", 2020, volume="3"), ref("Third")]
    counts = bench.style_counts(records, refs)["x"]
    assert (counts["title"]["counted"], counts["title"]["ok"]) == (3, 2)
    assert (counts["year"]["counted"], counts["year"]["ok"]) == (2, 2)
    assert (counts["volume"]["counted"], counts["volume"]["ok"]) == (1, 0)  # spurious
    assert counts["issue"]["counted"] == 0
    assert bench.accuracy(counts["title"]) == pytest.approx(2 / 3)
