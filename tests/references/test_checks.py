"""Offline checks of a post's references (pipelines/references/checks.py): each finding on
parsed reference strings as posts print them, and the cases that must not be flagged."""

from __future__ import annotations

import pytest

from pipelines.record import Citation
from pipelines.references import check_references, parse_reference

FETCHED = "2026-12-07T10:00:00Z"


def codes(
    raws: list[str], cited: tuple[int, ...] = (), published: str | None = "2023-05-01"
) -> list[list[str]]:
    refs = [parse_reference(raw, n=i) for i, raw in enumerate(raws, 1)]
    citations = [Citation(f"[{n}]", n, "A sentence.") for n in cited]
    unused = [r.n for r in refs if r.n not in cited]
    check_references(refs, citations, unused, published, None, FETCHED)
    return [[c["code"] for c in r.checks] for r in refs]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a clean reference, in a journal the table knows, in three spellings of its name
        ("Lewis J. Rotator cuff pain. Br J Sports Med. 2016;50(3):1-10. doi:10.1136/bjsports-2015-1", []),
        ("Lewis J. Rotator cuff pain. British Journal of Sports Medicine. 2016;50(3):1-10.", []),
        ("Lee A. A trial of knees. The New England Journal of Medicine. 2019;380(2):101-110.", []),
        # a DOI of another publisher than the journal's
        (
            "Lewis J. Rotator cuff pain. Br J Sports Med. 2016;50(3):1-10. doi:10.1007/s00264-016-1",
            ["doi_publisher"],
        ),
        (
            "Kim H. Exercise and pain. J Orthop Sports Phys Ther. 2018;48(2):1-9. doi:10.1016/j.x.2018.01",
            ["doi_publisher"],
        ),
        # a journal that changed publishers has both prefixes: no finding
        ("Delitto A. Low back pain. Phys Ther. 2012;92(4):1-20. doi:10.2522/ptj.20110123", []),
        ("Smith B. Shoulder pain. Phys Ther. 2021;101(2):pzaa1. doi:10.1093/ptj/pzaa201", []),
        # Cochrane's DOIs are Wiley's prefix with its own registrant part
        (
            "Hayden JA. Exercise therapy. Cochrane Database Syst Rev. 2021;9:CD009790. doi:10.1002/14651858.CD009790.pub2",
            [],
        ),
        # pages: NLM's short end page is not reversed; a real reversal and an absurd range are
        ("Jones K. Knee pain. Spine. 2010;35(4):1163-7.", []),
        ("Jones K. Knee pain. Spine. 2010;35(4):1167-1163.", ["pages_reversed"]),
        ("Jones K. Knee pain. Spine. 2010;35(4):100-2900.", ["pages_absurd"]),
        # a volume the journal's numbering cannot have in that year
        ("Jones K. Knee pain. Br J Sports Med. 2016;150(3):1-10.", ["volume_unlikely"]),
        ("Jones K. Knee pain. JAMA. 2019;322(3):1-10.", []),
        ("Jones K. Knee pain. JAMA. 2019;290(3):1-10.", ["volume_unlikely"]),
        # a year after the post (published 2023-05-01)
        ("Jones K. Knee pain. Spine. 2025;50(4):1-7.", ["year_after_post"]),
    ],
)
def test_each_finding_on_a_cited_reference(raw: str, expected: list[str]) -> None:
    assert codes([raw], cited=(1,)) == [expected]


def test_malformed_dois_are_flagged() -> None:
    refs = [parse_reference("Jones K. Knee pain. Spine. 2010;35(4):1-7.", n=1)]
    for doi, flagged in (
        ("10.1097/BRS.0b013e3181c", False),
        ("10.1097/", True),
        ("10.1097/a", True),
        ("10.97/x", True),
    ):
        refs[0].doi = doi
        check_references(refs, [], [], None, None, FETCHED)
        assert ("doi_invalid" in [c["code"] for c in refs[0].checks]) is flagged, doi


def test_duplicates_and_uncited_entries() -> None:
    raws = [
        "Lewis J. Rotator cuff related shoulder pain. Man Ther. 2016;23:57-68. doi:10.1016/j.math.2016.03.009",
        "Beard DJ. Arthroscopic subacromial decompression. Lancet. 2018;391(10118):329-338.",
        "Lewis J. Rotator cuff related shoulder pain: assessment. Man Ther. 2016;23:57-68. doi:10.1016/j.math.2016.03.009",
    ]
    assert codes(raws, cited=(1, 3)) == [[], ["uncited"], ["duplicate"]]
    # a further-reading list (no marker at all in the post) is not "uncited"
    assert codes(raws, cited=()) == [[], [], ["duplicate"]]


def test_the_year_after_the_post_uses_its_last_modification_and_the_fetch_date() -> None:
    raw = "Jones K. Knee pain. Spine. 2024;49(4):1-7."
    refs = [parse_reference(raw, n=1)]
    check_references(refs, [], [], "2023-05-01", "2024-06-01", FETCHED)  # updated since: fine
    assert refs[0].checks == []
    check_references(refs, [], [], None, None, "2023-02-01T00:00:00Z")  # fetched before 2024
    assert [c["code"] for c in refs[0].checks] == ["year_in_future"]
    assert refs[0].checks[0]["evidence"] == "2024 > 2023"
