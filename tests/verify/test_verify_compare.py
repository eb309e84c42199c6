"""The pure part of verification (pipelines/verify/): reading the services' JSON, comparing a
reference with it, retraction notices and the Retraction Watch index, the request per reference.
Table-driven where the cases are many."""

from __future__ import annotations

import json

import pytest

from crawler.verify import cache_key, retry_after
from pipelines.record import Reference
from pipelines.verify import (
    SEARCH_MIN_SCORE,
    TITLE_MIN_SIMILARITY,
    Found,
    Reply,
    RetractionFileError,
    RetractionIndex,
    accept_search_hit,
    cited_after_retraction,
    compare_fields,
    first_page,
    from_crossref,
    plan_lookup,
    pubmed_summary,
    same_family,
    sheet_date,
    title_similarity,
    verify_reference,
)


def ref(**fields) -> Reference:
    return Reference(n=1, raw="(as printed)", **fields)


def crossref(**message) -> Found:
    return from_crossref(message)


@pytest.mark.parametrize(
    ("ours", "theirs", "agree"),
    [
        # case, punctuation, hyphens, a final period, markup and entities
        ("Exercise therapy for chronic low back pain", "Exercise Therapy for Chronic Low-Back Pain.", True),
        (
            "What low back pain is and why we need to pay attention",
            "What <i>low back pain</i> is &amp; why we need to pay attention",
            True,
        ),
        (
            "A randomised trial of total knee replacement",
            "A Randomized, Controlled Trial of Total Knee Replacement",
            True,
        ),
        # the blog dropped the subtitle
        (
            "Rotator cuff related shoulder pain",
            "Rotator cuff related shoulder pain: Assessment, management and uncertainties",
            True,
        ),
        (
            "Rotator cuff related shoulder pain: assessment, management and uncertainties",
            "Rotator cuff related shoulder pain",
            True,
        ),
        ("Mølgaard's trial of high-load training", "Molgaard's trial of high load training", True),
        # one word in six is another paper
        ("Exercise for osteoarthritis of the knee", "Exercise for osteoarthritis of the hip", False),
        ("Dry needling for neck pain", "Manual therapy for neck pain in adults: a review", False),
        # the same head, two different subtitles: not the same work
        ("Low back pain: an overview of guidelines", "Low back pain: a randomised trial of yoga", False),
    ],
)
def test_titles_agree_across_punctuation_case_and_subtitles(ours, theirs, agree):
    assert (title_similarity(ours, theirs) >= TITLE_MIN_SIMILARITY) is agree


def test_a_crossref_subtitle_is_part_of_the_title():
    found = crossref(
        title=["Rotator cuff related shoulder pain"], subtitle=["Assessment, management and uncertainties"]
    )
    full = ref(title="Rotator cuff related shoulder pain: assessment, management and uncertainties")
    assert compare_fields(full, found) == ([], 1)


@pytest.mark.parametrize(
    ("ours", "names", "agree"),
    [
        ("J Orthop Sports Phys Ther", ["Journal of Orthopaedic &amp; Sports Physical Therapy"], True),
        ("Br J Sports Med", ["British Journal of Sports Medicine", "Br J Sports Med"], True),
        ("Scand J Med Sci Sports", ["Scandinavian Journal of Medicine &amp; Science in Sports"], True),
        ("N Engl J Med", ["New England Journal of Medicine"], True),
        ("NEJM", ["The New England Journal of Medicine"], True),
        ("Lancet", ["The Lancet"], True),
        ("Lancet", ["BMJ"], False),
        ("Br J Sports Med", ["Journal of Sports Sciences", "J Sports Sci"], False),
    ],
)
def test_journal_abbreviations_against_full_titles(ours, names, agree):
    found = crossref(**{"container-title": names[:1], "short-container-title": names[1:]})
    differences, count = compare_fields(ref(container=ours), found)
    assert count == 1
    assert (differences == []) is agree


@pytest.mark.parametrize(
    ("ours", "theirs", "agree"),
    [
        ("844-52", "844-852", True),
        ("844-852", "844", True),
        ("844", "844-52", True),
        ("e292-e300", "E292-E300", True),
        ("e292-300", "e292-e300", True),
        ("k2860", "k2860", True),
        ("845-52", "844-852", False),
        ("e293", "e292-e300", False),
    ],
)
def test_pages_compare_on_the_first_page(ours, theirs, agree):
    differences, _ = compare_fields(ref(pages=ours), crossref(page=theirs))
    assert (differences == []) is agree
    if not agree:
        assert [d.as_dict() for d in differences] == [{"field": "pages", "ours": ours, "theirs": theirs}]


