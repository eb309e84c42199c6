"""robots.txt ``Sitemap:`` lines and sitemaps (XML, gzipped, indexes): parsed with entities off
and a size limit on decompression, so hostile XML stays inert."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from pipelines.record import clean_url, parse_date

# --- robots.txt ---------------------------------------------------------------------------

ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def robots_sitemaps(robots_txt: str, robots_url: str) -> list[str]:
    """Absolute URLs of the ``Sitemap:`` lines of a robots.txt, in order, without repeats."""
    found: list[str] = []
    for match in ROBOTS_SITEMAP.finditer(robots_txt):
        url = clean_url(match.group(1), robots_url)
        if url and url not in found:
            found.append(url)
    return found


# --- Sitemaps and feeds -------------------------------------------------------------------


class DiscoveryError(ValueError):
    """A sitemap or feed that cannot be read (malformed, too big, not XML)."""


class DecompressionBombError(DiscoveryError):
    """A gzip body that would inflate past the size limit."""


@dataclass(frozen=True, slots=True)
class LinkEntry:
    """A URL found in a sitemap or feed, with the date the source gives for it as a calendar date
    (a sitemap's ``lastmod``, a feed's publication date) and when it last changed as written (a
    sitemap's ``lastmod``, an Atom entry's ``updated``)."""

    url: str
    date: date | None = None
    stamp: str | None = None


@dataclass(slots=True)
class Sitemap:
    is_index: bool
    entries: list[LinkEntry] = field(default_factory=list)
    problem: str | None = None  # broken XML the parser read around: the entries are what was complete


# Entities are never resolved and no network is touched: a "billion laughs" sitemap stays inert.
_XML_PARSER_ARGS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


GZIP_MAGIC = b"\x1f\x8b"


def maybe_gunzip(body: bytes, max_size: int) -> bytes:
    """Decompress a gzip body (``sitemap.xml.gz``) without ever inflating past ``max_size``."""
    if not body.startswith(GZIP_MAGIC):
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as f:
            while chunk := f.read(65536):
                out.write(chunk)
                if out.tell() > max_size:
                    raise DecompressionBombError(
                        f"the gzip body ({len(body):,} bytes) inflates past {max_size:,} bytes; not read"
                    )
    except (OSError, EOFError, zlib.error) as exc:
        raise DiscoveryError(f"broken gzip body: {exc}") from exc
    return out.getvalue()


def xml_root(body: bytes) -> tuple[etree._Element, str | None]:
    """The root element, and what was wrong with the XML if the parser had to recover."""
    if not body.strip():
        raise DiscoveryError("empty body")
    parser = etree.XMLParser(**_XML_PARSER_ARGS)
    try:
        root = etree.fromstring(body.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"malformed XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not XML")
    errors = parser.error_log
    problem = f"malformed XML at line {errors[0].line}: {errors[0].message}" if len(errors) else None
    return root, problem


def declared_entities(root: etree._Element) -> list[str]:
    """Entities a document's internal DTD declares (never expanded here, but a sign of an attack)."""
    dtd = root.getroottree().docinfo.internalDTD
    return [entity.name for entity in dtd.iterentities()] if dtd is not None else []


def refuse_entities(root: etree._Element) -> None:
    """A sitemap or feed that declares XML entities is refused: no real one does, and a "billion
    laughs" file does. Entities are never expanded either way, but a URL would be cut where one
    stands, and a cut URL is a wrong one."""
    entities = declared_entities(root)
    if entities:
        raise DiscoveryError(
            f"declares XML entities ({', '.join(entities[:3])}{', ...' if len(entities) > 3 else ''}), "
            "as an entity-expansion attack does; not read"
        )


def local_name(tag: object) -> str:
    """Lower-case local name of an element tag; "" for comments, entities and broken names."""
    if not isinstance(tag, str):
        return ""
    try:
        return etree.QName(tag).localname.lower()
    except ValueError:  # a recovered parse can produce names like ":" that QName rejects
        return ""


def child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if local_name(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def parse_sitemap(
    body: bytes, base_url: str, max_urls: int = 50_000, max_bytes: int = 50 * 1024 * 1024
) -> Sitemap:
    """Read a sitemap (``urlset``) or sitemap index (``sitemapindex``), gzip or not; one that
    declares XML entities is refused (``refuse_entities``)."""
    body = maybe_gunzip(body, max_size=max_bytes)
    root, recovered = xml_root(body)
    kind = local_name(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap (root element <{kind}>)")
    refuse_entities(root)
    sitemap = Sitemap(is_index=kind == "sitemapindex", problem=recovered)
    for el in root:
        if local_name(el.tag) not in ("url", "sitemap"):
            continue
        loc = child_text(el, "loc") or ""
        if recovered and f"{loc}</".encode() not in body:
            continue  # cut off mid-URL in a truncated file: a guess, not a URL
        url = clean_url(loc, base_url)
        if url:
            lastmod = child_text(el, "lastmod")
            sitemap.entries.append(LinkEntry(url, parse_date(lastmod), lastmod))
        if len(sitemap.entries) >= max_urls:
            break
    return sitemap


def looks_like_sitemap(body: bytes) -> bool:
    head = body[:2048].lower()
    return body.startswith(GZIP_MAGIC) or b"<urlset" in head or b"<sitemapindex" in head
