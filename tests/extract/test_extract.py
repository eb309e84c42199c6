"""extract_article on small hand-written pages: classification, references, chrome, metadata."""

from __future__ import annotations

import pytest
from pages import BODY, REF1, REF2, URL, page

from pipelines.extract.article import extract_article
from pipelines.record.models import Article, NotArticle, PageError


def extract(html: str, **kwargs) -> Article:
    result = extract_article(html, URL, **kwargs)
    assert isinstance(result, Article), result
    return result


# --- reference lists ------------------------------------------------------------------------

REFERENCE_LAYOUTS = {
    "h2 + ol": f"<h2>References</h2><ol><li>{REF1}</li><li>{REF2}</li></ol>",
    "h3 with colon + ul": f"<h3>Sources:</h3><ul><li>{REF1}</li><li>{REF2}</li></ul>",
    "bold paragraph + paragraphs": f"<p><strong>Citations</strong></p><p>{REF1}</p><p>{REF2}</p>",
    "inline bold heading + br": f"<p><strong>References:</strong><br>1. {REF1}<br>2. {REF2}</p>",
    "numbered paragraphs under Research": f"<h4>Research</h4><p>1. {REF1}</p><p>2. {REF2}</p>",
    "unlabelled paragraph with br": f"<p>{REF1}<br>{REF2}</p>",
    "unlabelled paragraphs": f"<p>{REF1}</p><p>{REF2}</p>",
    "wrapped heading (page builder)": (
        f'<div class="block"><div class="inner"><h2>Bibliography</h2></div></div>'
        f'<div class="block"><div class="inner"><p>{REF1}</p><p>{REF2}</p></div></div>'
    ),
}


@pytest.mark.parametrize("layout", REFERENCE_LAYOUTS)
def test_reference_list_is_found_and_kept_out_of_text(layout):
    article = extract(page(BODY + REFERENCE_LAYOUTS[layout]))
    assert [r.n for r in article.references] == [1, 2]
    assert [r.doi for r in article.references] == [
        "10.1016/s0140-6736(18)30480-x",
        "10.1002/14651858.cd009790.pub2",
    ]
    assert article.references[0].raw.startswith("Hartvigsen J")
    for needle in ("Hartvigsen", "Cochrane", "References", "Bibliography", "Citations"):
        assert needle not in article.text
    assert "Staying active is better than bed rest" in article.text


def test_ordinary_lists_stay_in_the_text():
    exercises = (
        "<h2>Exercises to try</h2><ul><li>Cat-cow stretch</li><li>Bird dog</li><li>Glute bridge</li></ul>"
    )
    article = extract(page(BODY + exercises + f"<h2>References</h2><ol><li>{REF1}</li></ol>"))
    assert "Cat-cow stretch" in article.text and "Glute bridge" in article.text
    assert len(article.references) == 1


def test_a_research_section_of_prose_is_not_a_reference_list():
    prose = (
        "<h2>Research</h2><p>Researchers have studied exercise for back pain for decades, and the message "
        "from that work is consistent: movement helps, and fear of movement makes recovery slower.</p>"
    )
    article = extract(page(BODY + prose))
    assert article.references == []
    assert "Researchers have studied exercise" in article.text


def test_sources_heading_over_a_food_list_is_not_a_reference_list():
    foods = "<h2>Sources</h2><ul><li>Salmon</li><li>Egg yolks</li><li>Fortified milk</li></ul>"
    article = extract(page(BODY + foods))
    assert article.references == []
    assert "Egg yolks" in article.text


def test_citations_are_linked_and_unused_entries_listed():
    refs = f"<h2>References</h2><ol><li>{REF1}</li><li>{REF2}</li><li>Third entry, nobody cites it. 2020.</li></ol>"
    article = extract(page(BODY + refs))
    assert [(c.marker, c.ref) for c in article.citations] == [("[1]", 1), ("(2)", 2)]
    assert article.citations[0].sentence.startswith("Staying active")
    assert article.unused_references == [3]


def test_superscript_markers_survive_extraction():
    body = BODY.replace("[1]", "<sup>1</sup>")
    article = extract(page(body + f"<h2>References</h2><ol><li>{REF1}</li><li>{REF2}</li></ol>"))
    assert ("[1]", 1) in [(c.marker, c.ref) for c in article.citations]


# --- chrome and metadata --------------------------------------------------------------------


def test_chrome_never_reaches_the_text():
    article = extract(page(BODY))
    for phrase in ("Text Us", "Skip to content", "We use cookies", "All rights reserved", "Accept"):
        assert phrase not in article.text


