"""URL cleaning, site identity and what a URL's shape says (a listing, a post section, a service
page, a dated post), shared by discovery (before fetching, to fetch likely posts first), the
classifier and normalisation."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi"
    r"|hsa_\w+|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|ref_src|__s|s_kwcid|trk|trkcampaign"
    r"|phpsessid|jsessionid|sessionid|session_id|sid|cfid|cftoken|replytocom|share|amp)$",
    re.IGNORECASE,
)
SESSION_IN_PATH = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}

# Tag, category, author, date-archive and pagination URLs: pages that list posts. The crawl
# fetches them for links only; the classifier counts the shape against a page.
LISTING_PATH = re.compile(
    # "/tag/x/", "/category/x/"... and Webflow's "/blog-categories/x"
    r"/([a-z]+-)?(tag|tags|category|categories|topics?|author|authors|archive|archives)/"
    r"|/(page|p|previous)/\d+/?$"  # "previous": Weebly's older posts
    r"|/\d{4}/?$|/\d{4}/\d{2}/?$|/\d{4}/\d{2}/\d{2}/?$",
    re.IGNORECASE,
)
# Path segments of sections that hold posts: /blog/slug, /news/slug, /post/slug (Wix), /f/slug
# (GoDaddy). "/blog" alone is the index of that section.
BLOG_SECTION = re.compile(
    r"^(blogs?|posts?|news|articles?|insights|stories|journal|updates|resources|health-(tips|news|blog)"
    r"|tips|learn|library|magazine|press|media|education|advice|knowledge(-base)?|research|latest|f)$",
    re.IGNORECASE,
)
LISTING_QUERY = re.compile(r"(^|&)(page|paged|offset|pg|start|cat|tag|author|m)=", re.IGNORECASE)


# Every page of a site repeats its menu, sidebar, tag cloud and footer links: ~70 URLs a page, most
# of them seen on the previous page. Cleaning one costs ~20 us (split, query parsing, join), so the
# crawl keeps the last few thousand results (absolute URLs clean the same whatever the base).
CLEAN_CACHE_SIZE = 8192
ABSOLUTE = ("http://", "https://")
# After "http://", these (or nothing) leave the host empty: urljoin then takes the base's host.
NO_HOST = ("", "/", "?", "#", "\t", "\r", "\n")


def clean_url(url: str, base: str | None = None) -> str | None:
    """Absolute http(s) URL without fragment, tracking/session parameters or default port.

    Returns None for anything that is not a fetchable web URL (mailto:, tel:, javascript:...).
    """
    url = (url or "").strip()
    if url.startswith(ABSOLUTE):
        host = url.index("//") + 2
        if url[host : host + 1] not in NO_HOST:
            return _clean_absolute(url)
    if not url or url.startswith(("#", "mailto:", "tel:", "javascript:", "data:", "sms:", "whatsapp:")):
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return _clean_absolute(url)


@lru_cache(maxsize=CLEAN_CACHE_SIZE)
def _clean_absolute(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = SESSION_IN_PATH.sub("", parts.path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def site_key(url: str) -> str:
    """The site a URL belongs to: host without "www.", plus a non-default port; "" for a URL
    Python cannot split (``http://host:80[]``), which is then on no site."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


# Path segments of pages that are not posts: contact, booking, services, team, legal...
SERVICE_SEGMENT = re.compile(
    r"^(contact|get-in-touch|locations?|find-us|directions|book|booking|appointments?|schedule"
    r"|request-(an-)?appointment|services?|service-pages?|our-services|treatments?|pricing|prices|fees|rates"
    r"|insurance|new-patients?|patient-(forms|info|information|resources)|forms|about|our-(team|story"
    r"|clinic|practice|doctors)|team|staff|meet-the-team|practitioners|doctors|providers|therapists"
    r"|profiles?|members?|faqs?|privacy|terms|cookie-policy|disclaimer|accessibility|careers|jobs|shop"
    r"|store|products?|gallery|testimonials|reviews|thank-you|sitemap|login|account|cart|checkout)"
    r"(-[a-z]+)*(\.(html?|php|aspx?))?$",  # "contact-us", "book-online", "privacy-policy.html"
    re.IGNORECASE,
)
HOME_SEGMENT = re.compile(r"^(home|index\.(html?|php)|default\.aspx?)$", re.IGNORECASE)
DATE_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/[0-3]?\d)?/[^/]+")
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+){2,}(?:\.html?)?$", re.IGNORECASE)


def url_signals(url: str, kinds: set[str] | None = None) -> list[tuple[str, float]]:
    """What a URL's shape says about the page, as (label, weight) evidence for the article
    classifier (pipelines/extract/classify.py); ``kinds`` collects what else it may be (home,
    listing, blog_index, service)."""
    kinds = set() if kinds is None else kinds
    parts = urlsplit(url)
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not segments or (len(segments) == 1 and HOME_SEGMENT.match(segments[0])):
        kinds.add("home")
        return [("the site's home page", -6.0)]
    if LISTING_PATH.search(path):
        kinds.add("listing")
        return [("a listing URL (tag, category, author, archive, page N)", -4.0)]
    if len(segments) == 1 and BLOG_SECTION.match(segments[0]):
        kinds.add("blog_index")
        return [(f"the /{segments[0]} index page", -2.0)]
    signals: list[tuple[str, float]] = []
    if LISTING_QUERY.search(parts.query):  # ?page=1 also rides along on article links
        signals.append(("a listing query (?page=, ?tag=...)", -1.5))
        kinds.add("listing")
    if DATE_PATH.search(path):
        signals.append(("a dated URL (/yyyy/mm/slug)", 2.0))
    elif len(segments) >= 2 and any(BLOG_SECTION.match(s) for s in segments[:-1]):
        signals.append((f"a URL under /{next(s for s in segments[:-1] if BLOG_SECTION.match(s))}/", 1.5))
    elif SLUG.match(segments[-1]) and not SERVICE_SEGMENT.match(segments[0]):
        signals.append(("a slug URL", 0.5))
    service = next((s for s in segments if SERVICE_SEGMENT.match(s)), None)
    if service and not any(BLOG_SECTION.match(s) for s in segments):
        signals.append((f"a /{service} page", -3.0))
        kinds.add("service")
    return signals


@lru_cache(maxsize=CLEAN_CACHE_SIZE)  # the crawl ranks each new link by it, then counts it
def url_score(url: str) -> float:
    """The sum of ``url_signals``: above 0 a post-like URL (/blog/slug, /2024/05/slug, a long
    slug), below 0 a home, listing or service page. The crawl fetches the likelier posts first."""
    return round(sum(weight for _, weight in url_signals(url)), 2)