def test_first_page_of_printed_ranges():
    assert [first_page(p) for p in ("844-52", "844", "e292-e300", "S12-S19", "CD009790", "", None)] == [
        "844",
        "844",
        "e292",
        "s12",
        "cd009790",
        None,
        None,
    ]


def test_year_agrees_with_print_or_online_and_differs_with_theirs_shown():
    # online in 2016, in print in 2017: cited under either year
    found = crossref(
        issued={"date-parts": [[2016, 7, 4]]}, **{"published-print": {"date-parts": [[2017, 2]]}}
    )
    assert compare_fields(ref(year=2017), found) == ([], 1)
    assert compare_fields(ref(year=2016), found) == ([], 1)
    differences, _ = compare_fields(ref(year=2019), found)
    assert [d.as_dict() for d in differences] == [{"field": "year", "ours": 2019, "theirs": 2016}]


@pytest.mark.parametrize(
    ("ours", "family", "agree"),
    [
        ("van Middelkoop M", "van Middelkoop", True),
        ("van Middelkoop M", "Middelkoop", True),
        ("Mølgaard CM", "Molgaard", True),
        ("Lee J-H", "Lee", True),
        ("O'Sullivan P", "O’Sullivan", True),  # either apostrophe
        ("Smith JA", "Smyth", False),
    ],
)
def test_first_author_family_names(ours, family, agree):
    found = crossref(author=[{"given": "X", "family": family, "sequence": "first"}])
    differences, count = compare_fields(ref(authors=[ours, "Other B"]), found)
    assert count == 1
    assert (differences == []) is agree


def test_same_family_ignores_case_accents_and_particles():
    assert same_family("de Vries", "Vries") and same_family("MØLGAARD", "mølgaard")
    assert not same_family("Smith", None) and not same_family("", "Smith")


def test_volume_ignores_leading_zeros_and_fields_missing_on_one_side_are_not_compared():
    found = crossref(volume="023", title=["A title of five words"])
    assert compare_fields(ref(volume="23", year=2020, pages="1-2"), found) == ([], 1)
    assert compare_fields(ref(), found) == ([], 0)


def item(score: float, title: str, year: int, family: str) -> Found:
    return from_crossref(
        {
            "title": [title],
            "issued": {"date-parts": [[year]]},
            "author": [{"family": family, "sequence": "first"}],
            "score": score,
            "DOI": "10.1/x",
        },
        "crossref-search",
    )


def test_a_search_hit_needs_the_score_the_title_and_the_year_or_author():
    ours = ref(
        title="Electric stimulation for pain relief in fibromyalgia", authors=["Salazar AP"], year=2017
    )
    good = item(112.0, "Electric Stimulation for Pain Relief in Fibromyalgia", 2017, "Salazar")
    assert accept_search_hit(ours, [good]) is good
    assert accept_search_hit(ours, [item(112.0, good.title or "", 2017, "Nobody")]) is not None  # year
    assert accept_search_hit(ours, [item(112.0, good.title or "", 2015, "Salazar")]) is not None  # author
    assert accept_search_hit(ours, [item(112.0, good.title or "", 2015, "Nobody")]) is None
    assert accept_search_hit(ours, [item(SEARCH_MIN_SCORE - 1, good.title or "", 2017, "Salazar")]) is None
    other = item(150.0, "Electric stimulation for pain relief after knee surgery", 2017, "Salazar")
    assert accept_search_hit(ours, [other, good]) is good  # the first that agrees, in score order