def test_metadata_from_json_ld_graph_and_credentials():
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
        '{"@type":"BlogPosting","headline":"Back Pain Basics","datePublished":"2023-03-14T10:00:00+00:00",'
        '"dateModified":"2023-04-02","author":{"@id":"#maria"},"articleSection":["Neck &amp; Back Pain"],'
        '"keywords":"exercise, low back pain"},'
        '{"@type":"Person","@id":"#maria","name":"Dr. Maria Lopez, PT, DPT, OCS"},'
        '{"@type":"WebSite","name":"Example Physio &amp; Wellness"}]}</script>'
        '<link rel="canonical" href="https://clinic.example/blog/post/">'
    )
    article = extract(page(BODY, head=head))
    assert article.title == "Back Pain Basics"
    assert [(a.name, a.credentials) for a in article.authors] == [("Maria Lopez", ["PT", "DPT", "OCS"])]
    assert (article.published, article.modified) == ("2023-03-14", "2023-04-02")
    assert article.categories == ["Neck & Back Pain"] and article.tags == ["exercise", "low back pain"]
    assert article.language == "en" and article.site_name == "Example Physio & Wellness"  # JSON-LD unescaped
    assert article.canonical_url == URL and article.site == "clinic.example"


def test_offsite_canonical_is_ignored():
    head = '<meta property="og:type" content="article"><link rel="canonical" href="https://syndicator.example/x/">'
    assert extract(page(BODY, head=head)).canonical_url == URL


def test_title_site_suffix_is_removed_when_only_the_html_title_is_known():
    html = page(BODY, head="").replace("<h1>Back Pain Basics</h1>", "")
    html = html.replace("<main>", '<main><time datetime="2023-01-05">5 Jan</time>')
    article = extract(html, assume_article=True)
    assert article.title == "Back Pain Basics"


# --- classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "is_article"),
    [
        ('<meta property="og:type" content="article">', True),
        ('<script type="application/ld+json">{"@type": "MedicalWebPage"}</script>', True),
        ('<script type="application/ld+json">{"@type": ["WebPage", "BlogPosting"]}</script>', True),
        # og:type website is weak evidence: a /blog/ post with post markup is still a post
        ('<meta property="og:type" content="website">', True),
        ('<script type="application/ld+json">{broken json</script>', True),
        ('<meta property="article:published_time" content="2024-01-02">', True),
        # a page that says it is something else, and nothing says it is a post
        ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', False),
        ('<script type="application/ld+json">{"@type": "ContactPage"}</script>', False),
    ],
)
def test_classification(head, is_article):
    html = page(BODY, head=head)
    if not is_article:  # nothing on the page but its type, and a URL that says nothing either
        html = html.replace("<article>", "<div>").replace("</article>", "</div>")
    result = extract_article(html, URL if is_article else "https://clinic.example/welcome/")
    assert isinstance(result, Article) is is_article, result
    if not is_article:
        assert isinstance(result, NotArticle) and result.reason and result.signals


def test_a_long_dated_page_without_markup_is_an_article():
    long_body = BODY * 3
    head = '<meta property="article:published_time" content="2024-01-02">'
    assert isinstance(extract_article(page(long_body, head=head), URL), Article)


def test_listing_pages_are_never_articles():
    assert isinstance(extract_article(page(BODY), URL, listing=True), NotArticle)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("", "empty_body"),
        ("   ", "empty_body"),
        ("<html><head><script>var x = 1;</script></head><body><script>render()</script></body></html>", None),
    ],
)
def test_pages_without_content_are_errors_not_exceptions(html, error):
    result = extract_article(html, URL, assume_article=True)
    assert isinstance(result, PageError)
    assert result.stage == "extract" and result.url == URL
    if error:
        assert result.error == error


@pytest.mark.parametrize("depth", [50, 900, 1100, 5000])
def test_absurdly_nested_json_ld_costs_the_markup_not_the_page(depth) -> None:
    """JSON-LD nested past Python's recursion limit (json.loads raises RecursionError) or just
    deep: the page is still read from its other metadata, as with any broken JSON-LD."""
    nested = '{"name": ' * depth + '"x"' + "}" * depth
    deep_list = "[" * depth + '"x"' + "]" * depth
    ld = (
        f'<script type="application/ld+json">{{"@type": "BlogPosting", "author": {nested}, '
        f'"keywords": {deep_list}}}</script>'
    )
    result = extract_article(page(BODY, head='<meta property="og:type" content="article">' + ld), URL)
    assert isinstance(result, Article), result
    assert result.title == "Back Pain Basics"
