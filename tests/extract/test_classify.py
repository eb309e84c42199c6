"""The article classifier: every signal weighed, none a veto (pipelines/extract/classify.py).

Each case is a small page in the shape real sites give it: the markup clinic CMSs emit, the URL
shapes they use, the discovery context a crawl brings. Pages are classified by the same
``extract_article`` a crawl calls.
"""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from pages import BODY, CHROME

from pipelines.extract.article import extract_article
from pipelines.extract.classify import page_shape
from pipelines.extract.config import ExtractConfig
from pipelines.record.models import Article, NotArticle

LONG = BODY * 3  # ~290 words of prose
TEASER = (
    '<article class="post type-post hentry"><h2><a href="/blog/post-{n}/">Post {n}</a></h2>'
    "<p>A short excerpt of post {n} about knee pain.</p>"
    '<a href="/blog/post-{n}/">Read more</a></article>'
)


def html(body: str, head: str = "", container: str = "div") -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>Page</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a><a href='/services/'>Services</a><a href='/blog/'>Blog</a></nav>"
        f"<main><{container}>{body}</{container}></main>{CHROME}</body></html>"
    )


def verdict(page: str, url: str, via: tuple[str, ...] = ()) -> Article | NotArticle:
    result = extract_article(page, url, discovered_via=via, config=ExtractConfig(keep_non_articles=True))
    assert isinstance(result, Article), result
    return result


def is_article(page: str, url: str, via: tuple[str, ...] = ()) -> bool:
    return verdict(page, url, via).page_type == "article"


# --- real posts that single signals used to drop --------------------------------------------


@pytest.mark.parametrize(
    ("head", "url"),
    [
        # Squarespace, Wix, Webflow, Weebly: og:type website on every page, posts included
        (
            '<meta property="og:type" content="website">',
            "https://clinic.example/blog/knee-pain-after-running",
        ),
        (
            '<meta property="og:type" content="website">',
            "https://clinic.example/post/knee-pain-after-running",
        ),
        # no markup at all, but a dated URL
        ("", "https://clinic.example/2024/05/knee-pain-after-running/"),
        # no markup, a plain slug under /news/
        ("", "https://clinic.example/news/knee-pain-after-running"),
        # BlogPosting inside a Yoast @graph next to WebPage, WebSite and Organization nodes
        (
            '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
            '{"@type":"WebPage","@id":"#webpage"},{"@type":"WebSite","name":"Clinic"},'
            '{"@type":"BlogPosting","headline":"Knee pain","isPartOf":{"@id":"#webpage"}}]}</script>'
            '<meta property="og:type" content="website">',
            "https://clinic.example/knee-pain/",
        ),
        # a post that also carries an FAQ block's FAQPage type
        (
            '<script type="application/ld+json">[{"@type":"BlogPosting"},{"@type":"FAQPage"}]</script>',
            "https://clinic.example/knee-pain/",
        ),
        # JSON-LD wrapped in CDATA, as older themes print it
        (
            '<script type="application/ld+json">//<![CDATA[\n{"@type":"NewsArticle"}\n//]]></script>',
            "https://clinic.example/knee-pain/",
        ),
    ],
)
def test_real_posts_are_kept_whatever_single_signal_says(head, url):
    assert is_article(html(LONG, head), url)


def test_microdata_and_h_entry_markup_count():
    microdata = '<div itemscope itemtype="https://schema.org/BlogPosting">' + LONG + "</div>"
    assert is_article(html(microdata), "https://clinic.example/knee-pain/")
    h_entry = '<div class="h-entry"><p class="p-author h-card">Jane Doe</p>' + LONG + "</div>"
    assert is_article(html(h_entry), "https://clinic.example/knee-pain/")


def test_a_short_post_with_a_date_is_kept():
    head = '<meta property="article:published_time" content="2024-05-02T09:00:00+10:00">'
    assert is_article(html(BODY, head, "article"), "https://clinic.example/blog/short-note/")


def test_chinese_text_is_measured_by_characters_not_spaces():
    text = "<p>" + "物理治疗可以帮助膝关节疼痛的患者恢复功能。" * 20 + "</p>"
    assert is_article(html(text), "https://clinic.example/zh/knee")


# --- pages that are not posts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        ("https://clinic.example/", "home"),
        ("https://clinic.example/index.html", "home"),
        ("https://clinic.example/services/", "service"),
        ("https://clinic.example/contact-us", "service"),
        ("https://clinic.example/book-online", "service"),
        ("https://clinic.example/book-appointment/", "service"),
        ("https://clinic.example/about-us.html", "service"),
        ("https://clinic.example/privacy-policy/", "service"),
        ("https://clinic.example/service-page/initial-assessment", "service"),
        ("https://clinic.example/blog/tag/knee/", "listing"),
        ("https://clinic.example/blog-categories/knee", "listing"),
        ("https://clinic.example/blog/page/2/", "listing"),
        ("https://clinic.example/blog/previous/2", "listing"),
        ("https://clinic.example/2024/05/", "listing"),
    ],
)
def test_home_service_and_listing_pages_are_not_posts(url, page_type):
    """og:type website and a little prose, as these pages are on every CMS."""
    result = verdict(html(BODY, '<meta property="og:type" content="website">'), url)
    assert (result.page_type, result.classification["score"] < 0) == (page_type, True)


def test_a_home_page_stays_out_even_with_article_markup():
    head = '<meta property="og:type" content="article">'
    assert verdict(html(LONG, head, "article"), "https://clinic.example/").page_type == "home"


