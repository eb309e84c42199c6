"""``extract_article(html, url)``: one fetched page in, one article (or a reason why not) out.

Pure: no Scrapy, no network, no files. The crawl, ``clinic-archive extract`` and offline
re-extraction all call this same function.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from pipelines.extract.budget import ExtractTimeout, run_with_budget
from pipelines.extract.classify import Verdict, classify, page_shape
from pipelines.extract.config import (
    DEFAULT_CONFIG,
    ExtractConfig,
    listing_verdict,
)
from pipelines.extract.htmltree import html_parser
from pipelines.extract.maintext import drop_title_lines, main_text_lines, mark_body, prune_chrome
from pipelines.extract.markdown import to_markdown
from pipelines.extract.metadata import PageMeta, primary_language, read_metadata
from pipelines.extract.profiles import detect_profiles
from pipelines.extract.visible import TITLE_SEPARATORS, relative_day
from pipelines.record import (
    Article,
    Author,
    NotArticle,
    Page,
    PageError,
    Reference,
    article_id,
    clean_line,
    clean_url,
    content_hash,
    iso_date,
    join_paragraphs,
    parse_author,
    site_key,
    split_authors,
    word_count,
)
from pipelines.references import (
    bracket_superscripts,
    check_references,
    find_reference_blocks,
    link_citations,
    looks_like_citation,
    parse_entries,
    remove_elements,
)

log = logging.getLogger(__name__)


def build_article(page: Page, config: ExtractConfig = DEFAULT_CONFIG) -> Article | NotArticle | PageError:
    """The record-making step of the crawl: a fetched ``Page`` to an ``Article``."""
    result = extract_article(
        page.html,
        page.final_url or page.url,
        fetched_at=page.fetched_at,
        status=page.status,
        headers=page.headers,
        listing=page.listing,
        discovered_via=page.discovered_via,
        config=config,
    )
    if isinstance(result, Article):
        result.raw = page.raw
        result.request_url = page.url
        result.rendered = page.rendered
        if page.rendered:  # the validators describe the shell, not the article a script put in it:
            result.etag = result.last_modified = None  # a recrawl must render it again to compare
    elif page.unrendered and (
        (isinstance(result, NotArticle) and result.kind == "not_article")
        or (isinstance(result, PageError) and result.error == "no_main_content")
    ):  # a JavaScript shell: its article was never in this HTML
        score, signals = (result.score, result.signals) if isinstance(result, NotArticle) else (None, ())
        return NotArticle(result.url, page.unrendered, "needs_javascript", score=score, signals=signals)
    return result


def extract_article(
    html: str | bytes,
    url: str,
    *,
    fetched_at: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
    listing: bool = False,
    discovered_via: Iterable[str] = (),
    assume_article: bool = False,
    config: ExtractConfig = DEFAULT_CONFIG,
) -> Article | NotArticle | PageError:
    """Classify the page, find its references, extract clean text and metadata. Never raises.

    ``discovered_via``: how the crawl found the URL ("feed", "post_sitemap", "listing"...), one
    of the classifier's signals (pipelines/extract/classify.py). ``assume_article`` skips the
    article/not-article decision (for a page a user vouches for); ``config.keep_non_articles``
    makes one anyway, as an ``Article`` whose ``page_type`` says what it is.
    A page that uses more than ``config.timeout`` seconds of CPU is an ``extract_timeout`` error.
    """
    try:
        _import_trafilatura()  # once a process, outside the page's budget
        return run_with_budget(
            lambda: _extract(
                html,
                url,
                fetched_at,
                status,
                headers or {},
                listing,
                tuple(discovered_via),
                assume_article,
                config,
            ),
            config.timeout,
        )
    except ExtractTimeout:
        log.warning("extraction of %s used over %g s of CPU: given up", url, config.timeout)
        return PageError(
            url,
            "extract",
            "extract_timeout",
            f"extraction used over {config.timeout:g} s of CPU (CLINIC_EXTRACT_TIMEOUT); the raw "
            "capture is kept for a later reextract",
        )
    except Exception as exc:  # one bad page must never stop a crawl
        log.exception("extraction failed for %s", url)
        return PageError(url, "extract", "extractor_exception", f"{type(exc).__name__}: {exc}")


def _extract(
    html: str | bytes,
    url: str,
    fetched_at: str,
    status: int,
    headers: dict[str, str],
    listing: bool,
    discovered_via: tuple[str, ...],
    assume_article: bool,
    config: ExtractConfig,
) -> Article | NotArticle | PageError:
    if listing and not assume_article and not config.keep_non_articles:
        return listing_verdict(url)
    if not html or not html.strip():
        return PageError(url, "extract", "empty_body", "the response body is empty")
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    tree = _load_html(html)
    if tree is None:
        return PageError(url, "extract", "unparseable_html", "the body could not be parsed as HTML")
    profiles = detect_profiles(html)
    meta = read_metadata(tree, profiles, url, html)
    if not meta.published and fetched_at and (relative := relative_day(tree, fetched_at)):
        meta.published, meta.published_relative = relative  # a last resort, and marked
    shape = page_shape(tree, html)  # before extraction takes the tree apart

    block = find_reference_blocks(tree, url)
    raw_references = parse_entries(block.entries, base_url=url, links=block.links)
    remove_elements(block.elements)
    if raw_references:
        bracket_superscripts(tree)
    prune_chrome(tree, profiles)
    mark_body(tree, profiles)
    lines = config.chrome_filter.clean(main_text_lines(tree, url, config.include_tables, shape.plain_chars))
    lines, references = _split_trailing_references(lines, raw_references, url)
    title = choose_title(meta)
    lines = drop_title_lines(lines, [title, meta.title, meta.h1, meta.html_title])
    lines, signed = byline_lines(lines)
    if signed and (not meta.authors or "authors" in meta.guessed):
        meta.authors = signed
    lines = drop_header_lines(lines, meta)
    text = join_paragraphs(lines)
    words = word_count(text)
    if words == 0:
        if shape.link_density >= 0.5:  # a home or index page of links: a page, not a failure
            why = f"no text of its own: a page of links ({shape.link_density:.0%} of its text is links)"
            return NotArticle(url, why, "listing" if listing else "not_article", signals=("no main text",))
        return PageError(url, "extract", "no_main_content", "no article text found in the page")
    verdict = classify(meta, shape, url, text, discovered_via)
    if listing:
        verdict = Verdict(False, verdict.score, [("a listing page URL", 0.0), *verdict.signals], "listing")
    if assume_article:
        verdict.is_article, verdict.page_type = True, "article"
    if not verdict.is_article and not config.keep_non_articles:
        return NotArticle(url, verdict.summary(), score=verdict.score, signals=verdict.reasons())

    markdown, headings = to_markdown(text.split("\n\n"), tree, url)
    citations, unused = link_citations(text, references)
    check_references(
        references, citations, unused, iso_date(meta.published), iso_date(meta.modified), fetched_at
    )
    canonical = choose_canonical(meta, url)
    return Article(
        id=article_id(canonical),
        url=clean_url(url) or url,
        canonical_url=canonical,
        site=site_key(canonical),
        site_name=meta.site_name,
        title=title,
        authors=choose_authors(meta.authors),
        published=iso_date(meta.published),
        published_relative=meta.published_relative,
        modified=iso_date(meta.modified),
        language=primary_language(meta.language),
        categories=_unique(meta.sections + meta.categories),
        tags=_unique(meta.keywords + meta.tags),
        summary=meta.description,
        text=text,
        word_count=words,
        references=references,
        citations=citations,
        unused_references=unused,
        content_hash=content_hash(title or "", text, *(r.raw for r in references)),
        fetched_at=fetched_at,
        status=status,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        page_type=verdict.page_type,
        classification={"score": verdict.score, "signals": verdict.reasons()},
        markdown=markdown,
        headings=headings,
    )


def _import_trafilatura() -> None:
    from trafilatura import utils  # noqa: F401


# trafilatura.utils.HTML_PARSER's options; element classes picked in C (pipelines/extract/htmltree.py)
HTML_PARSER = html_parser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)


def _load_html(html: str) -> Any:
    """``trafilatura.utils.load_html(html)``: the same tree, parsed the same way, but a page free of
    the control characters that function deletes (nearly all) is checked for them in ~0.05 ms
    instead of its regex pass over the whole page (~0.3 ms, a third of the parse).

    trafilatura is imported on first use: the crawl's main process, which only hands pages to
    the extraction workers, then starts without it (~0.2 s); the workers preload it."""
    from trafilatura import utils

    if has_invalid_xml_chars(html):
        return utils.load_html(html)
    # load_html's steps for a str, minus the deletion of characters that are not there
    beginning = html[:50].lower()
    dubious = utils.is_dubious_html(beginning)
    if "doctype" in beginning:
        first_line, _, rest = html.partition("\n")
        html = utils.DOCTYPE_TAG.sub("", first_line, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = utils.FAULTY_HTML.sub(r"\1>", html, count=1)
            break
    fallback = False
    try:
        tree = utils.fromstring(html, parser=HTML_PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = utils.fromstring_bytes(html)
        fallback = True
    except Exception:  # as in load_html: lxml's own errors leave no tree  # noqa: BLE001
        tree = None
    if (tree is None or len(tree) < 1) and not fallback:
        tree = utils.fromstring_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


# What trafilatura's INVALID_XML_CHARS matches: C0 controls but tab, LF and CR; U+FFFE, U+FFFF.
_CONTROL_BYTES = bytes([*range(9), 11, 12, *range(14, 32)])


def has_invalid_xml_chars(html: str) -> bool:
    """Whether ``html`` holds a character trafilatura deletes before parsing. The controls are
    looked for in the UTF-8 bytes, where each is one byte below 0x20 and ``bytes.translate`` runs
    at memory speed; the two noncharacters with ``str``'s own fast search."""
    data = html.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _CONTROL_BYTES)) != len(data) or "\ufffe" in html or "\uffff" in html