def test_crossref_notices_updated_by_and_update_to():
    retracted = crossref(
        DOI="10.1/ORIG",
        **{
            "updated-by": [
                {"type": "correction", "DOI": "10.1/corr", "updated": {"date-parts": [[2019, 1, 2]]}},
                {"type": "expression_of_concern", "DOI": "10.1/eoc", "updated": {"date-parts": [[2019, 3]]}},
                {"type": "retraction", "DOI": "10.1/RET", "updated": {"date-parts": [[2020, 6, 5]]}},
            ]
        },
    )
    outcome = verify_reference(ref(doi="10.1/orig"), plan_lookup(ref(doi="10.1/orig")), None)
    assert outcome.retraction is None
    assert [(n.nature, n.date, n.notice_doi) for n in retracted.notices] == [
        ("expression_of_concern", "2019-03-01", "10.1/eoc"),
        ("retraction", "2020-06-05", "10.1/ret"),
    ]
    # the DOI cited is itself the notice
    notice = crossref(
        DOI="10.1/RET",
        **{
            "update-to": [
                {"type": "retraction", "DOI": "10.1/orig", "updated": {"date-parts": [[2020, 6, 5]]}}
            ]
        },
    )
    assert [(n.nature, n.notice_doi) for n in notice.notices] == [("retraction", "10.1/ret")]


def answer(message: dict) -> Reply:
    return Reply(200, json.dumps({"status": "ok", "message": message}).encode())


def test_the_most_serious_notice_is_reported():
    message = {
        "DOI": "10.1/orig",
        "updated-by": [
            {"type": "expression_of_concern", "DOI": "10.1/eoc", "updated": {"date-parts": [[2019, 3, 1]]}},
            {"type": "retraction", "DOI": "10.1/ret", "updated": {"date-parts": [[2020, 6, 5]]}},
        ],
    }
    ours = ref(doi="10.1/orig")
    outcome = verify_reference(ours, plan_lookup(ours), answer(message))
    assert outcome.status == "verified" and outcome.retraction is not None
    assert outcome.retraction.as_dict() == {
        "nature": "retraction",
        "date": "2020-06-05",
        "notice_doi": "10.1/ret",
        "source": "crossref",
    }


def test_pubmed_summaries_of_pubmed_and_pmc():
    doc = {
        "uid": "4975825",
        "title": "A title.",
        "authors": [{"name": "Crossley KM"}],
        "pubdate": "2016 Jul",
        "source": "Br J Sports Med",
        "pages": "844-52",
        "articleids": [{"idtype": "pmid", "value": "27247098"}, {"idtype": "doi", "value": "10.1136/X"}],
    }
    found = pubmed_summary({"result": {"uids": ["4975825"], "4975825": doc}}, "4975825", "pmc")
    assert found is not None
    assert (found.title, found.first_author, found.years, found.pmid, found.doi) == (
        "A title",
        "Crossley",
        [2016],
        "27247098",
        "10.1136/x",
    )
    missing = {"result": {"uids": ["1"], "1": {"uid": "1", "error": "cannot get document summary"}}}
    assert pubmed_summary(missing, "1") is None
    assert pubmed_summary({"result": {"uids": []}}, "1") is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"doi": "10.1016/s0140-6736(18)30480-x", "pmid": "1"},
            ("crossref", "works/10.1016/s0140-6736%2818%2930480-x", ()),
        ),
        (
            {"pmid": "28192789", "pmcid": "PMC1"},
            ("pubmed", "esummary.fcgi", (("db", "pubmed"), ("id", "28192789"), ("retmode", "json"))),
        ),
        (
            {"pmcid": "PMC4975825"},
            ("pubmed", "esummary.fcgi", (("db", "pmc"), ("id", "4975825"), ("retmode", "json"))),
        ),
        (
            {"title": "A title", "authors": ["Smith J"], "year": 2020, "container": "BMJ"},
            ("crossref-search", "works", (("query.bibliographic", "A title Smith BMJ 2020"), ("rows", "3"))),
        ),
        ({"url": "https://example.org/"}, None),
    ],
)
def test_which_request_checks_a_reference(fields, expected):
    lookup = plan_lookup(ref(**fields))
    assert (lookup and (lookup.kind, lookup.path, lookup.params)) == expected


def test_unchecked_reasons():
    assert verify_reference(ref(), None, None).reason == "no identifier and no title"
    ours = ref(doi="10.1/x")
    assert verify_reference(ours, plan_lookup(ours), Reply(error="offline: not cached")).status == "unchecked"
    garbled = verify_reference(ours, plan_lookup(ours), Reply(200, b"<html>"))
    assert garbled.status == "unchecked" and garbled.reason.startswith("unreadable Crossref answer")
    gone = verify_reference(ours, plan_lookup(ours), Reply(404, b"Resource not found."))
    assert (gone.status, gone.reason) == ("not_found", "Crossref does not know DOI 10.1/x")