def test_a_blog_index_of_teasers_is_not_a_post():
    teasers = "".join(TEASER.format(n=n) for n in range(6))
    result = verdict(
        html(teasers, '<meta property="og:type" content="website">'), "https://clinic.example/journal-home"
    )
    assert result.page_type == "blog_index"
    assert any("read more" in s for s in result.classification["signals"])


def test_a_blog_section_root_is_its_index():
    assert verdict(html(LONG), "https://clinic.example/blog").page_type == "blog_index"


@pytest.mark.parametrize("schema_type", ["ContactPage", "AboutPage", "CollectionPage", "ProfilePage"])
def test_a_page_that_says_what_else_it_is(schema_type):
    head = f'<script type="application/ld+json">{{"@type": "{schema_type}"}}</script>'
    assert not is_article(html(BODY, head), "https://clinic.example/welcome/")


def test_a_wordpress_page_is_not_a_post_although_it_has_hentry():
    """post_class() marks Pages "type-page hentry": the class says page, not post."""
    page = html(LONG, '<meta property="og:type" content="article">').replace(
        "<div>", '<div class="page type-page status-publish hentry">', 1
    )
    assert not is_article(page, "https://clinic.example/about/")


def test_a_form_or_a_caption_is_too_little_text():
    assert not is_article(html("<p>Book your visit today.</p>"), "https://clinic.example/welcome/")


# --- discovery context ----------------------------------------------------------------------

SERVICE_LIKE = html(LONG)  # prose, no markup, no date


def test_discovery_context_tips_an_undecided_page():
    url = "https://clinic.example/conditions/what-is-dry-needling/"
    assert not is_article(SERVICE_LIKE, "https://clinic.example/services/what-is-dry-needling/")
    assert is_article(SERVICE_LIKE, url)  # a slug URL and enough prose: benefit of the doubt
    result = verdict(SERVICE_LIKE, "https://clinic.example/services/what-is-dry-needling/", via=("feed",))
    assert result.page_type == "article"  # the feed lists it: it is a post
    assert "listed in the site's feed (+4)" in result.classification["signals"]


def test_a_post_sitemap_weighs_more_than_a_plain_sitemap():
    url = "https://clinic.example/services/sports-massage-tips/"
    plain = verdict(SERVICE_LIKE, url, via=("sitemap",))
    posts = verdict(SERVICE_LIKE, url, via=("post_sitemap",))
    assert posts.classification["score"] - plain.classification["score"] == 2.0


# --- what a skipped page says ---------------------------------------------------------------


def test_a_skipped_page_carries_its_score_and_signals():
    result = extract_article(
        html(BODY, '<meta property="og:type" content="website">'), "https://clinic.example/services/"
    )
    assert isinstance(result, NotArticle)
    assert result.kind == "not_article" and result.score < 0
    assert result.reason.startswith(f"not an article (score {result.score:+.1f}): a /services page")
    assert "og:type website (-0.5)" in result.signals


def test_an_article_record_carries_its_classification():
    head = '<meta property="og:type" content="article">'
    result = extract_article(html(LONG, head, "article"), "https://clinic.example/blog/knee-pain/")
    assert isinstance(result, Article) and result.page_type == "article"
    assert result.classification["score"] >= 0
    assert "og:type article (+2)" in result.classification["signals"]


def test_link_density_leaves_menus_and_footers_out():
    source = html(LONG)
    shape = page_shape(lxml_html.fromstring(source), source)
    assert shape.link_density < 0.05  # the nav's links do not count against the page
    assert shape.post_markup is False and shape.post_list == 0
    source = html("".join(TEASER.format(n=n) for n in range(4)))
    listing = page_shape(lxml_html.fromstring(source), source)
    assert listing.post_list == 4 and listing.teaser_links == 4 and listing.link_density > 0.2


@pytest.mark.parametrize(
    "body",
    [
        "<h1>Clinic</h1><h2>Recent posts</h2><ul>{links}</ul>",  # a small host's home page
        "<div class='grid'>{links}</div>",  # a page builder's tile grid of post links
        "<main><h2>Latest</h2><ol>{links}</ol><p><a href='/blog/page/2/'>Older</a></p></main>",
    ],
)
@pytest.mark.parametrize("chrome", [True, False])
def test_a_page_of_links_with_no_text_of_its_own_is_not_an_article_not_an_error(body: str, chrome: bool):
    """With or without a menu around them: a home or index page that is only links to posts is
    a page that is not an article, never an extraction error (a broad crawl meets one per site)."""
    links = "".join(f"<li><a href='/blog/post-{i}/'>Post {i} about back pain</a></li>" for i in range(6))
    page = (
        html(body.format(links=links)) if chrome else f"<html><body>{body.format(links=links)}</body></html>"
    )
    result = extract_article(page, "https://clinic.example/", discovered_via=["seed"])
    assert isinstance(result, NotArticle) and result.kind == "not_article", result
    listing = extract_article(page, "https://clinic.example/blog/", listing=True)
    assert isinstance(listing, NotArticle) and listing.kind == "listing", listing


def test_a_page_of_scripts_only_is_still_an_extraction_error():
    page = "<html><body><div id='app'></div><script>render()</script></body></html>"
    result = extract_article(page, "https://clinic.example/p/")
    assert not isinstance(result, Article | NotArticle) and result.error == "no_main_content"
