"""Discovery helpers: URL cleaning and classification, robots, sitemaps, feeds, page links."""

import gzip

import pytest
from lxml import html as lxml_html

from crawler.discovery import (
    DiscoveryError,
    UrlKind,
    extract_links,
    is_taxonomy_sitemap,
    modified_before,
    parse_feed,
    parse_sitemap,
    robots_sitemaps,
    url_kind,
)
from pipelines.record import clean_url, site_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://www.Clinic.com:443/blog/post/?utm_source=x&utm_medium=email#comments",
            "https://www.clinic.com/blog/post/",
        ),
        ("/blog/post/?fbclid=abc&page=2", "https://clinic.example/blog/post/?page=2"),
        ("/blog/p;jsessionid=ABC123?share=facebook", "https://clinic.example/blog/p"),
        ("http://clinic.example:8080/a", "http://clinic.example:8080/a"),
        ("https://clinic.example", "https://clinic.example/"),
        ("mailto:front@clinic.example", None),
        ("tel:+15551234567", None),
        ("javascript:void(0)", None),
        ("#content", None),
        ("ftp://clinic.example/file", None),
        ("http://[broken", None),
    ],
)
def test_clean_url(raw, expected):
    assert clean_url(raw, "https://clinic.example/blog/") == expected


def test_site_key_ignores_www_and_keeps_ports():
    assert site_key("https://www.clinic.example/x") == "clinic.example"
    assert site_key("https://clinic.example:443/x") == "clinic.example"
    assert site_key("http://127.0.0.1:8123/") == "127.0.0.1:8123"
    # a URL Python's urlsplit refuses (a bracket after the port) is on no site, not an exception
    assert site_key("http://127.0.0.1:8123[]") == ""
    assert site_key("http://[not-an-address]/") == ""


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://c.example/blog/dry-needling/", UrlKind.CANDIDATE),
        ("https://c.example/2023/05/14/my-post/", UrlKind.CANDIDATE),
        ("https://c.example/post/teeth-whitening", UrlKind.CANDIDATE),
        ("https://c.example/tag/exercise/", UrlKind.LISTING),
        ("https://c.example/category/back-pain/", UrlKind.LISTING),
        ("https://c.example/author/jane-doe/", UrlKind.LISTING),
        ("https://c.example/blog/page/2/", UrlKind.LISTING),
        ("https://c.example/blog?offset=1714000000000", UrlKind.LISTING),
        ("https://c.example/2023/05/", UrlKind.LISTING),
        ("https://c.example/blog/page/9999/", UrlKind.EXCLUDED),
        ("https://c.example/wp-admin/post.php", UrlKind.EXCLUDED),
        ("https://c.example/wp-login.php", UrlKind.EXCLUDED),
        ("https://c.example/?s=back+pain", UrlKind.EXCLUDED),
        ("https://c.example/search?q=knee", UrlKind.EXCLUDED),
        ("https://c.example/cart/", UrlKind.EXCLUDED),
        ("https://c.example/wp-content/uploads/guide.pdf", UrlKind.ASSET),
        ("https://c.example/img/photo.JPG", UrlKind.ASSET),
        ("https://c.example/feed/", UrlKind.FEED),
        ("https://c.example/blog-feed.xml", UrlKind.FEED),
        ("https://c.example/post-sitemap.xml", UrlKind.SITEMAP),
        ("https://c.example/sitemap.xml.gz", UrlKind.SITEMAP),
    ],
)
def test_url_kind(url, kind):
    assert url_kind(url) is kind


def test_robots_sitemaps_are_absolute_and_unique():
    robots = "User-agent: *\nDisallow: /wp-admin/\nSitemap: /sitemap_index.xml\nsitemap:https://c.example/news.xml\n"
    robots += "Sitemap: https://c.example/sitemap_index.xml\n"
    assert robots_sitemaps(robots, "https://c.example/robots.txt") == [
        "https://c.example/sitemap_index.xml",
        "https://c.example/news.xml",
    ]


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://c.example/blog/a/</loc><lastmod>2024-05-02T09:15:00+00:00</lastmod></url>
  <url><loc> https://c.example/blog/b/?utm_source=sitemap </loc></url>
  <url><lastmod>2024-01-01</lastmod></url>
</urlset>"""


def test_parse_sitemap_urlset():
    sitemap = parse_sitemap(URLSET, "https://c.example/sitemap.xml")
    assert not sitemap.is_index
    assert [(e.url, str(e.date)) for e in sitemap.entries] == [
        ("https://c.example/blog/a/", "2024-05-02"),
        ("https://c.example/blog/b/", "None"),
    ]


def test_parse_sitemap_index_gzip():
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://c.example/post-sitemap.xml</loc></sitemap>
      <sitemap><loc>https://c.example/category-sitemap.xml</loc></sitemap></sitemapindex>"""
    sitemap = parse_sitemap(gzip.compress(index), "https://c.example/sitemap_index.xml")
    assert sitemap.is_index
    assert [e.url for e in sitemap.entries] == [
        "https://c.example/post-sitemap.xml",
        "https://c.example/category-sitemap.xml",
    ]
    assert is_taxonomy_sitemap(sitemap.entries[1].url) and not is_taxonomy_sitemap(sitemap.entries[0].url)


