"""CMS quirks as data: how to recognise a WordPress, Squarespace, Wix, Elementor, Divi or GoDaddy page, what
chrome to prune before extraction, and where bylines live. The generic profile always applies.

Prune rules are attribute matches (``Chrome``), not XPath: a page is walked once and every rule
is tested on each element's attributes in Python, which is ~10x faster than one libxml2 XPath
``contains(@class, ...)`` scan per rule. XPath stays for the rare rule that needs text or structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml import html as lxml_html


def has_class(name: str) -> str:
    """XPath predicate: the element has ``name`` as one of its classes (not as a substring)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def any_class(*names: str) -> str:
    return " or ".join(has_class(n) for n in names)


@dataclass(frozen=True, slots=True)
class Chrome:
    """Elements to prune: ``attr`` holds one of ``words`` as a whole space-separated token, or
    contains one of ``parts`` anywhere (chrome named many ways: "cookie-bar", "gdpr_notice").
    ``tags`` limits the rule to those elements; a rule with no ``attr`` prunes the tags outright.
    Matching ignores case."""

    attr: str | None = "class"
    words: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def classes(*names: str, tags: tuple[str, ...] = ()) -> Chrome:
    return Chrome("class", words=names, tags=tags)


def loose(attr: str, *needles: str) -> Chrome:
    """Elements whose ``attr`` contains any needle: a loose, substring match."""
    return Chrome(attr, parts=needles)


def equals(attr: str, *values: str) -> Chrome:
    return Chrome(attr, words=values)


def tags(*names: str) -> Chrome:
    return Chrome(None, tags=names)


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    markers: tuple[str, ...] = ()  # substrings of the page source that identify the CMS
    # Substrings one of which every marker contains: looked for first, so that a page of another
    # CMS costs one scan of its source per hint rather than one per marker.
    hints: tuple[str, ...] = ()
    prune: tuple[Chrome, ...] = ()  # chrome to remove before extraction
    prune_xpath: tuple[str, ...] = ()  # chrome no attribute names: text or structure decides
    bylines: tuple[str, ...] = ()  # XPath of author name elements, most specific first
    # XPath of the element holding a post's body, where the CMS names it (see mark_body)
    body: tuple[str, ...] = ()


SKIP_LINK = (
    "//a[starts-with(@href, '#') and starts-with(translate(normalize-space(.), 'SKIP', 'skip'), 'skip ')]"
)

GENERIC = Profile(
    name="generic",
    prune=(
        # skip links, screen-reader-only helpers
        classes("skip-link", "screen-reader-shortcut", tags=("a",)),
        # cookie / consent banners and modal pop-ups
        loose("id", "cookie", "gdpr", "consent"),
        loose("class", "cookie", "gdpr", "consent"),
        equals("role", "dialog"),
        equals("aria-modal", "true"),
        # share buttons, related posts, newsletter sign-ups, forms
        loose("class", "sharedaddy", "share-buttons", "social-share", "addtoany", "a2a_kit", "sharing"),
        loose("class", "related-posts", "relatedposts", "yarpp", "related_posts", "newsletter", "mc4wp"),
        loose("id", "relatedposts", "newsletter"),
        tags("form"),
        # chat, call and booking widgets
        loose("class", "chat-widget", "sms-widget", "text-us", "call-now", "book-now", "sticky-cta"),
        loose("id", "chat-widget", "floating-cta"),
        # calls to action after a post ("Need to see someone? Book Now"), medical disclaimers
        # (whole class names: a substring rule here cost ~0.2 ms a page for every page)
        classes("cta", "call-to-action", "post-cta", "blog-cta", "cta-section", "cta-banner", "cta-block"),
        classes("disclaimer", "post-disclaimer", "medical-disclaimer", "disclaimer-text"),
    ),
    prune_xpath=(SKIP_LINK,),
    body=("//*[@itemprop='articleBody']",),
    bylines=(
        "//*[@itemprop='author']//*[@itemprop='name']",
        # microformats: <span class="p-author h-card"><span class="p-name">Jane Doe</span></span>
        f"//*[{has_class('p-author')}]//*[{has_class('p-name')}]",
        f"//*[{has_class('p-author')} and {has_class('h-card')} and not(.//*[{has_class('p-name')}])]",
        "//*[@rel='author']",
        f"//*[{any_class('author-name', 'byline-author', 'entry-author-name')}]",
        f"//*[{has_class('byline')}]//*[{has_class('author')}]",
        f"//*[{has_class('author')} and not(descendant::*)]",
    ),
)

WORDPRESS = Profile(
    name="wordpress",
    markers=("/wp-content/", "/wp-includes/", 'content="WordPress'),
    hints=("/wp-", "WordPress"),
    prune=(
        classes("comments-area", "comment-respond", "post-navigation", "nav-links", "entry-footer"),
        classes("widget-area"),
        equals("id", "comments", "respond", "secondary"),
    ),
    bylines=(
        f"//*[{has_class('entry-meta')}]//*[{has_class('author')}]//a",
        f"//*[{has_class('entry-meta')}]//*[{has_class('fn')}]",
    ),
)

SQUARESPACE = Profile(
    name="squarespace",
    markers=("static1.squarespace.com", "Squarespace"),
    hints=("quarespace",),
    prune=(
        classes("sqs-announcement-bar", "sqs-announcement-bar-dropzone"),
        classes("newsletter-block", "sqs-block-newsletter"),
        classes("blog-item-pagination", "item-pagination"),
    ),
    bylines=(
        f"//*[{has_class('blog-author')}]",
        f"//*[{has_class('blog-meta-item--author')}]",
    ),
)

