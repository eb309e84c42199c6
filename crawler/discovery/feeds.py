"""RSS, Atom and JSON feeds: the post links (and dates) they list."""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.discovery.sitemaps import (
    DiscoveryError,
    LinkEntry,
    child_text,
    local_name,
    refuse_entities,
    xml_root,
)
from pipelines.record import clean_url, parse_date


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def parse_feed(body: bytes, base_url: str) -> list[LinkEntry]:
    """Post links and dates from an RSS 2.0, RSS 1.0 (RDF) or Atom feed; relative links resolved.
    A feed that declares XML entities is refused, as a sitemap is (``refuse_entities``)."""
    root, _ = xml_root(body)
    kind = local_name(root.tag)
    if kind not in ("rss", "feed", "rdf"):
        raise DiscoveryError(f"not a feed (root element <{kind}>)")
    refuse_entities(root)
    base = root.get("{http://www.w3.org/XML/1998/namespace}base") or base_url
    entries: list[LinkEntry] = []
    for item in root.iter():
        name = local_name(item.tag)
        if name not in ("item", "entry"):
            continue
        link = None
        if name == "entry":  # Atom: <link rel="alternate" href="..."/>
            for child in item:
                if local_name(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
        else:
            link = child_text(item, "link") or child_text(item, "guid")
        url = clean_url(link or "", urljoin(base_url, base))
        if not url:
            continue
        when = None
        for date_field in ("pubdate", "published", "date", "issued", "updated"):
            when = parse_date(child_text(item, date_field))
            if when:
                break
        # when the entry was last changed, as a sitemap's lastmod: Atom's <updated>, Dublin Core's
        # <dcterms:modified>; never RSS's pubDate, which an edit leaves as it was
        modified = child_text(item, "updated") or child_text(item, "modified")
        entries.append(LinkEntry(url, when, modified.strip() if modified else None))
    return entries


# --- Links in an HTML page ----------------------------------------------------------------

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