@pytest.mark.parametrize(
    ("url", "taxonomy"),
    [
        ("https://c.example/wp-sitemap-posts-post-1.xml", False),  # WordPress core
        ("https://c.example/wp-sitemap-taxonomies-category-1.xml", True),
        ("https://c.example/wp-sitemap-users-1.xml", True),
        ("https://c.example/post_tag-sitemap.xml", True),  # Yoast / Rank Math
        ("https://c.example/author-sitemap.xml", True),
        ("https://c.example/page-sitemap.xml", False),
        ("https://c.example/blog-posts-sitemap.xml", False),  # Wix
        ("https://c.example/blog-categories-sitemap.xml", True),
    ],
)
def test_taxonomy_sitemaps_of_each_cms(url, taxonomy):
    assert is_taxonomy_sitemap(url) is taxonomy


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"\x1f\x8bnot really gzip"])
def test_parse_sitemap_rejects_non_sitemaps(body):
    with pytest.raises(DiscoveryError):
        parse_sitemap(body, "https://c.example/sitemap.xml")


def test_truncated_sitemap_yields_what_is_complete():
    body = b"<urlset><url><loc>https://c.example/a/</loc></url><url><loc>https://c.exa"
    assert [e.url for e in parse_sitemap(body, "https://c.example/sitemap.xml").entries] == [
        "https://c.example/a/"
    ]


def test_entities_are_never_expanded():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://c.example/&lol3;</loc></url></urlset>"""
    try:
        sitemap = parse_sitemap(bomb, "https://c.example/sitemap.xml")
    except DiscoveryError:
        return
    assert all("lollollol" not in e.url for e in sitemap.entries)


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
<item><title>A</title><link>https://c.example/blog/a/</link><pubDate>Tue, 14 Mar 2023 10:00:00 +0000</pubDate></item>
<item><title>B</title><link>/blog/b/</link></item>
<item><title>C</title><guid>https://c.example/blog/c/</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="alternate" href="https://c.example/post/a"/><published>2024-02-01T00:00:00Z</published></entry>
<entry><title>B</title><link href="/post/b"/><updated>2024-03-01T00:00:00Z</updated></entry></feed>"""


def test_parse_rss_with_relative_links_and_missing_dates():
    entries = parse_feed(RSS, "https://c.example/feed/")
    assert [(e.url, str(e.date)) for e in entries] == [
        ("https://c.example/blog/a/", "2023-03-14"),
        ("https://c.example/blog/b/", "None"),
        ("https://c.example/blog/c/", "None"),
    ]


def test_parse_atom():
    entries = parse_feed(ATOM, "https://c.example/blog-feed.xml")
    assert [(e.url, str(e.date)) for e in entries] == [
        ("https://c.example/post/a", "2024-02-01"),
        ("https://c.example/post/b", "2024-03-01"),
    ]


def test_parse_feed_rejects_html():
    with pytest.raises(DiscoveryError):
        parse_feed(b"<html><body>oops</body></html>", "https://c.example/feed/")


def test_extract_links_sorts_canonical_feeds_pagination_and_links():
    page = lxml_html.fromstring(
        """<html><head><link rel="canonical" href="/blog/">
        <link rel="alternate" type="application/rss+xml" href="/feed/"><link rel="next" href="/blog/page/2/"></head>
        <body><a href="/blog/a/?utm_campaign=x">A</a><a href="/blog/a/#comments">A again</a>
        <a href="?page=3">3</a><a href="/blog/old/">Older posts</a><a href="mailto:x@c.example">mail</a></body></html>"""
    )
    links = extract_links(page, "https://c.example/blog/")
    assert links.canonical == "https://c.example/blog/"
    assert links.feeds == ["https://c.example/feed/"]
    assert links.next_pages == [
        "https://c.example/blog/page/2/",
        "https://c.example/blog/?page=3",
        "https://c.example/blog/old/",
    ]
    assert links.links == ["https://c.example/blog/a/"]


@pytest.mark.parametrize(
    ("lastmod", "fetched", "unchanged"),
    [
        ("2024-02-27T19:48:12+00:00", "2026-11-25T04:00:00Z", True),
        ("2026-11-25T04:00:00+00:00", "2026-11-25T04:00:00Z", False),  # same second: ask the server
        ("2026-11-25T05:00:00+01:00", "2026-11-25T04:00:01Z", True),  # offsets compared properly
        ("2026-11-25", "2026-11-25T04:00:00Z", False),  # a bare date on the day of the fetch
        ("2026-11-24", "2026-11-25T04:00:00Z", True),
        ("2026-11-24T10:00:00", "2026-11-25T04:00:00Z", False),  # no time zone: unsure
        (None, "2026-11-25T04:00:00Z", False),
        ("garbage", "2026-11-25T04:00:00Z", False),
    ],
)
def test_modified_before(lastmod, fetched, unchanged):
    assert modified_before(lastmod, fetched) is unchanged
