"""The published schemas (pipelines/record/schema/, copied in schema/): valid JSON Schemas,
every field described with examples that validate, the repository's copies the package's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

from pipelines.record import ARTICLE_SCHEMA, SCHEMAS, kind_of_file, record_problems, schema


def fields(node: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property of a schema, nested objects and array items included, with its path."""
    found = []
    for name, prop in node.get("properties", {}).items():
        found.append((f"{path}.{name}", prop))
        found += fields(prop, f"{path}.{name}")
        if isinstance(prop.get("items"), dict):
            found += fields(prop["items"], f"{path}.{name}[]")
    for name, sub in node.get("$defs", {}).items():
        found += fields(sub, f"#{name}")
    return found


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_every_field_is_described_with_examples_that_validate(kind: str) -> None:
    root = schema(kind)
    Draft202012Validator.check_schema(root)
    assert root["$id"] == f"https://clinic-archive.dev/schema/{kind}/{root['x-version']}.json"
    for path, prop in fields(root):
        assert prop.get("description"), f"{kind}{path} has no description"
        assert prop.get("examples"), f"{kind}{path} has no examples"
        # each example against the field's own schema ($refs resolved in the root's $defs)
        validator = Draft202012Validator({**prop, "$defs": root.get("$defs", {})})
        for example in prop["examples"]:
            assert not list(validator.iter_errors(example)), f"{kind}{path}: {example!r}"
    for example in root.get("examples", []):
        assert record_problems(example, kind) == []


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_the_repository_copies_are_the_package_files(kind: str) -> None:
    copy = ROOT / "schema" / f"{kind}.schema.json"
    package = ROOT / "pipelines" / "record" / "schema" / f"{kind}.schema.json"
    assert copy.read_bytes() == package.read_bytes(), f"cp {package} schema/ (they are one contract)"


def test_article_records_say_their_version_and_old_ones_stay_valid() -> None:
    article = schema("article")
    assert f"clinic-archive/article@{article['x-version']}" == ARTICLE_SCHEMA
    allowed = article["$defs"]["article"]["properties"]["schema"]["enum"]
    assert allowed == ["clinic-archive/article@1", ARTICLE_SCHEMA]  # lines of 1.0 archives validate


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("articles.jsonl", "article"),
        ("articles-w1.jsonl", "article"),
        ("errors.jsonl", "error"),
        ("errors-w2.jsonl", "error"),
        ("crawls.jsonl", "crawl"),
        ("sites.jsonl", "site"),
        ("skipped.jsonl", "skipped"),
        ("verification.jsonl", None),
        ("articles.index.sqlite", None),
        ("articlesx.jsonl", None),
    ],
)
def test_archive_files_are_matched_to_their_schema_by_name(name: str, kind: str | None) -> None:
    assert kind_of_file(name) == kind


def test_docs_list_every_schema_version() -> None:
    history = (ROOT / "docs" / "schema.md").read_text("utf-8")
    for kind in SCHEMAS:
        assert f"`{kind}` {schema(kind)['x-version']}" in history
    assert json.loads((ROOT / "schema" / "article.schema.json").read_text())["x-version"] in history
