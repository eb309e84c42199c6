"""CMS quirks as data: how to recognise a WordPress, Squarespace, Wix or Elementor page, what
chrome to prune before extraction, and where bylines live. The generic profile always applies.
"""

from __future__ import annotations

from dataclasses import dataclass


def has_class(name: str) -> str:
    """XPath predicate: the element has ``name`` as one of its classes (not as a substring)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def any_class(*names: str) -> str:
    return " or ".join(has_class(n) for n in names)


def attr_contains(attr: str, *needles: str) -> str:
    """XPath predicate: ``@attr`` contains any of the needles (a loose, substring match)."""
    return " or ".join(f"contains(@{attr}, '{n}')" for n in needles)


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    markers: tuple[str, ...] = ()  # substrings of the page source that identify the CMS
    prune: tuple[str, ...] = ()  # XPath of chrome to remove before extraction
    bylines: tuple[str, ...] = ()  # XPath of author name elements, most specific first


def loose(attr: str, *needles: str) -> str:
    """XPath of elements whose ``@attr`` contains any needle: for chrome named many ways."""
    return f"//*[{attr_contains(attr, *needles)}]"


SKIP_LINK = (
    "//a[starts-with(@href, '#') and starts-with(translate(normalize-space(.), 'SKIP', 'skip'), 'skip ')]"
)

GENERIC = Profile(
    name="generic",
    prune=(
        # skip links, screen-reader-only helpers
        f"//a[{any_class('skip-link', 'screen-reader-shortcut')}]",
        SKIP_LINK,
        # cookie / consent banners and modal pop-ups
        loose("id", "cookie", "gdpr", "consent"),
        loose("class", "cookie", "gdpr", "consent"),
        "//*[@role='dialog' or @aria-modal='true']",
        # share buttons, related posts, newsletter sign-ups, forms
        loose("class", "sharedaddy", "share-buttons", "social-share", "addtoany", "a2a_kit", "sharing"),
        loose("class", "related-posts", "relatedposts", "yarpp", "related_posts", "newsletter", "mc4wp"),
        loose("id", "relatedposts", "newsletter"),
        "//form",
        # chat, call and booking widgets
        loose("class", "chat-widget", "sms-widget", "text-us", "call-now", "book-now", "sticky-cta"),
        loose("id", "chat-widget", "floating-cta"),
    ),
    bylines=(
        "//*[@itemprop='author']//*[@itemprop='name']",
        "//*[@rel='author']",
        f"//*[{any_class('author-name', 'byline-author', 'entry-author-name')}]",
        f"//*[{has_class('byline')}]//*[{has_class('author')}]",
        f"//*[{has_class('author')} and not(descendant::*)]",
    ),
)

WORDPRESS = Profile(
    name="wordpress",
    markers=("/wp-content/", "/wp-includes/", 'content="WordPress'),
    prune=(
        f"//*[{any_class('comments-area', 'comment-respond')} or @id='comments' or @id='respond']",
        f"//*[{has_class('post-navigation')} or {has_class('nav-links')} or {has_class('entry-footer')}]",
        f"//*[{has_class('widget-area')} or @id='secondary']",
    ),
    bylines=(
        f"//*[{has_class('entry-meta')}]//*[{has_class('author')}]//a",
        f"//*[{has_class('entry-meta')}]//*[{has_class('fn')}]",
    ),
)

SQUARESPACE = Profile(
    name="squarespace",
    markers=("static1.squarespace.com", "Squarespace"),
    prune=(
        f"//*[{has_class('sqs-announcement-bar')} or {has_class('sqs-announcement-bar-dropzone')}]",
        f"//*[{has_class('newsletter-block')} or {has_class('sqs-block-newsletter')}]",
        f"//*[{has_class('blog-item-pagination')} or {has_class('item-pagination')}]",
    ),
    bylines=(
        f"//*[{has_class('blog-author')}]",
        f"//*[{has_class('blog-meta-item--author')}]",
    ),
)

WIX = Profile(
    name="wix",
    markers=("wixstatic.com", "wix.com", "X-Wix", "_wixCssImports"),
    prune=(
        "//*[@data-hook='related-posts' or @data-hook='recent-posts' or @data-hook='post-footer']",
        "//*[@data-hook='comments' or @data-hook='comments-container']",
        "//*[@id='SITE_HEADER' or @id='SITE_FOOTER' or @id='WIX_ADS']",
    ),
    bylines=("//*[@data-hook='user-name']", "//*[@data-hook='author-name']"),
)

ELEMENTOR = Profile(
    name="elementor",
    markers=("elementor-",),
    prune=(
        "//*[@data-elementor-type='header' or @data-elementor-type='footer' or @data-elementor-type='popup']",
        f"//*[{has_class('elementor-share-buttons')} or {has_class('elementor-post-navigation')}]",
    ),
    bylines=(f"//*[{has_class('elementor-post-info__item--type-author')}]",),
)

PROFILES = (WORDPRESS, SQUARESPACE, WIX, ELEMENTOR)
SNIFF_BYTES = 200_000  # markers sit in <head> and early <body>; no need to scan a whole 5 MB page


def detect_profiles(html: str) -> list[Profile]:
    """The profiles whose markers appear in the page, after the generic one."""
    head = html[:SNIFF_BYTES]
    return [GENERIC] + [p for p in PROFILES if any(m in head for m in p.markers)]
