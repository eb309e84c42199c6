"""In-text citations: numeric and author-year markers linked to entries, contradictions flagged,
journal abbreviations matched to full names, and every fixture post checked against its truth.

The reference strings are real papers, cited correctly; the sentences around them are written
for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, post_file
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from pipelines.extract.article import extract_article
from pipelines.record.models import Article, Reference
from pipelines.references.journals import abbreviate, same_journal
from pipelines.references.markers import bracket_superscripts, expand_numbers, link_citations, sentences
from pipelines.references.parse import parse_reference

VANCOUVER = [
    "Salazar AP, Stein C, Marchese RR, Plentz RD, Pagnussat AS. Electric stimulation for pain relief in patients with fibromyalgia: a systematic review and meta-analysis of randomized controlled trials. Pain Physician. 2017;20(2):15-25.",
    "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for musculoskeletal conditions by physical therapists: a systematic review and meta-analysis. J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:10.2519/jospt.2017.7096",
    "Beard DJ, Rees JL, Cook JA, et al. Arthroscopic subacromial decompression for subacromial shoulder pain (CSAW): a multicentre, pragmatic, parallel group, placebo-controlled, three-group, randomised surgical trial. Lancet. 2018;391(10118):329-338. doi:10.1016/S0140-6736(17)32457-1",
    "Skou ST, Roos EM, Laursen MB, et al. A randomized, controlled trial of total knee replacement. N Engl J Med. 2015;373(17):1597-1606. doi:10.1056/NEJMoa1505467",
]
AUTHOR_YEAR = [
    "Hochreiter, S. and Schmidhuber, J. (1997) 'Long short-term memory', Neural Computation, 9(8), pp. 1735–1780. doi:10.1162/neco.1997.9.8.1735.",
    "Kahneman, D. and Tversky, A. (1979) 'Prospect theory: an analysis of decision under risk', Econometrica, 47(2), pp. 263–291.",
    "Kabat-Zinn, J. (1990). Full catastrophe living: Using the wisdom of your body and mind to face stress, pain, and illness. Delacorte Press.",
    "van Tulder, M., Becker, A., Bekkering, T., Breen, A., del Real, M.T., Hutchinson, A., Koes, B., Laerum, E. and Malmivaara, A. (2006) 'Chapter 3. European guidelines for the management of acute nonspecific low back pain in primary care', European Spine Journal, 15(Suppl 1), pp. S169–S191.",
    "National Institute for Health and Care Excellence. (2016). Low back pain and sciatica in over 16s: Assessment and management (NICE Guideline NG59). https://www.nice.org.uk/guidance/ng59",
    "Paige, N. M., Miake-Lye, I. M., Booth, M. S., Beroes, J. M., Mardian, A. S., Dougherty, P., Branson, R., Tang, B., Morton, S. C., & Shekelle, P. G. (2017). Association of spinal manipulative therapy with clinical benefit and harm for acute low back pain: Systematic review and meta-analysis. JAMA, 317(14), 1451–1460. https://doi.org/10.1001/jama.2017.3086",
    "Qaseem, A., Wilt, T. J., McLean, R. M., & Forciea, M. A. (2017). Noninvasive treatments for acute, subacute, and chronic low back pain: A clinical practice guideline from the American College of Physicians. Annals of Internal Medicine, 166(7), 514–530. https://doi.org/10.7326/M16-2367",
]


def refs(raws: list[str]) -> list[Reference]:
    return [parse_reference(raw, n=i) for i, raw in enumerate(raws, start=1)]


def linked(text: str, raws: list[str]) -> list[tuple[str, int | None]]:
    citations, _ = link_citations(text, refs(raws))
    return [(c.marker, c.ref) for c in citations]


# --- numeric markers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stimulation reduced pain (1).", [("(1)", 1)]),
        ("Dry needling helped [2].", [("[2]", 2)]),
        ("Both agree [1, 2].", [("[1, 2]", 1), ("[1, 2]", 2)]),
        ("Several trials (1-3).", [("(1-3)", 1), ("(1-3)", 2), ("(1-3)", 3)]),
        ("Several trials (1–2, 4).", [("(1–2, 4)", 1), ("(1–2, 4)", 2), ("(1–2, 4)", 4)]),
        ("tailored to preferences[3], and more", [("[3]", 3)]),
        ("A marker with no entry (9).", [("(9)", None)]),
        ("In 2019 (2019) nothing; f(1) is notation.", []),
    ],
)
def test_numeric_markers(text: str, expected: list) -> None:
    assert linked(text, VANCOUVER) == expected


def test_superscripts_become_markers() -> None:
    tree = lxml_html.fromstring("<p>Exercise helps<sup>2</sup> and so does rest<sup>1,3</sup>.</p>")
    bracket_superscripts(tree)
    assert linked(tree.text_content(), VANCOUVER) == [("[2]", 2), ("[1,3]", 1), ("[1,3]", 3)]


def test_expand_numbers_bounds_silly_ranges() -> None:
    assert expand_numbers("1-3, 5") == [1, 2, 3, 5]
    assert expand_numbers("1-300") == [1, 300]


def test_unused_entries_are_listed() -> None:
    _, unused = link_citations("Only the second is cited (2).", refs(VANCOUVER))
    assert unused == [1, 3, 4]


def test_no_references_no_citations() -> None:
    assert link_citations("A marker (1) with no list.", []) == ([], [])


# --- author-year markers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Memory cells help (Hochreiter & Schmidhuber, 1997).", [("(Hochreiter & Schmidhuber, 1997)", 1)]),
        ("Harvard without a comma (Kahneman and Tversky 1979).", [("(Kahneman and Tversky 1979)", 2)]),
        ("Kahneman and Tversky (1979) described loss aversion.", [("Kahneman and Tversky (1979)", 2)]),
        ("Mindfulness may help (e.g., Kabat-Zinn, 1990).", [("(e.g., Kabat-Zinn, 1990)", 3)]),
        ("European guidance agrees (van Tulder et al., 2006).", [("(van Tulder et al., 2006)", 4)]),
        ("Paige et al. (2017) pooled 26 trials.", [("Paige et al. (2017)", 6)]),
        ("The guideline (Qaseem et al., 2017) says so.", [("(Qaseem et al., 2017)", 7)]),
        (
            "All four authors (Qaseem, Wilt, McLean, & Forciea, 2017).",
            [("(Qaseem, Wilt, McLean, & Forciea, 2017)", 7)],
        ),
        ("An organisation by its acronym (NICE, 2016).", [("(NICE, 2016)", 5)]),
        (
            "An organisation in full (National Institute for Health and Care Excellence, 2016).",
            [("(National Institute for Health and Care Excellence, 2016)", 5)],
        ),
        (
            "Two works (Hochreiter & Schmidhuber, 1997; Kahneman & Tversky, 1979).",
            [
                ("(Hochreiter & Schmidhuber, 1997; Kahneman & Tversky, 1979)", 1),
                ("(Hochreiter & Schmidhuber, 1997; Kahneman & Tversky, 1979)", 2),
            ],
        ),
        ("A work missing from the list (Smith et al., 2020).", [("(Smith et al., 2020)", None)]),
        ("Smith and Jones (2019) are not in the list either.", [("Smith and Jones (2019)", None)]),
    ],
)
def test_author_year_markers(text: str, expected: list) -> None:
    assert linked(text, AUTHOR_YEAR) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Prices rose (March 2020).",
        "The sample was small (n = 200, 2019).",
        "Figures from the (USA, 2019) survey.",
        "In Canada (2019) the rules changed.",
        "Guidance was (updated 2021) recently.",
    ],
)
def test_things_that_are_not_author_year_markers(text: str) -> None:
    assert linked(text, AUTHOR_YEAR) == []


def test_year_letters_tell_two_papers_of_one_author_apart() -> None:
    raws = [
        "Hodges, P. W., & Richardson, C. A. (1997a). Contraction of the abdominal muscles associated with movement of the lower limb. Physical Therapy, 77(2), 132–142.",
        "Hodges, P. W., & Richardson, C. A. (1997b). Feedforward contraction of transversus abdominis is not influenced by the direction of arm movement. Experimental Brain Research, 114(2), 362–370.",
    ]
    text = "Arm movements (Hodges & Richardson, 1997b). Leg movements too (Hodges & Richardson, 1997a)."
    assert linked(text, raws) == [("(Hodges & Richardson, 1997b)", 2), ("(Hodges & Richardson, 1997a)", 1)]
    assert linked("Ambiguous (Hodges & Richardson, 1997).", raws) == [("(Hodges & Richardson, 1997)", None)]


def test_a_wrong_year_keeps_the_link_and_says_why() -> None:
    citations, _ = link_citations("Mindfulness may help (Kabat-Zinn, 1994).", refs(AUTHOR_YEAR))
    assert [(c.ref, c.contradiction) for c in citations] == [(3, "marker says 1994; entry 3 is from 1990")]


def test_sentence_of_a_narrative_marker_is_not_cut_at_et_al() -> None:
    text = "Acute pain improved. Paige et al. (2017) pooled 26 trials. Harms were rare."
    citations, _ = link_citations(text, refs(AUTHOR_YEAR))
    assert [c.sentence for c in citations] == ["Paige et al. (2017) pooled 26 trials."]
    assert [s for _, s in sentences("See e.g. Smith. Then Dr. Lee said so. J. Smith agreed.")] == [
        "See e.g. Smith.",
        "Then Dr. Lee said so.",
        "J. Smith agreed.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Pain eased within weeks.[1] Sleep improved too.",  # <sup>1</sup> glued to the stop
        "Pain eased within weeks. [1] Sleep improved too.",  # a space before it
        "Pain eased within weeks.[1, 2] Sleep improved too.",
        "Pain eased within weeks.[1–2] Sleep improved too.",
    ],
)
def test_a_marker_after_the_full_stop_cites_the_sentence_before_it(text) -> None:
    numbered = refs(VANCOUVER)
    citations, _ = link_citations(text, numbered)
    assert {c.sentence.split(".")[0] for c in citations} == {"Pain eased within weeks"}
    assert [s for _, s in sentences(text)][-1] == "Sleep improved too."


def test_a_bracket_that_starts_the_next_sentence_stays_with_it() -> None:
    # a lower-case word after the marker: the marker does not end the sentence before
    assert [s for _, s in sentences("Pain eased. [1] showed this. Then more.")] == [
        "Pain eased.",
        "[1] showed this.",
        "Then more.",
    ]


FRAGMENTS = st.sampled_from(
    ["(", ")", "[", "]", "; ", ", ", ". ", " et al.", " and ", " & ", "(2017)", "1", "-3", "Paige", "Qaseem",
     "Smith", "e.g., ", " 2019", "published in the ", "Journal of ", "BMJ", "\n\n", "van ", "n.d."]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=60))
def test_linking_never_raises_and_refs_exist(parts: list[str]) -> None:
    references = refs(AUTHOR_YEAR)
    citations, unused = link_citations("".join(parts), references)
    numbers = {r.n for r in references}
    assert all(c.ref is None or c.ref in numbers for c in citations)
    assert set(unused) | {c.ref for c in citations if c.ref is not None} == numbers
    assert all(c.contradiction is None or c.contradiction.strip() for c in citations)


# --- contradictions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # the issue's example: JOSPT paper cited for a claim about another journal
            "A study published in the Journal of Back and Musculoskeletal Rehabilitation found that dry needling reduced pain (2).",
            [
                (
                    2,
                    "sentence names Journal of Back and Musculoskeletal Rehabilitation; entry 2 is in J Orthop Sports Phys Ther",
                )
            ],
        ),
        (
            "A study published in the Journal of Orthopaedic & Sports Physical Therapy found less pain (2).",
            [(2, None)],
        ),
        ("A JOSPT review found less pain (2).", [(2, None)]),
        ("The CSAW trial in The Lancet found no benefit (3).", [(3, None)]),
        (
            "A trial in the New England Journal of Medicine (4) and one in the Lancet (3) disagreed.",
            [(4, None), (3, None)],
        ),
        (
            "A trial in the BMJ found no benefit from surgery (3).",
            [(3, "sentence names BMJ; entry 3 is in Lancet")],
        ),
        ("Two reviews in the Lancet agreed (2, 3).", [(2, None), (3, None)]),
        (
            "A 2019 review of dry needling found less pain (2).",
            [(2, "sentence says 2019; entry 2 is from 2017")],
        ),
        ("A 2017 review of dry needling found less pain (2).", [(2, None)]),
        ("Since 2019 more clinics offer dry needling (2).", [(2, None)]),
        (
            "Smith and colleagues found less pain (2).",
            [(2, "sentence names Smith; entry 2 is by Gattie et al.")],
        ),
        ("Gattie et al. found less pain (2).", [(2, None)]),
        ("Cleland and colleagues found less pain (2).", [(2, None)]),  # a co-author is fine
        (
            "The Journal of Back and Musculoskeletal Rehabilitation has a marker with no entry (9).",
            [(None, None)],
        ),
    ],
)
def test_contradictions(text: str, expected: list) -> None:
    citations, _ = link_citations(text, refs(VANCOUVER))
    assert [(c.ref, c.contradiction) for c in citations] == expected


def test_contradiction_with_an_author_year_marker() -> None:
    text = "The guideline, published in the New England Journal of Medicine, agrees (Qaseem et al., 2017)."
    citations, _ = link_citations(text, refs(AUTHOR_YEAR))
    assert [(c.ref, c.contradiction) for c in citations] == [
        (7, "sentence names New England Journal of Medicine; entry 7 is in Annals of Internal Medicine")
    ]
    ok, _ = link_citations("A review in JAMA pooled 26 trials (Paige et al., 2017).", refs(AUTHOR_YEAR))
    assert [(c.ref, c.contradiction) for c in ok] == [(6, None)]


def test_a_name_the_entry_itself_gives_is_no_contradiction() -> None:
    """The sentence describes the work as its entry does ("a Cochrane systematic review" in the
    entry's title): the entry is in another journal, and that is no contradiction. A name the
    entry never gives still is one; a name only part of a word of the entry is not "given"."""
    entries = [
        parse_reference(
            "Hayden JA, Ellis J, Ogilvie R, et al. Some exercise treatments for chronic low back pain: "
            "a Cochrane systematic review with network meta-analysis. Br J Sports Med. 2021;55(5):1-10.",
            n=1,
        ),
        parse_reference(
            "Lee K. Knee pain in runners. Spine. 2020;45(2):101-109. doi:10.1136/bmjopen-2020-1", n=2
        ),
    ]
    text = (
        "A Cochrane review found that exercise helps (1).\n\n"
        "A trial published in the BMJ found less pain (2)."
    )
    citations, _ = link_citations(text, entries)
    assert [(c.ref, c.contradiction) for c in citations] == [
        (1, None),
        (2, "sentence names BMJ; entry 2 is in Spine"),  # "bmjopen" is not "BMJ"
    ]


# --- journal names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "nlm"),
    [
        ("Journal of Orthopaedic & Sports Physical Therapy", "J Orthop Sports Phys Ther"),
        ("Journal of Back and Musculoskeletal Rehabilitation", "J Back Musculoskelet Rehabil"),
        ("Annals of Internal Medicine", "Ann Intern Med"),
        ("New England Journal of Medicine", "N Engl J Med"),
        ("British Journal of Sports Medicine", "Br J Sports Med"),
        ("Cochrane Database of Systematic Reviews", "Cochrane Database Syst Rev"),
        ("Osteoarthritis and Cartilage", "Osteoarthritis Cartilage"),
        ("Journal of Bone and Mineral Research", "J Bone Miner Res"),
        ("Scandinavian Journal of Medicine & Science in Sports", "Scand J Med Sci Sports"),
        ("Journal of Manipulative and Physiological Therapeutics", "J Manipulative Physiol Ther"),
        ("Journal of the American Dental Association", "J Am Dent Assoc"),
        ("Annals of the Rheumatic Diseases", "Ann Rheum Dis"),
        ("Archives of Physical Medicine and Rehabilitation", "Arch Phys Med Rehabil"),
        ("Journal of Clinical Endocrinology and Metabolism", "J Clin Endocrinol Metab"),
        ("Medicine and Science in Sports and Exercise", "Med Sci Sports Exerc"),
        ("Proceedings of the National Academy of Sciences", "Proc Natl Acad Sci"),
        ("Journal of the American College of Cardiology", "J Am Coll Cardiol"),
        ("Age and Ageing", "Age Ageing"),
        ("Manual Therapy", "Man Ther"),
        ("Spine", "Spine"),
        ("The Lancet", "Lancet"),
    ],
)
def test_abbreviate_full_journal_names(full: str, nlm: str) -> None:
    assert abbreviate(full) == nlm
    assert same_journal(full, nlm)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("BMJ", "British Medical Journal", True),
        ("the BMJ", "BMJ", True),
        ("JAMA", "Journal of the American Medical Association", True),
        ("JAMA", "JAMA Intern Med", True),  # a family acronym as bloggers use it
        ("NEJM", "N Engl J Med", True),
        ("JOSPT", "J Orthop Sports Phys Ther", True),
        ("Cochrane Library", "Cochrane Database Syst Rev", True),
        ("Pediatric Anesthesia", "Paediatr Anaesth", True),  # British and American spellings
        ("Clinical Oral Investigations", "Clin Oral Investig", True),
        ("Journal of Back and Musculoskeletal Rehabilitation", "J Orthop Sports Phys Ther", False),
        ("Physical Therapy", "J Phys Ther Sci", False),
        ("Spine", "Spine J", False),
        ("Pain", "Pain Physician", False),
        ("BMJ", "Lancet", False),
        (None, "Lancet", False),
    ],
)
def test_same_journal(a: str | None, b: str, same: bool) -> None:
    assert same_journal(a, b) is same


# --- every fixture post against its hand-written truth (no crawl: extract_article directly) ------

FIXTURE_ROOTS = [
    ROOT / "tests" / "fixtures" / "sites" / s for s in ("wp-physio", "squarespace-chiro", "wix-dental")
]
FIXTURE_ROOTS.append(ROOT / "crawler" / "demo_site")
POSTS = [
    (root, article)
    for root in FIXTURE_ROOTS
    for article in json.loads((root / "_expected.json").read_text("utf-8"))["articles"]
]
REFERENCE_KEYS = ("title", "container", "year", "volume", "issue", "pages", "style")


@pytest.mark.parametrize(("root", "article"), POSTS, ids=[f"{r.name}{a['path']}" for r, a in POSTS])
def test_fixture_post_references_and_citations(root: Path, article: dict) -> None:
    base = "http://127.0.0.1:8000"
    html = post_file(root, article["path"]).read_text("utf-8").replace("{{BASE}}", base)
    result = extract_article(html, base + article["path"])
    assert isinstance(result, Article)
    fields = [
        {
            "n": r.n,
            "first_author": r.authors[0] if r.authors else None,
            **{k: getattr(r, k) for k in REFERENCE_KEYS},
            **({"issue_qualifier": r.issue_qualifier} if r.issue_qualifier else {}),
        }
        for r in result.references
    ]
    assert fields == article["reference_fields"]
    assert [[c.marker, c.ref] for c in result.citations] == article["citations"]
    flagged = [[c.marker, c.ref, c.contradiction] for c in result.citations if c.contradiction]
    assert flagged == article["citation_contradictions"]
    assert result.unused_references == article["unused_references"]
    for citation in result.citations:
        assert citation.marker in citation.sentence and citation.sentence in result.text