WIX = Profile(
    name="wix",
    markers=("wixstatic.com", "wix.com", "X-Wix", "_wixCssImports"),
    hints=("wix", "Wix"),
    prune=(
        equals("data-hook", "related-posts", "recent-posts", "post-footer", "comments", "comments-container"),
        equals("id", "SITE_HEADER", "SITE_FOOTER", "WIX_ADS"),
    ),
    bylines=("//*[@data-hook='user-name']", "//*[@data-hook='author-name']"),
)

ELEMENTOR = Profile(
    name="elementor",
    markers=("elementor-",),
    prune=(
        equals("data-elementor-type", "header", "footer", "popup"),
        classes("elementor-share-buttons", "elementor-post-navigation"),
    ),
    bylines=(f"//*[{has_class('elementor-post-info__item--type-author')}]",),
)

DIVI = Profile(
    name="divi",
    markers=("et_pb_section", "et_pb_row"),
    hints=("et_pb",),
    prune=(
        # promo (call to action), email opt-in, follow and share modules; Bloom and Monarch
        classes("et_pb_promo", "et_pb_signup", "et_pb_newsletter", "et_pb_social_media_follow"),
        classes("et_pb_comments_module", "et_pb_post_nav", "et_pb_posts_nav"),
        loose("class", "et_bloom", "et_social_"),
        equals("id", "top-header", "et-secondary-nav", "main-footer", "sidebar", "comment-wrap"),
    ),
    bylines=(f"//*[{has_class('post-meta')}]//*[{has_class('author')}]//a",),
)

# GoDaddy Website Builder: every section is a "widget"; a post page holds the blog widget
# (with the blog's own title, intro and sidebar around the post) between other widgets
GODADDY = Profile(
    name="godaddy",
    markers=("Go Daddy Website Builder", "img1.wsimg.com/isteam"),
    hints=("Daddy", "wsimg"),
    prune=(
        equals("data-aid", "BLOG_SIDEBAR", "BLOG_SHARE_RENDERED", "BLOG_ALL_POSTS_LINK"),
        classes("widget-header", "widget-subscribe", "widget-footer"),
    ),
    body=("//*[@data-ux='BlogContent']",),
    prune_xpath=(
        # on a post page: the blog section's heading and intro, and the widgets after the blog
        "//*[@data-aid='BLOG_POST_RENDERED']/ancestor::*[@data-ux='Widget' or @data-ux='Section'][1]"
        "//*[@data-aid='BLOG_SECTION_TITLE_RENDERED' or @data-aid='BLOG_SECTION_DESCRIPTION_RENDERED']",
        "//*[@data-aid='BLOG_POST_RENDERED']/ancestor::*[contains(@class, 'widget-blog')]"
        "/following-sibling::*[contains(@class, 'widget')]",
    ),
)

PROFILES = (WORDPRESS, SQUARESPACE, WIX, ELEMENTOR, DIVI, GODADDY)
SNIFF_BYTES = 200_000  # markers sit in <head> and early <body>; no need to scan a whole 5 MB page


def detect_profiles(html: str) -> list[Profile]:
    """The profiles whose markers appear in the page, after the generic one."""
    head = html[:SNIFF_BYTES]
    return [GENERIC] + [p for p in PROFILES if _marked(p, head)]


def _marked(profile: Profile, head: str) -> bool:
    if profile.hints and not any(hint in head for hint in profile.hints):
        return False
    return any(marker in head for marker in profile.markers)


# --- matching ------------------------------------------------------------------------------


class ChromeMatcher:
    """All prune rules of a set of profiles, merged so that one walk of the tree tests them all."""

    def __init__(self, profiles: tuple[Profile, ...]) -> None:
        grouped: dict[tuple[str, frozenset[str]], tuple[set[str], set[str]]] = {}
        bare_tags: set[str] = set()
        for rule in (rule for p in profiles for rule in p.prune):
            if rule.attr is None:
                bare_tags.update(rule.tags)
                continue
            words, parts = grouped.setdefault((rule.attr, frozenset(rule.tags)), (set(), set()))
            words.update(w.lower() for w in rule.words)
            parts.update(p.lower() for p in rule.parts)
        self._tags = frozenset(bare_tags)
        # (attribute, whole tokens, substring pattern, only these tags): plain tuples, read per element
        self._tests = tuple(
            (
                attr,
                frozenset(words),
                re.compile("|".join(re.escape(p) for p in sorted(parts))).search if parts else None,
                only,
            )
            for (attr, only), (words, parts) in grouped.items()
        )
        self._xpaths = tuple(etree.XPath(x) for p in profiles for x in p.prune_xpath)

    def find(self, tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
        """Matching elements in document order (XPath-only rules after the attribute ones)."""
        found = []
        for el in tree.iter(etree.Element):
            if el.tag in self._tags:
                found.append(el)
                continue
            get = el.get
            for attr, words, search, only in self._tests:
                value = get(attr)
                if not value or (only and el.tag not in only):
                    continue
                value = value.lower()
                if (words and not words.isdisjoint(value.split())) or (search and search(value)):
                    found.append(el)
                    break
        for xpath in self._xpaths:
            found.extend(xpath(tree))
        return found


@lru_cache(maxsize=32)
def _matcher(profiles: tuple[Profile, ...]) -> ChromeMatcher:
    return ChromeMatcher(profiles)


def chrome_matcher(profiles: list[Profile]) -> ChromeMatcher:
    """The merged matcher of a set of profiles (built once per distinct set and reused)."""
    return _matcher(tuple(profiles))
