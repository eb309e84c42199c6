"""The general rules that cover CMS markup no tag describes: reference lists printed as title
links, bylines typed into the body, credentials beside a name, the site's name, "Last updated"
lines, the day a page shows, a CMS-named post body. Each in the variants real sites produce,
and the look-alikes that must be left alone.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from pages import BODY, URL, page

from pipelines.extract.article import byline_lines, extract_article
from pipelines.extract.metadata import PageMeta
from pipelines.extract.visible import (
    _rejoin_credentials,
    credentials_near_names,
    shown_day,
    site_name_from_page,
    visible_update_date,
)
from pipelines.record.models import Article
from pipelines.references.parse import parse_reference

T1 = "Effect of corticosteroid injection, physiotherapy, or both on lateral epicondylalgia"
T2 = "Mobilisation with movement and exercise, corticosteroid injection, or wait and see for tennis elbow"
T3 = "Vitamin D supplements and prevention of cancer and cardiovascular disease"


def extract(html: str) -> Article:
    result = extract_article(html, URL, assume_article=True)
    assert isinstance(result, Article), result
    return result


# --- reference lists printed as title links -------------------------------------------------

TITLE_LINK_LISTS = {
    "paragraph per link (Wix, HubSpot, Webflow)": (
        f'<p><a href="https://doi.org/10.1001/jama.2013.129">{T1}</a></p>'
        f'<p><a href="https://doi.org/10.1136/bmj.38961.584653.AE">{T2}</a></p>'
    ),
    "links split by <br> in one block (Weebly)": (
        f'<div class="paragraph"><a href="https://doi.org/10.1001/jama.2013.129">{T1}</a><br>'
        f'<a href="https://pubmed.ncbi.nlm.nih.gov/17012266/">{T2}</a></div>'
    ),
    "list items, publisher hosts": (
        f'<ul><li><a href="https://jamanetwork.com/journals/jama/fullarticle/1653511">{T1}</a></li>'
        f'<li><a href="https://www.bmj.com/content/333/7575/939">{T2}</a></li></ul>'
    ),
}


@pytest.mark.parametrize("layout", TITLE_LINK_LISTS)
def test_title_links_to_studies_are_a_reference_list(layout):
    article = extract(page(BODY + TITLE_LINK_LISTS[layout]))
    assert [r.title for r in article.references] == [T1, T2]
    assert {r.style for r in article.references} == {"url"}
    assert all(r.container is None and r.year is None for r in article.references)  # nothing guessed
    assert T1 not in article.text and T2 not in article.text


def test_identifiers_come_from_the_link():
    html = page(
        BODY
        + f'<p><a href="https://doi.org/10.1001/jama.2013.129">{T1}</a></p>'
        + f'<p><a href="https://www.nejm.org/doi/full/10.1056/NEJMoa1809944">{T3}</a></p>'
        + '<p><a href="https://pubmed.ncbi.nlm.nih.gov/17012266/">Exercise therapy for chronic low back pain</a></p>'
    )
    refs = extract(html).references
    assert [r.doi for r in refs] == ["10.1001/jama.2013.129", "10.1056/nejmoa1809944", None]
    assert refs[2].pmid == "17012266"
    assert refs[1].url == "https://www.nejm.org/doi/full/10.1056/NEJMoa1809944"


@pytest.mark.parametrize(
    "body",
    [
        # one study linked from its own paragraph: not a list
        f'<p><a href="https://doi.org/10.1001/jama.2013.129">{T1}</a></p>',
        # links inside a sentence: the sentence cites, it is not a reference list
        f'<p>A trial (<a href="https://doi.org/10.1001/jama.2013.129">{T1}</a>) and a review '
        f'(<a href="https://doi.org/10.1136/bmj.38961.584653.AE">{T2}</a>) agree.</p>',
        # links to the clinic's own pages or a shop
        f'<p><a href="/services/shockwave-therapy/">{T1}</a></p><p><a href="https://shop.example/brace">{T2}</a></p>',
        # short link texts: "the study", "this review"
        '<p><a href="https://doi.org/10.1001/jama.2013.129">the study</a></p>'
        '<p><a href="https://doi.org/10.1136/bmj.38961.584653.AE">this review</a></p>',
    ],
)
def test_links_that_are_not_a_reference_list_stay_in_the_text(body):
    article = extract(page(BODY + body))
    assert article.references == []


def test_a_link_whose_text_is_a_whole_citation_is_parsed_as_one():
    citation = (
        "Hayden JA, Ellis J, Ogilvie R, et al. Exercise therapy for chronic low back pain. "
        "Cochrane Database Syst Rev. 2021;9(9):CD009790."
    )
    html = page(
        BODY
        + f'<p><a href="https://doi.org/10.1002/14651858.CD009790.pub2">{citation}</a></p>'
        + f'<p><a href="https://doi.org/10.1136/bmj.38961.584653.AE">{T2}</a></p>'
    )
    first = extract(html).references[0]
    assert (first.container, first.year, first.doi) == (
        "Cochrane Database Syst Rev",
        2021,
        "10.1002/14651858.cd009790.pub2",
    )


# --- bylines typed into the body ------------------------------------------------------------

PROSE = ["Sensitive teeth are common.", "Most people improve with the right toothpaste and habits."]


@pytest.mark.parametrize(
    ("lines", "author"),
    [
        (["By Dr. Priya Natarajan, DMD", *PROSE], "Dr. Priya Natarajan, DMD"),
        (["Written by: Jenna Ortiz, RDH", *PROSE], "Jenna Ortiz, RDH"),
        (["Posted by Mark Ellison", *PROSE], "Mark Ellison"),
        ([*PROSE, "- Dr. Marcus Bell, DDS"], "Dr. Marcus Bell, DDS"),
        ([*PROSE, "— Jane van der Berg"], "Jane van der Berg"),
        ([*PROSE, "Dr. Hannah Brooks, DC, CCSP"], "Dr. Hannah Brooks, DC, CCSP"),  # a signature
    ],
)
def test_a_byline_in_the_body_is_taken_and_leaves_the_text(lines, author):
    rest, found = byline_lines(lines)
    assert found == [author] and rest == PROSE


@pytest.mark.parametrize(
    "lines",
    [
        ["By the end of the week most patients feel better.", *PROSE],  # a sentence, not a byline
        ["By 2030, one in five adults will be over 65.", *PROSE],
        [*PROSE, "Jane Doe"],  # a bare name closing the text: maybe a quote, maybe a caption
        [*PROSE, "- see our guide to flossing"],
        ["By Dr. Priya Natarajan, DMD, who has treated sensitive teeth in Boise for twenty years", *PROSE],
    ],
)
def test_sentences_that_look_like_bylines_stay(lines):
    assert byline_lines(lines) == (lines, [])


def test_a_body_byline_fills_a_post_without_one():
    body = "<p><em>By Dr. Priya Natarajan, DMD</em></p>" + BODY
    article = extract(page(body, head=""))
    assert [(a.name, a.credentials) for a in article.authors] == [("Priya Natarajan", ["DMD"])]
    assert "Natarajan" not in article.text


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "authors"),
    [
        (["Dr Liam Bergstrom", " MD"], ["Dr Liam Bergstrom, MD"]),
        (["Dr Anthony Russo", "DO", "FAAFP"], ["Dr Anthony Russo, DO, FAAFP"]),
        (["Jane Doe", "John Smith"], ["Jane Doe", "John Smith"]),
        (["Megan Doyle", "PA-C", "Sam Lee", "DPT"], ["Megan Doyle, PA-C", "Sam Lee, DPT"]),
    ],
)
def test_credentials_split_off_by_the_fallback_go_back_to_their_name(parts, authors):
    assert _rejoin_credentials(parts) == authors


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<div class="author">Amara Okafor, MD, CCFP</div><div>Family Physician</div>',
            "Amara Okafor, MD, CCFP",
        ),
        ("<p>Dr. Amara Okafor, MD</p>", "Amara Okafor, MD"),
        # the name linked to the author's page, or emphasised, the credentials outside the tags
        (
            '<p class="byline">By <a href="/team/amara/">Dr. Amara Okafor</a>, MD, CCFP</p>',
            "Amara Okafor, MD, CCFP",
        ),
        ("<p>By <a href='/t/'><strong>Amara Okafor</strong></a>, MD</p>", "Amara Okafor, MD"),
        # the name in a sentence, followed by ordinary words: no credentials
        ("<p>Amara Okafor, who has practised here since 2010, leads the team.</p>", "Amara Okafor"),
        ("<p>Nothing about her here.</p>", "Amara Okafor"),
    ],
)
def test_credentials_beside_the_authors_name_in_the_page(html, expected):
    meta = PageMeta(authors=["Amara Okafor"])
    credentials_near_names(html, meta)
    assert meta.authors == [expected]


def test_the_business_name_is_no_byline_but_a_bloggers_name_is():
    def named(name: str) -> str:
        return (
            f'<html lang="en"><head><title>Knee pain | {name}</title><meta name="author" content="{name}">'
            f'<meta property="og:site_name" content="{name}"></head><body><main><article>{BODY}</article>'
            "</main></body></html>"
        )

    assert extract(named("Cedar Ridge Chiropractic")).authors == []
    assert [a.name for a in extract(named("Haki Benita")).authors] == ["Haki Benita"]


# --- the site's name, dates shown on the page -----------------------------------------------


def meta_for(title: str, h1: str | None) -> PageMeta:
    return PageMeta(html_title=title, h1=h1, title=h1)


@pytest.mark.parametrize(
    ("html", "meta", "name"),
    [
        (
            "<html><body></body></html>",
            meta_for("Vitamin D | Maple Grove Family Health", "Vitamin D"),
            "Maple Grove Family Health",
        ),
        ("<html><body></body></html>", meta_for("Knee Pain – Harbour Physio", "Knee Pain"), "Harbour Physio"),
        # a title whose dash is part of the headline itself: no site name in it
        ("<html><body></body></html>", meta_for("Knee Pain - What To Do", "Knee Pain - What To Do"), None),
        (
            '<html><body><header><a href="/"><img alt="Cedar Hill Family Practice logo" src="l.png"></a></header></body></html>',
            meta_for("Sinus infections", "Sinus infections"),
            "Cedar Hill Family Practice",
        ),
        (
            "<html><body><footer><p>© 2024 Willow Creek Dental. All rights reserved.</p></footer></body></html>",
            meta_for("Sealants", "Sealants"),
            "Willow Creek Dental",
        ),
    ],
)
def test_the_site_name_when_no_tag_states_it(html, meta, name):
    assert site_name_from_page(lxml_html.fromstring(html), meta) == name


@pytest.mark.parametrize(
    ("body", "day"),
    [
        ('<div class="post-updated">Last updated <span>February 2, 2024</span></div>', "2024-02-02"),
        ("<p>Updated on: 14 March 2024</p>", "2024-03-14"),
        ("<p>Medically reviewed on 2023-11-28</p>", "2023-11-28"),
        (
            '<div class="post-updated w-condition-invisible">Last updated <span>February 2, 2024</span></div>',
            None,
        ),
        ('<div style="display: none">Last updated February 2, 2024</div>', None),
        ("<div hidden>Last updated February 2, 2024</div>", None),
        ("<p>We updated our opening hours for the holidays.</p>", None),
    ],
)
def test_a_visible_last_updated_line(body, day):
    html = f"<html><body><main>{body}</main></body></html>"
    assert visible_update_date(lxml_html.fromstring(html), html) == day


@pytest.mark.parametrize(
    ("published", "shown", "day"),
    [
        ("2023-10-17T22:00:00+00:00", "18 October 2023", "2023-10-18"),  # 8 am in Brisbane
        ("2024-03-06T00:45:00Z", "March 5, 2024", "2024-03-05"),  # 7:45 pm in Asheville
        ("2023-10-17T22:00:00+00:00", "17 October 2023", "2023-10-17T22:00:00+00:00"),  # same day
        ("2023-10-17T22:00:00+10:00", "18 October 2023", "2023-10-17T22:00:00+10:00"),  # not UTC
        ("2023-10-17T22:00:00+00:00", "3 May 2021", "2023-10-17T22:00:00+00:00"),  # another date
    ],
)
def test_the_day_the_page_shows_for_a_utc_timestamp(published, shown, day):
    html = f"<html><body><article><time>{shown}</time><p>Text</p></article></body></html>"
    assert shown_day(lxml_html.fromstring(html), published) == day


# --- a post body the CMS names --------------------------------------------------------------


def test_a_godaddy_post_body_keeps_its_headings_and_lists():
    body = (
        '<div data-ux="BlogContent">'
        + "".join(f'<p style="margin:0"><span>{p}</span></p>' for p in BODY.split("</p>") if p)
        + '<h4 style="margin:0"><span>Simple changes for your workstation</span></h4>'
        "<ul><li><span>Raise your screen so the top of it sits roughly at eye level.</span></li>"
        "<li><span>Take a short break every half an hour.</span></li></ul></div>"
    )
    html = (
        '<!doctype html><html><head><meta name="generator" content="Starfield Technologies; '
        'Go Daddy Website Builder 8.0.0000"><title>Desk neck pain</title></head>'
        f"<body><div>{body}</div></body></html>"
    )
    text = extract(html).text
    assert "Raise your screen so the top of it sits roughly at eye level." in text
    assert "Simple changes for your workstation" in text


# --- reference fields -----------------------------------------------------------------------


def test_elsevier_e_pages_and_a_place_in_a_journal_name():
    ref = parse_reference(
        "Bussières AE, Stewart G, Al-Zoubi F, et al. The treatment of neck pain-associated disorders. "
        "J Manipulative Physiol Ther. 2016;39(8):523-564.e27."
    )
    assert (ref.pages, ref.volume, ref.issue) == ("523-564.e27", "39", "8")
    ref = parse_reference(
        "Konstantinou K, Dunn KM. Sciatica: review of epidemiological studies and prevalence estimates. "
        "Spine (Phila Pa 1976). 2008;33(22):2464-2472."
    )
    assert (ref.container, ref.year, ref.volume, ref.pages) == (
        "Spine (Phila Pa 1976)",
        2008,
        "33",
        "2464-2472",
    )
    # an issue in parentheses is still an issue
    ref = parse_reference("Smith J. A trial. Br J Sports Med. 2019;53(Suppl 2):100-105.")
    assert (ref.container, ref.volume, ref.issue) == ("Br J Sports Med", "53", "2")


# --- relative dates, the last resort --------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "fetched_at", "day"),
    [
        ("3 days ago", "2026-12-07T10:00:00Z", "2026-12-04"),
        ("an hour ago", "2026-12-07T10:00:00Z", "2026-12-07"),
        ("5 hours ago", "2026-12-07T02:00:00Z", "2026-12-06"),  # before midnight
        ("2 weeks ago", "2026-12-07T10:00:00Z", "2026-11-23"),
        ("Yesterday", "2026-12-07T10:00:00Z", "2026-12-06"),
        ("Posted 12 minutes ago", "2026-12-07T10:00:00Z", "2026-12-07"),
        ("3 months ago", "2026-12-07T10:00:00Z", None),  # too coarse to give a day
        ("a few days ago", "2026-12-07T10:00:00Z", None),
        ("Ten years ago, we opened our first clinic.", "2026-12-07T10:00:00Z", None),  # a sentence
    ],
)
def test_a_relative_date_counts_back_from_the_fetch(shown, fetched_at, day):
    from pipelines.extract.visible import relative_day

    tree = lxml_html.fromstring(
        f"<html><body><article><span>{shown}</span><p>Text</p></article></body></html>"
    )
    found = relative_day(tree, fetched_at)
    assert (found[0] if found else None) == day


def test_a_relative_date_is_used_only_without_a_real_one_and_is_marked():
    body = '<span data-hook="time-ago">3 days ago</span>' + BODY
    relative = extract_article(
        page(body, head=""), URL, fetched_at="2026-12-07T10:00:00Z", assume_article=True
    )
    assert (relative.published, relative.published_relative) == ("2026-12-04", "3 days ago")
    dated = page(body, head='<meta property="article:published_time" content="2026-11-02">')
    real = extract_article(dated, URL, fetched_at="2026-12-07T10:00:00Z", assume_article=True)
    assert (real.published, real.published_relative) == ("2026-11-02", None)
    # without a fetch time (re-reading a file) nothing is counted back
    assert extract_article(page(body, head=""), URL, assume_article=True).published_relative is None


# --- RDFa and microformats ------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrapper",
    [
        '<div vocab="https://schema.org/" typeof="BlogPosting">{body}</div>',
        '<div prefix="schema: https://schema.org/" typeof="schema:BlogPosting">{body}</div>',
        '<div itemscope itemtype="https://schema.org/MedicalWebPage">{body}</div>',
    ],
)
def test_schema_org_types_in_rdfa_and_microdata_count(wrapper):
    html = (
        "<html lang='en'><head><title>Knee pain</title><meta property='og:type' content='website'></head>"
        f"<body><main>{wrapper.format(body=BODY)}</main></body></html>"
    )
    result = extract_article(html, "https://clinic.example/welcome/")
    assert isinstance(result, Article)
    assert any(s.startswith("schema.org type") for s in result.classification["signals"])


@pytest.mark.parametrize(
    "byline",
    [
        '<span class="p-author h-card"><span class="p-name">Jane Doe</span>, DPT</span>',
        '<a class="p-author h-card" href="/about/jane">Jane Doe</a>',
    ],
)
def test_an_h_card_author(byline):
    html = (
        "<html lang='en'><head><title>Knee pain</title></head><body><main>"
        f"<article class='h-entry'><h1 class='p-name'>Knee pain</h1><p>{byline}</p>{BODY}</article>"
        "</main></body></html>"
    )
    assert [a.name for a in extract(html).authors] == ["Jane Doe"]