# "By Dr. Priya Natarajan, DMD" opening the body, or "- Dr. Marcus Bell, DDS" signing it off
BYLINE_LINE = re.compile(r"^(?:written\s+|posted\s+|authored\s+)?by\s*:?\s+(.{3,100})$", re.IGNORECASE)
SIGNATURE_LINE = re.compile(r"^(?P<dash>[-–—~]\s*)?(.{3,100})$")
BYLINE_MAX_WORDS = 12


def byline_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    """A byline written into the body (the CMS has no author field, so the author types one):
    one of the first three lines "By NAME[, CREDENTIALS]", or a last line "- NAME[, ...]" (or,
    without the dash, "Dr. NAME" or "NAME, CREDENTIALS"). The line leaves the text; the name is
    returned when it reads as a person's."""
    for index, pattern in [
        *((i, BYLINE_LINE) for i in range(min(3, len(lines)))),
        (len(lines) - 1, SIGNATURE_LINE),
    ]:
        if index < 0:
            continue
        line = lines[index].strip()
        match = pattern.match(line)
        if not match or len(line.split()) > BYLINE_MAX_WORDS:
            continue
        written = match.group(match.re.groups)  # the name part: the last group
        parsed = parse_author(written)
        if not parsed or not _reads_as_a_name(parsed[0]):
            continue
        undashed = pattern is SIGNATURE_LINE and not match.group("dash")
        # an undashed last line must look like a signature: credentials, or "Dr."
        if undashed and not parsed[1] and not written.lower().startswith(("dr ", "dr.")):
            continue
        return lines[:index] + lines[index + 1 :], [written]
    return lines, []