HEADER = "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes"


def sheet(*rows: str) -> RetractionIndex:
    return RetractionIndex.from_csv([HEADER, *rows])


def test_retraction_watch_rows_match_by_doi_pmid_or_title_author_and_year():
    index = sheet(
        '1,"A trial of things, in people",,,J,P,C,Jane Smith;John Doe,,,1/31/2019 0:00,10.1/ret,0,6/1/2017 0:00,https://doi.org/10.1/ORIG,0,Retraction,,No,',
        "2,Another paper of four words,,,J,P,C,Ann Lee,,,12/5/2020 0:00,unavailable,0,1/1/2018 0:00,unavailable,123456,Expression of concern,,No,",
        "3,Title of a corrected paper here,,,J,P,C,Bo Chen,,,2/2/2021 0:00,10.1/corr,0,1/1/2019 0:00,10.1/corrected,0,Correction,,No,",
    )
    assert index.rows == 3
    by_doi = index.match("10.1/orig", None, None, None, None)
    assert by_doi is not None and by_doi.as_dict() == {
        "nature": "retraction",
        "date": "2019-01-31",
        "notice_doi": "10.1/ret",
        "source": "retraction-watch",
    }
    by_pmid = index.match(None, "123456", None, None, None)
    assert by_pmid is not None and (by_pmid.nature, by_pmid.date, by_pmid.notice_doi) == (
        "expression_of_concern",
        "2020-12-05",
        None,
    )
    assert index.match("10.1/corrected", None, None, None, None) is None  # corrections are not flagged
    assert index.match(None, None, "A Trial of Things in People.", "Smith", 2017) is not None
    assert (
        index.match(None, None, "A Trial of Things in People.", "Doe", 2017) is None
    )  # not the first author
    assert index.match(None, None, "A Trial of Things in People.", "Smith", 2018) is None


def test_a_reference_with_a_doi_is_not_matched_by_title():
    index = sheet(
        '1,"A trial of things, in people",,,J,P,C,Jane Smith,,,1/31/2019 0:00,10.1/ret,0,6/1/2017 0:00,unavailable,0,Retraction,,No,'
    )
    ours = ref(doi="10.2/other", title="A trial of things in people", authors=["Smith J"], year=2017)
    assert (
        verify_reference(ours, plan_lookup(ours), Reply(error="offline: not cached"), index).retraction
        is None
    )
    bare = ref(title="A trial of things in people", authors=["Smith J"], year=2017)
    assert (
        verify_reference(bare, plan_lookup(bare), Reply(error="offline: not cached"), index).retraction
        is not None
    )


def test_a_file_not_in_the_layout_is_refused():
    with pytest.raises(RetractionFileError, match="no column"):
        RetractionIndex.from_csv(["DOI,Title", "10.1/x,A"])
    with pytest.raises(RetractionFileError, match="no column"):
        RetractionIndex.from_csv(["\x1f\ufffd\x08\ufffd\ufffd", "\ufffd\ufffd"])  # a gzip file read as text


def test_sheet_dates():
    assert [sheet_date(s) for s in ("1/31/2019 0:00", "12/5/2020", "2020-06-05", "", "soon")] == [
        "2019-01-31",
        "2020-12-05",
        "2020-06-05",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("published", "modified", "expected"),
    [
        ("2024-03-26", None, True),
        ("2018-01-01", "2023-05-11T10:00:00Z", True),  # edited after the notice, the reference kept
        ("2018-01-01", "2023-05-10", False),  # the same day is not after
        ("2018-01-01", None, False),
        (None, None, None),
    ],
)
def test_cited_after_the_retraction(published, modified, expected):
    assert cited_after_retraction("2023-05-10", published, modified) is expected
    assert cited_after_retraction(None, published, modified) is None


def test_retry_after_and_cache_keys():
    assert retry_after("3") == 3.0 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait
    # the etiquette parameters do not make another question
    assert cache_key("http://x/works/10.1/a?mailto=a%40b.org") == cache_key("http://x/works/10.1/a")
    assert cache_key("http://x/e?db=pubmed&id=1&tool=t&email=e") == cache_key("http://x/e?db=pubmed&id=1")
    assert cache_key("http://x/e?db=pubmed&id=1") != cache_key("http://x/e?db=pubmed&id=2")
