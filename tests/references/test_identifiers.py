"""Identifier finding and normalisation: the forms DOIs, PMIDs and PMCIDs take in the wild."""

from __future__ import annotations

import pytest

from pipelines.references.identifiers import (
    find_doi,
    find_pmcid,
    find_pmid,
    find_spans,
    normalize_doi,
    normalize_url,
    reference_url,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1038/nature14539", "10.1038/nature14539"),
        ("https://doi.org/10.1002/ACR.20140", "10.1002/acr.20140"),
        ("http://dx.doi.org/10.1002/acr.20140.", "10.1002/acr.20140"),
        ("https://doi.org/10.1002%2Facr.20140", "10.1002/acr.20140"),
        ("doi:10.1136/annrheumdis-2016-209724", "10.1136/annrheumdis-2016-209724"),
        ("DOI: 10.1589/jpts.31.755.", "10.1589/jpts.31.755"),
        ("doi: 10. 1093/molbev/mst010", "10.1093/molbev/mst010"),  # stray space after "10."
        ("(doi:10.1038/nature14539)", "10.1038/nature14539"),
        ("doi:10.1016/S0140-6736(20)30183-5.", "10.1016/s0140-6736(20)30183-5"),  # own parentheses kept
        ("doi:10.1038/nature14539.PMID:26017442", "10.1038/nature14539"),  # glued label
        ("10.1038/nature14539[doi]", "10.1038/nature14539"),
        ("no identifier here", None),
        ("10.12/too-short-prefix", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_doi(text: str | None, expected: str | None) -> None:
    assert normalize_doi(text) == expected


def test_find_doi_is_normalize_doi() -> None:
    assert find_doi("Nature. 2015;521:436-444. doi:10.1038/NATURE14539.") == "10.1038/nature14539"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMID: 26017442", "26017442"),
        ("PubMed PMID:16060722;", "16060722"),
        ("https://pubmed.ncbi.nlm.nih.gov/26017442/", "26017442"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/16060722", "16060722"),
        ("PMCID: PMC1182327", None),
        ("no id", None),
    ],
)
def test_find_pmid(text: str, expected: str | None) -> None:
    assert find_pmid(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMCID: PMC1182327.", "PMC1182327"),
        ("PMC1182327", "PMC1182327"),
        ("PMCID: 1182327", "PMC1182327"),
        ("PubMed Central PMCID:PMCPMC1182327", "PMC1182327"),  # doubled prefix from exports
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1182327/", "PMC1182327"),
        ("PMID: 16060722", None),
    ],
)
def test_find_pmcid(text: str, expected: str | None) -> None:
    assert find_pmcid(text) == expected


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("https://www.nhs.uk/conditions/fibromyalgia/.", None, "https://www.nhs.uk/conditions/fibromyalgia/"),
        ("www.nhs.uk/conditions/fibromyalgia/", None, "http://www.nhs.uk/conditions/fibromyalgia/"),
        ("http: //www.cdc.gov/arthritis/", None, "http://www.cdc.gov/arthritis/"),
        (
            "(https://en.wikipedia.org/wiki/Fibromyalgia_(disambiguation))",
            None,
            "https://en.wikipedia.org/wiki/Fibromyalgia_(disambiguation)",
        ),
        (
            "/guides/pacing.pdf",
            "https://clinic.example/blog/post/",
            "https://clinic.example/guides/pacing.pdf",
        ),
        (
            "guides/pacing.pdf",
            "https://clinic.example/blog/post/",
            "https://clinic.example/blog/post/guides/pacing.pdf",
        ),
        ("/guides/pacing.pdf", None, None),
        ("http://", "https://clinic.example/", None),
    ],
)
def test_normalize_url(value: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(value, base) == expected


def test_spans_cover_labels_and_skip_resolver_links_as_url() -> None:
    text = "Deep learning. Nature. 2015. Available from: https://doi.org/10.1038/nature14539 PMID: 26017442"
    spans = find_spans(text)
    assert [s.kind for s in spans] == ["url", "pmid"]
    assert text[spans[0].start :].startswith("Available from:")
    assert reference_url(spans) is None  # a doi.org link is the DOI, not the reference's URL