HEADER_LINES = 4  # where a post's header (byline, date, reading time) ends up in the text
HEADER_MAX_WORDS = 14
DATE_WORDS = re.compile(r"^(?:(?:posted|published|updated|last updated)(?:\s+on)?\s*:?\s*)", re.IGNORECASE)


def drop_header_lines(lines: list[str], meta: PageMeta) -> list[str]:
    """A post header the extractor took for text: among the first lines, a line that is the
    author ("Dr. Nadia Castellanos, PT, DPT") or the publication or update date ("April 23,
    2024", "Posted on April 23, 2024"), as the metadata already holds them."""
    names = {parse_author(a)[0].casefold() for a in meta.authors if parse_author(a)}
    days = {iso_date(d) for d in (meta.published, meta.modified) if d} - {None}
    kept = []
    for index, line in enumerate(lines):
        short = len(line.split()) <= HEADER_MAX_WORDS
        if index < HEADER_LINES and short and _is_header(line, names, days):
            continue
        kept.append(line)
    return kept


def _is_header(line: str, names: set[str], days: set[str]) -> bool:
    parsed = parse_author(line) if names else None
    if parsed and parsed[0].casefold() in names:
        return True
    return bool(days) and iso_date(DATE_WORDS.sub("", line).strip(" .|·")) in days


def _reads_as_a_name(name: str) -> bool:
    """Two to four capitalised words: "Marcus Bell", "Mary-Jo van der Berg" (particles allowed)."""
    words = name.split()
    capitalised = [w for w in words if w[:1].isupper()]
    return 2 <= len(words) <= 5 and len(capitalised) >= 2 and not any(ch.isdigit() for ch in name)


def _split_trailing_references(
    lines: list[str], references: list[Reference], url: str
) -> tuple[list[str], list[Reference]]:
    """Drop reference lines the extractor kept; if the HTML had no list, take a trailing run."""
    known = {clean_line(r.raw).lower() for r in references}
    lines = [line for line in lines if clean_line(line).lower() not in known]
    if references:
        return lines, references
    tail: list[str] = []
    while lines and looks_like_citation(lines[-1], strong=True):
        tail.insert(0, lines.pop())
    return lines, parse_entries([(None, line) for line in tail], base_url=url)


def choose_title(meta: PageMeta) -> str | None:
    title = meta.title
    if meta.h1 and (not title or (title != meta.h1 and title.startswith(meta.h1))):
        title = meta.h1
    title = title or meta.h1 or meta.html_title
    if title and meta.site_name:
        for sep in TITLE_SEPARATORS:
            suffix = f"{sep}{meta.site_name}"
            if title.endswith(suffix) and len(title) > len(suffix):
                title = title[: -len(suffix)]
    return clean_line(title) if title else None


def choose_authors(raw_authors: list[str]) -> list[Author]:
    authors: list[Author] = []
    seen: set[str] = set()
    for raw in raw_authors:
        for person in split_authors(raw):
            parsed = parse_author(person)
            if parsed and parsed[0].lower() not in seen:
                seen.add(parsed[0].lower())
                authors.append(Author(name=parsed[0], credentials=parsed[1]))
    return authors


def choose_canonical(meta: PageMeta, url: str) -> str:
    """rel=canonical (or og:url) when it stays on the same site; the fetched URL otherwise."""
    fetched = clean_url(url) or url
    for candidate in (meta.canonical, meta.og_url):
        cleaned = clean_url(candidate or "", fetched)
        if cleaned and site_key(cleaned) == site_key(fetched):
            return cleaned
    return fetched


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        value = clean_line(value)
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out
