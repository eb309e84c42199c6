"""Which plain responses look like unrendered JavaScript shells (crawler/fetch/shell.py).

The shells are the ones JavaScript front ends ship (create-react-app, Next.js and Nuxt without
server rendering, Angular, Vue, Gatsby, site builders that fill the page client-side); the pages
that must not be rendered again are the server-rendered ones, including those whose markup has
an app root full of content or a widget mount point on an ordinary page.
"""

from __future__ import annotations

import pytest

from crawler.discovery import html_root
from crawler.fetch import shell_message, unrendered
from crawler.fetch.shell import weigh

NAV = '<header><a href="/">Home</a> <a href="/services/">Services</a> <a href="/blog/">Blog</a> <a href="/contact/">Contact</a></header>'
PARAGRAPH = "<p>Most ankle sprains recover well with early movement, gradual loading and balance training guided by a physiotherapist.</p>"
ARTICLE = "<article><h1>Ankle sprains</h1>" + PARAGRAPH * 20 + "</article>"


def root(html: str):
    body = html.encode("utf-8")
    return html_root(body, "utf-8", lambda: html)


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html lang=en><head><title>Clinic</title>{head}</head><body>{body}</body></html>"


SHELLS = {
    "create-react-app": page(
        '<noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div>'
        '<script src="/static/js/main.8f3a.js"></script>'
    ),
    "next.js without server rendering": page(
        '<div id="__next"></div><script id="__NEXT_DATA__" type="application/json">{"props":{}}</script>'
        '<script src="/_next/static/chunks/main.js"></script>'
    ),
    "nuxt": page('<div id="__nuxt"><div id="__layout"></div></div><script src="/_nuxt/app.js"></script>'),
    "angular": page("<app-root></app-root><script src='runtime.js'></script><script src='main.js'></script>"),
    "vue with a server-rendered header": page(NAV + '<div id="app"></div><script src="/js/app.js"></script>'),
    "gatsby": page('<div id="___gatsby"><div id="gatsby-focus-wrapper"></div></div>'),
    "noscript only, no app root": page(
        NAV + "<main></main><noscript>Please turn on JavaScript to view this site.</noscript>"
    ),
    "JavaScript is required": page(
        "<div class=wrapper></div><noscript><p>JavaScript is required to use this website.</p></noscript>"
    ),
    "a page built by a large inline script": page(
        "<div class=mount></div><script>" + "var a=1;" * 4000 + "</script>"
    ),
    "a page built by many script files": page(
        "<div class=mount>Loading…</div>" + "".join(f'<script src="/chunk{i}.js"></script>' for i in range(5))
    ),
}


@pytest.mark.parametrize("name", sorted(SHELLS))
def test_shells_are_recognised_with_a_reason(name):
    why = unrendered(root(SHELLS[name]))
    assert why, name
    assert "characters of text" in why


@pytest.mark.parametrize(
    "name,html",
    [
        (
            "server-rendered next.js",
            page(f'<div id="__next">{NAV}{ARTICLE}</div><script src="/_next/main.js"></script>'),
        ),
        (
            "wordpress post with a chat widget root",
            page(
                NAV + ARTICLE + '<div id="app"></div><script src="https://widget.example/chat.js"></script>'
            ),
        ),
        (
            "wordpress post with the GTM noscript",
            page(
                '<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-X"></iframe></noscript>'
                + NAV
                + ARTICLE
            ),
        ),
        (
            "post with a form asking for JavaScript",
            page(NAV + ARTICLE + "<noscript>Please enable JavaScript to submit this form.</noscript>"),
        ),
        (
            "short contact page",
            page(
                NAV
                + "<h1>Contact</h1><p>Call us on 03 9000 0000 or book online.</p><script src=/a.js></script>"
            ),
        ),
        ("empty page without scripts", page("")),
    ],
)
def test_server_rendered_pages_are_not_shells(name, html):
    assert unrendered(root(html)) is None, name


def test_a_post_url_from_the_feed_without_text_is_a_shell_but_not_when_linked():
    html = page(
        NAV
        + '<div class="blog-embed" data-blog="clinic"></div><script src="https://embed.example/blog.js"></script>'
    )
    assert unrendered(root(html), ("link",)) is None
    why = unrendered(root(html), ("feed", "link"))
    assert why and why.startswith("the feed lists it as a post")
    assert unrendered(root(html), ("post_sitemap",)).startswith("a sitemap of posts lists it")
    assert unrendered(root(page(NAV + ARTICLE)), ("feed",)) is None
    # a short post is still a post: one paragraph's worth of text in one run
    short = page(
        NAV + "<article><h1>Closed on Monday</h1>" + PARAGRAPH + "</article><script src=/a.js></script>"
    )
    assert unrendered(root(short), ("feed",)) is None
    # and a page without a script cannot be built by one
    assert unrendered(root(page(NAV)), ("feed",)) is None


def test_hidden_text_does_not_count_as_visible():
    html = page(
        '<div id="root"></div><script>' + "x" * 500 + "</script><style>" + "p{}" * 500 + "</style>"
        "<template><p>" + "word " * 500 + "</p></template><svg><text>" + "label " * 100 + "</text></svg>"
    )
    weight = weigh(root(html))
    assert weight.text_chars == 0
    assert weight.empty_root == '<div id="root">'
    assert unrendered(root(html))


def test_text_after_a_script_or_comment_is_counted():
    html = page("<p>Before<script>var x</script> after <!-- note --> end</p>")
    assert weigh(root(html)).text_chars == len("Before") + len("after") + len("end")


def test_text_is_counted_only_as_far_as_the_rules_need():
    assert weigh(root(page(ARTICLE * 50))).text_chars < 2 * 1_500


def test_the_skip_reason_says_what_to_do():
    shell = unrendered(root(SHELLS["create-react-app"]))
    assert shell_message(shell, "never", None).endswith("crawl with --render auto to render it in a browser")
    missing = "the render extra is not installed: pip install 'clinic-archive[render]'"
    message = shell_message(shell, "auto", missing)
    assert message.startswith("the page needs JavaScript (an empty app root")
    assert "clinic-archive[render]" in message
