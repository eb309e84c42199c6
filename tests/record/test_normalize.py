"""Normalisation: dates, authors and credentials, text, ids."""

import unicodedata

import pytest

from pipelines.record.normalize import (
    article_id,
    content_hash,
    is_credential,
    iso_date,
    join_paragraphs,
    parse_author,
    split_authors,
    word_count,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dr. Maria Lopez, PT, DPT, OCS", ("Maria Lopez", ["PT", "DPT", "OCS"])),
        ("By Jane Doe, DPT", ("Jane Doe", ["DPT"])),
        ("Dr James Carter DC", ("James Carter", ["DC"])),
        ("Written by: Mark Evans, MSc, MCSP", ("Mark Evans", ["MSc", "MCSP"])),
        ("Anna-Lena Müller, OTR/L", ("Anna-Lena Müller", ["OTR/L"])),
        ("Sarah O'Neil, PT, DPT, OCS, FAAOMPT", ("Sarah O'Neil", ["PT", "DPT", "OCS", "FAAOMPT"])),
        ("Priya Natarajan PA-C", ("Priya Natarajan", ["PA-C"])),
        ("Jane Doe", ("Jane Doe", [])),
        ("Team Harbourview", ("Team Harbourview", [])),
        ("John Smith Jr., MD", ("John Smith Jr.", ["MD"])),
    ],
)
def test_parse_author_splits_name_and_credentials(raw, expected):
    assert parse_author(raw) == expected


@pytest.mark.parametrize("raw", ["PT", "DPT, OCS", "", "  ", "12345"])
def test_a_credential_is_never_an_author(raw):
    assert parse_author(raw) is None


def test_split_authors():
    assert split_authors("Jane Doe, DPT and John Smith, DC") == ["Jane Doe, DPT", "John Smith, DC"]
    assert split_authors("Jane Doe; John Smith & Ann Lee") == ["Jane Doe", "John Smith", "Ann Lee"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [("DPT", True), ("MScPT", True), ("OTR/L", True), ("Maria", False), ("Lopez", False)],
)
def test_is_credential(token, expected):
    assert is_credential(token) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-02T09:15:00-0700", "2024-05-02"),
        ("2023-03-14T23:30:00+00:00", "2023-03-14"),
        ("Tue, 14 Mar 2023 10:00:00 +0000", "2023-03-14"),
        ("March 14, 2023", "2023-03-14"),
        ("14 March 2023", "2023-03-14"),
        ("14/03/2023", "2023-03-14"),
        ("03/04/2023", None),  # March 4 or 3 April: unsure, so unknown
        ("0000-00-00", None),
        ("1899-01-01", None),
        ("soon", None),
        (None, None),
    ],
)
def test_iso_date(raw, expected):
    assert iso_date(raw) == expected


def test_text_is_nfc_with_blank_line_paragraphs():
    decomposed = unicodedata.normalize("NFD", "Café   au\u00a0lait\u200b")
    text = join_paragraphs([decomposed, "  ", "Second  paragraph."])
    assert text == "Café au lait\n\nSecond paragraph."
    assert unicodedata.is_normalized("NFC", text)


def test_word_count_counts_hyphenated_and_apostrophes_once():
    assert word_count("Low-back pain isn't rare: 1 in 5 adults.") == 8


def test_ids_and_hashes_are_stable():
    assert article_id("https://c.example/blog/a/") == article_id("https://c.example/blog/a/")
    assert len(article_id("https://c.example/blog/a/")) == 16
    assert content_hash("a", "b") != content_hash("ab", "")
    assert content_hash("x").startswith("sha256:")
