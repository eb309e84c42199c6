"""The fault matrix: one clinic site with every kind of misbehaviour mixed in, crawled once.

Each row of FAULTS is one fault and what the crawl must make of it: exactly one line in
errors.jsonl (its URL, stage, error kind and a readable message), or, where recovery is
possible, exactly one correct record. The site's good posts must all be archived and nothing
else may fail: the crawl goes on around every fault. The server (tests/faultserver.py) is real
and misbehaves on the wire; the crawl is the real CLI in a subprocess.
"""

from __future__ import annotations

import gzip
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from conftest import crawl
from faultserver import HTML, FaultServer, Reply, Route, article_html, filler, redirect

from pipelines.record.validate import record_problems

MB = 1024 * 1024
MAXSIZE = 6 * MB
LISTING_LIMIT = 30
FARM_SIZE = 10_000
SETTINGS = [
    "-s", "RETRY_TIMES=2",
    "-s", "DOWNLOAD_TIMEOUT=2",  # short, yet far above a local answer even on a busy machine
    "-s", "CLINIC_RETRY_AFTER_MAX=1",  # a Retry-After of 120 s is cut to 1 s here
    "-s", "CLINIC_RETRY_BACKOFF=0.1",
    "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
    "-s", f"CLINIC_MAX_LISTING_PAGES={LISTING_LIMIT}",
]  # fmt: skip

SMART = "It’s a café — “quoted” naïve advice, 10 € a session"  # ’ — “ ” é ï € are cp1252 bytes
JAPANESE = "理学療法は肩の痛みを和らげ、日常生活への復帰を助けます。"


@dataclass(frozen=True)
class Fault:
    name: str
    path: str  # as the sitemap lists it
    route: Route | None  # None: the site builds it (it needs the server's address)
    error: str | None = None  # the error kind expected; None: a record is expected
    stage: str = "fetch"
    message: str = ""  # part of the expected message
    text: str = ""  # a record is expected and this is in its text
    record: str | None = None  # where the record is archived, if not at ``path``
    listed: bool = True  # listed in the post sitemap (else found another way)


def post(title: str, sentence: str, **kwargs: object) -> str:
    return article_html(title, [sentence, *filler(title.lower())], **kwargs)  # type: ignore[arg-type]


def page(title: str, sentence: str, content_type: str = HTML, encoding: str = "utf-8", **kw: object) -> Reply:
    return Reply(body=post(title, sentence, **kw).encode(encoding), content_type=content_type)  # type: ignore[arg-type]


def first_then(first: Reply, then: Reply) -> Route:
    return lambda target, attempt: first if attempt == 1 else then


def hops(target: str, attempt: int) -> Reply:
    """/blog/hop-N/ redirects to /blog/hop-(N+1)/, forever."""
    n = int(re.search(r"(\d+)", target).group(1))
    return redirect(f"/blog/hop-{n + 1}/")


def deep_divs(inner: str) -> str:
    depth = 5 * MB // len("<div></div>")
    return "<div>" * depth + inner + "</div>" * depth


def nested_page(inside: bool) -> Reply:
    """5 MB of nested divs, with the post's text deep inside them, or after the post."""
    sentence = "Deeply nested markup should never crash the extractor."
    if inside:
        paragraphs = "".join(f"<p>{p}</p>" for p in [sentence, *filler("nesting")])
        html = article_html("Nested divs", []).replace("</article>", deep_divs(paragraphs) + "</article>")
    else:
        html = post("Nested divs", sentence).replace("</main>", "</main>" + deep_divs("x"))
    return Reply(body=html.encode())


ONLY_SCRIPTS = (
    '<!DOCTYPE html><html><head><title>App</title><script type="application/ld+json">'
    '{"@type": "BlogPosting", "headline": "App", "datePublished": "2024-01-01"}</script></head>'
    # scripts that build nothing: no article, plain or rendered in a browser
    "<body><script>window.app = {ready: false};</script><script>var x = 1;</script>"
    "<noscript></noscript></body></html>"
)
UNCLOSED = (
    '<!DOCTYPE html><html lang="en"><head><title>Unclosed tags</title><meta property="og:type" content="article">'
    '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Unclosed tags", '
    '"datePublished": "2024-02-02"}</script><body><article><h1>Unclosed tags<div><p>Broken markup still '
    "holds a real post about knee pain.<p>Strengthening the quadriceps <b>helps <i>most people <p>with "
    "patellofemoral pain, the research says.<div><span>Keep going<table><tr><td>week 1<td>week 2"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
GZIP_BOMB = gzip.compress(b"\0" * 32 * MB, 9)  # 32 KB that inflate to 32 MB

FAULTS = [
    # --- HTTP status codes
    Fault("http 404", "/blog/gone-404/", Reply(status=404, body=b"<h1>404</h1>"), "http_404", message="HTTP 404 Not Found"),
    Fault("http 410", "/blog/gone-410/", Reply(status=410, body=b"<h1>Gone</h1>"), "http_410", message="HTTP 410 Gone"),
    Fault("http 500 retried", "/blog/broken-500/", Reply(status=500), "http_500",
          message="HTTP 500 Internal Server Error after 3 attempts"),
    Fault("http 503 with Retry-After retried then logged", "/blog/down-503/",
          Reply(status=503, headers={"Retry-After": "120"}), "http_503",
          message="HTTP 503 Service Unavailable after 3 attempts (Retry-After: 120)"),
    Fault("http 503 once, then fine", "/blog/flaky-503/",
          first_then(Reply(status=503, headers={"Retry-After": "1"}), page("Flaky server", "Ice or heat? It depends on the injury.")),
          text="Ice or heat? It depends on the injury."),
    Fault("http 429 backs off, then fine", "/blog/busy-429/",
          first_then(Reply(status=429, headers={"Retry-After": "1"}), page("Busy server", "Posture matters less than movement.")),
          text="Posture matters less than movement."),
    # --- the network
    Fault("never answers", "/blog/never-answers/", Reply(hang=True), "timeout",
          message="no complete response within 2 s (DOWNLOAD_TIMEOUT) after 3 attempts"),
    Fault("stalls mid-body (timeout)", "/blog/stalls/", Reply(body=b"<html>" + b"x" * 5000, stall_after=1000), "timeout",
          message="no complete response within 2 s"),
    Fault("closes the connection mid-body", "/blog/cut-off/", Reply(body=b"<html>" + b"x" * 20000, close_after=4000),
          "connection_lost", message="the server closed the connection before the response was complete after 3 attempts"),
    Fault("hangs up without answering", "/blog/hangs-up/", Reply(drop=True), "connection_lost",
          message="the server closed the connection without answering after 3 attempts"),
    # --- redirects
    Fault("redirect chain", "/blog/chain-1/", redirect("/blog/chain-2/"), record="/blog/chained-post/",
          text="Three redirects later, the post is still here."),
    Fault("redirect chain, hop 2", "/blog/chain-2/", redirect("/blog/chain-3/", 302), listed=False, record="-"),
    Fault("redirect chain, hop 3", "/blog/chain-3/", redirect("/blog/chained-post/", 307), listed=False, record="-"),
    Fault("redirect chain, target", "/blog/chained-post/",
          page("Chained post", "Three redirects later, the post is still here."), listed=False, record="-"),
    Fault("a page that reloads itself (meta refresh)", "/blog/reloads/",
          page("Reloading", "This page refreshes itself every 30 seconds.", head='<meta http-equiv="refresh" content="30">'),
          text="This page refreshes itself every 30 seconds."),
    Fault("redirect loop", "/blog/loop-a/", redirect("/blog/loop-b/"), "redirect_loop",
          message="redirect loop: "),
    Fault("redirect loop, other half", "/blog/loop-b/", redirect("/blog/loop-a/", 302), listed=False, record="-"),
    Fault("redirect to itself", "/blog/self/", redirect("/blog/self/?utm_source=loop"), "redirect_loop",
          message="redirect loop: "),
    Fault("endless redirect chain", "/blog/hop-0/", hops, "too_many_redirects", message="more than 10 redirects"),
    Fault("redirect to another site", "/blog/moved-away/", None, "offsite_redirect",
          message="redirected off the site to http://localhost:"),
    # --- not HTML
    Fault("pdf", "/downloads/brochure", Reply(body=PDF, content_type="application/pdf"), "not_html",
          message="application/pdf response"),
    Fault("image", "/team-photo", Reply(body=PNG, content_type="image/png"), "not_html", message="image/png response"),
    Fault("json", "/blog/data", Reply(body=b'{"posts": []}', content_type="application/json"), "not_html",
          message="application/json response"),
    Fault("html served as text/plain", "/blog/plain-text/",
          page("Served as text", "Browsers would show this page as source code.", "text/plain; charset=utf-8"),
          text="Browsers would show this page as source code."),
    Fault("empty body", "/blog/empty/", Reply(body=b""), "empty_body", message="HTTP 200 with an empty body"),
    Fault("larger than DOWNLOAD_MAXSIZE", "/blog/huge/", Reply(body=b"<html>" + b"x" * (MAXSIZE + MB)), "too_large",
          message=f"larger than DOWNLOAD_MAXSIZE ({MAXSIZE:,} bytes)"),
    Fault("larger than DOWNLOAD_MAXSIZE, no Content-Length", "/blog/huge-streamed/",
          Reply(body=b"<html>" + b"x" * (MAXSIZE + MB), content_length=False), "too_large",
          message="larger than DOWNLOAD_MAXSIZE"),
    Fault("gzip bomb", "/blog/gzip-bomb/", Reply(body=GZIP_BOMB, headers={"Content-Encoding": "gzip"}),
          "decompression_bomb", message="inflates past DOWNLOAD_MAXSIZE"),
    # --- encodings: every one must come out readable
    Fault("cp1252 declared as UTF-8", "/blog/cp1252-as-utf8/", page("Windows text", SMART, encoding="cp1252"),
          text=SMART),
    Fault("no charset at all (cp1252)", "/blog/no-charset/",
          page("Undeclared text", SMART, "text/html", encoding="cp1252"), text=SMART),
    Fault("UTF-8 with a BOM, header says Latin-1", "/blog/bom/",
          Reply(body=b"\xef\xbb\xbf" + post("BOM text", SMART).encode(), content_type="text/html; charset=iso-8859-1"),
          text=SMART),
    Fault("UTF-8 declared as Latin-1", "/blog/utf8-as-latin1/",
          page("Latin-1 header", SMART, "text/html; charset=iso-8859-1"), text=SMART),
    Fault("Shift-JIS with a correct meta charset", "/blog/shift-jis/",
          page("肩の痛み", JAPANESE, "text/html", encoding="shift_jis", head='<meta charset="Shift_JIS">', lang="ja"),
          text=JAPANESE),
    Fault("Shift-JIS with a correct meta charset, header says UTF-8", "/blog/shift-jis-header/",
          page("肩こり", JAPANESE, encoding="shift_jis", head='<meta charset="Shift_JIS">', lang="ja"), text=JAPANESE),
    # --- broken HTML
    Fault("unclosed tags", "/blog/unclosed/", Reply(body=UNCLOSED.encode()),
          text="Broken markup still holds a real post about knee pain."),
    Fault("only scripts", "/blog/only-scripts/", Reply(body=ONLY_SCRIPTS.encode()), "no_main_content", "extract",
          message="no article text"),
    Fault("5 MB of nested divs around the text", "/blog/nested-divs/", nested_page(inside=True), "no_main_content",
          "extract", message="no article text"),
    Fault("5 MB of nested divs after the text", "/blog/nested-after/", nested_page(inside=False),
          text="Deeply nested markup should never crash the extractor."),
    # --- sitemaps and feeds (served by the site builder below)
    Fault("sitemap index that lists itself", "/sitemap_index.xml", None, "sitemap_loop", "discover",
          message="lists itself", listed=False),
    Fault("sitemap index that lists its parent", "/sub-index.xml", None, "sitemap_loop", "discover",
          message="an index above it", listed=False),
    Fault("billion laughs sitemap", "/laughs-sitemap.xml", None, "bad_sitemap", "discover",
          message="declares XML entities", listed=False),
    Fault("malformed (truncated) sitemap", "/truncated-sitemap.xml", None, "bad_sitemap", "discover",
          message="used the 1 complete entry before it", listed=False),
    Fault("post listed only before the break", "/blog/before-the-break/",
          page("Before the break", "A broken sitemap still gives its complete entries."), listed=False,
          text="A broken sitemap still gives its complete entries."),
    Fault("HTML page where a sitemap should be", "/news-sitemap.xml", None, "bad_sitemap", "discover",
          message="not a sitemap (root element <html>)", listed=False),
    Fault("gzip bomb sitemap", "/bomb-sitemap.xml.gz", None, "decompression_bomb", "discover",
          message="inflates past", listed=False),
    Fault("feed with relative links and no dates", "/blog/from-the-feed/",
          page("From the feed", "Only the feed links to this post."), listed=False,
          text="Only the feed links to this post."),
    Fault("malformed feed", "/broken-feed/", None, "bad_feed", "discover", message="not XML", listed=False),
    # --- robots.txt
    Fault("robots.txt disallow", "/private/members-post/", page("Members", "Never fetched."), "robots_disallowed",
          message="disallowed by the site's robots.txt", listed=False),
]  # fmt: skip
GOOD = {
    "/blog/good-1/": "Heat packs relax tight neck muscles before stretching.",
    "/blog/good-2/": "Walking is the most underrated treatment for back pain.",
    "/blog/good-3/": "Strong hips protect the knees of runners.",
}
# The site's sitemap index lists itself, its posts, an index that points back up, and four broken ones.
SITEMAPS = [
    "/sitemap_index.xml",
    "/post-sitemap.xml",
    "/sub-index.xml",
    "/laughs-sitemap.xml",
    "/truncated-sitemap.xml",
    "/news-sitemap.xml",
    "/bomb-sitemap.xml.gz",
]
CALENDAR_TRAPS = ["/calendar/2024/05/", "/events/month/2024-05/", "/blog/?month=2024-05"]
SESSION_LINKS = [
    "/blog/good-1/?utm_source=newsletter&utm_medium=email&fbclid=IwAR0x",
    "/blog/good-1/;jsessionid=0F3A9C2B7E",
    "/blog/good-2/?PHPSESSID=9b1c7e&ref_src=twsrc",
]


def xml_list(tag: str, urls: list[str]) -> bytes:
    inner = "urlset" if tag == "url" else "sitemapindex"
    items = "".join(f"<{tag}><loc>{u}</loc></{tag}>" for u in urls)
    return f'<?xml version="1.0"?><{inner} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</{inner}>'.encode()


def home(base: str) -> Route:
    """The blog's front page: tracking and fresh session ids on its links, calendar widgets, a
    10,000-tag cloud, a members-only link and its feeds. Not an article itself."""

    def render(target: str, attempt: int) -> Reply:
        links = [
            *SESSION_LINKS,
            f"/blog/good-2/?sid={secrets.token_hex(8)}",
            *CALENDAR_TRAPS,
            "/blog/2024/05/",
        ]
        links += ["/private/members-post/", *(f"/tag/topic-{n}/" for n in range(FARM_SIZE))]
        anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
        return Reply(
            body=(
                '<!DOCTYPE html><html lang="en"><head><title>Harbour Physio</title>'
                '<meta property="og:type" content="website">'
                '<link rel="alternate" type="application/rss+xml" href="/feed/">'
                '<link rel="alternate" type="application/atom+xml" href="/broken-feed/">'
                f"</head><body><h1>Harbour Physio</h1><p>Welcome.</p>{anchors}</body></html>"
            ).encode()
        )

    return render


def month_after(target: str) -> str:
    year, month = map(int, re.search(r"(\d{4})[/-](\d{2})", target).groups())
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year}/{month:02d}" if "/blog/2" in target or "/calendar/" in target else f"{year}-{month:02d}"


def endless_calendar(target: str, attempt: int) -> Reply:
    """A calendar whose "next month" never ends (the page the crawler must never get into)."""
    if not re.search(r"\d{4}[/-]\d{2}", target):
        return Reply(status=404, body=b"<h1>No such month</h1>")
    nxt = re.sub(r"\d{4}[/-]\d{2}", month_after(target), target)
    return Reply(body=f'<html><body><a href="{nxt}">Next month</a></body></html>'.encode())


def tag_farm(target: str, attempt: int) -> Reply:
    n = int(re.search(r"(\d+)", target).group(1))
    links = "".join(f'<a href="/tag/topic-{(n * 7 + k) % FARM_SIZE}/">tag</a>' for k in range(1, 11))
    return Reply(body=f'<html><body><a href="/blog/good-3/">post</a>{links}</body></html>'.encode())


def fault_site(base: str) -> dict[str, Route]:
    """Every route of the fault site: the FAULTS, the good posts, discovery files and traps."""
    routes: dict[str, Route] = {f.path: f.route for f in FAULTS if f.route is not None}
    routes |= {path: page(f"Good {path[-2]}", sentence) for path, sentence in GOOD.items()}
    listed = [base + f.path for f in FAULTS if f.listed] + [base + p for p in GOOD]
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{base}/blog/&lol3;/</loc></url></urlset>'
    )
    truncated = xml_list("url", [f"{base}/blog/before-the-break/", f"{base}/blog/after-the-break/"])[:-60]
    xml = "application/xml"
    routes |= {
        "/": home(base),
        "/robots.txt": Reply(
            body=f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap_index.xml\n".encode(),
            content_type="text/plain",
        ),
        "/sitemap_index.xml": Reply(body=xml_list("sitemap", [base + p for p in SITEMAPS]), content_type=xml),
        "/sub-index.xml": Reply(body=xml_list("sitemap", [f"{base}/sitemap_index.xml"]), content_type=xml),
        "/post-sitemap.xml": Reply(body=xml_list("url", listed), content_type=xml),
        "/laughs-sitemap.xml": Reply(body=laughs.encode(), content_type=xml),
        "/truncated-sitemap.xml": Reply(body=truncated, content_type=xml),
        "/news-sitemap.xml": Reply(body=b"<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>"),
        "/bomb-sitemap.xml.gz": Reply(body=GZIP_BOMB, content_type="application/gzip"),
        "/feed/": Reply(
            body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
            b"<item><title>From the feed</title><link>/blog/from-the-feed/</link></item></channel></rss>",
            content_type="application/rss+xml",
        ),
        "/broken-feed/": Reply(body=b"<<<< this is not XML >>>>", content_type="application/atom+xml"),
        "/blog/moved-away/": redirect(f"http://localhost:{urlsplit(base).port}/offsite-target/"),
        "/blog/hop-*": hops,
        "/offsite-target/": page("Elsewhere", "This lives on another site."),
        "/calendar/*": endless_calendar,
        "/events/*": endless_calendar,
        "/blog/2*": endless_calendar,
        "/blog/": endless_calendar,
        "/tag/*": tag_farm,
    }
    return routes


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(server, crawl result): the fault site crawled once by the real CLI."""
    server = FaultServer(fault_site).start()
    out = tmp_path_factory.mktemp("faults")
    try:
        result = crawl([f"{server.url}/"], out, *SETTINGS, prelude=peak_rss_prelude(out / "rss.json"))
        yield server, result
    finally:
        server.stop()


def peak_rss_prelude(report) -> str:
    """Python for ``crawl(prelude=)``: at exit, the peak RSS of the crawl process and of its
    largest child (an extraction worker), in bytes, written to ``report``."""
    return (
        "import atexit, json, resource\n"
        "def _peak():\n"
        "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        f"    open({str(report)!r}, 'w').write(json.dumps([own, child]))\n"
        "atexit.register(_peak)"
    )


def test_the_crawl_stays_under_1_gb_over_the_whole_fault_matrix(site):
    """Gzip bombs, 20 MB bodies, 10,000-tag farms, endless calendars: memory does not follow the input."""
    import json

    _, result = site
    own, child = json.loads((result.output / "rss.json").read_text())
    assert own < 1024**3 and child < 1024**3, (own, child)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def errors_at(result, path: str) -> list[dict]:
    return [e for e in result.errors if path_of(e["url"]) == path]


def records_at(result, path: str) -> list[dict]:
    return [r for r in result.articles if path_of(r["url"]) == path]


EXPECTED_ERRORS = [f for f in FAULTS if f.error]
# Besides one line per fault: the tag farm reaches the site's listing budget, reported once
# (which tag page is refused first depends on the order of discovery; test_traps_are_bounded).
BUDGET_LINES = ("listing_limit",)
EXPECTED_RECORDS = [f for f in FAULTS if not f.error and f.record != "-"]


def test_the_crawl_finishes_despite_every_fault(site):
    _, result = site
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.crawls[-1]["finish_reason"] == "finished"


@pytest.mark.parametrize("fault", EXPECTED_ERRORS, ids=lambda f: f.name)
def test_each_bad_input_is_exactly_one_clear_error_line(site, fault):
    _, result = site
    (line,) = errors_at(result, fault.path)
    assert (line["stage"], line["error"]) == (fault.stage, fault.error), line
    assert fault.message in line["message"], line
    assert line["at"] and line["crawl"] == result.crawls[-1]["crawl_id"]


@pytest.mark.parametrize("fault", EXPECTED_RECORDS, ids=lambda f: f.name)
def test_each_recoverable_fault_is_exactly_one_correct_record(site, fault):
    _, result = site
    (record,) = records_at(result, fault.record or fault.path)
    assert fault.text in record["text"], record["text"][:500]
    assert record_problems(record) == []
    assert not errors_at(result, fault.path)


def test_every_good_page_is_archived_and_nothing_else_fails(site):
    _, result = site
    for path, sentence in GOOD.items():
        (record,) = records_at(result, path)
        assert sentence in record["text"]
    errors = [e for e in result.errors if e["error"] not in BUDGET_LINES]
    assert sorted(path_of(e["url"]) for e in errors) == sorted(f.path for f in EXPECTED_ERRORS)
    archived = sorted(path_of(r["url"]) for r in result.articles)
    assert archived == sorted([*GOOD, *(f.record or f.path for f in EXPECTED_RECORDS)])


def test_text_is_readable_whatever_the_encoding(site):
    _, result = site
    for record in result.articles:
        for mojibake in ("â€", "Ã©", "Ã¯", "\ufffd", "ï¿½"):
            assert mojibake not in record["text"] + (record["title"] or ""), (record["url"], mojibake)
    (japanese,) = records_at(result, "/blog/shift-jis/")
    assert japanese["title"] == "肩の痛み"


def test_retries_wait_for_retry_after_and_stop_after_the_budget(site):
    server, _ = site
    assert len(server.hits("/blog/down-503/")) == 3  # RETRY_TIMES=2: three attempts, then one error line
    assert len(server.hits("/blog/broken-500/")) == 3
    first, second = server.hits("/blog/busy-429/")
    assert second - first >= 0.9  # Retry-After: 1 was honoured before the page was asked for again
    assert len(server.hits("/blog/flaky-503/")) == 2


def test_redirects_are_not_followed_into_loops_or_off_the_site(site):
    server, _ = site
    assert server.hits("/offsite-target/") == []
    assert len(server.hits("/blog/loop-a/")) == 1 and len(server.hits("/blog/loop-b/")) == 1
    assert len(server.hits("/blog/self/")) == 1
    assert len([t for t in server.targets() if t.startswith("/blog/hop-")]) == 11  # REDIRECT_MAX_TIMES + 1


def test_sitemap_loops_and_entities_go_nowhere(site):
    server, _ = site
    assert len(server.hits("/sitemap_index.xml")) == 1 and len(server.hits("/sub-index.xml")) == 1
    assert not [t for t in server.targets() if "lol" in t]
    assert "/blog/" not in server.targets()  # the text of a <loc> cut at an entity is not a URL
    assert server.hits("/blog/after-the-break/") == []  # cut off mid-URL: a guess, not a URL


def test_traps_are_bounded(site):
    server, result = site
    targets = server.targets()
    for trap in CALENDAR_TRAPS:
        assert trap not in targets
    assert not [t for t in targets if t.startswith(("/calendar/", "/events/"))]
    listings = [t for t in targets if t.startswith(("/tag/", "/blog/20"))]
    assert 0 < len(listings) <= LISTING_LIMIT
    assert result.crawls[-1]["skipped"]["listing_limit"] > FARM_SIZE - 2 * LISTING_LIMIT
    (line,) = [e for e in result.errors if e["error"] == "listing_limit"]
    assert line["stage"] == "discover" and "CLINIC_MAX_LISTING_PAGES" in line["message"]
    assert path_of(line["url"]).startswith(("/tag/", "/blog/20"))


def test_session_ids_and_tracking_parameters_never_reach_the_server(site):
    server, _ = site
    targets = server.targets()
    assert not [t for t in targets if re.search(r"sid=|jsessionid|PHPSESSID|utm_|fbclid|ref_src", t, re.I)]
    assert Counter(targets)["/blog/good-1/"] == 1 and Counter(targets)["/blog/good-2/"] == 1


def test_robots_txt_is_respected_and_counted(site):
    server, result = site
    assert not [t for t in server.targets() if t.startswith("/private/")]
    assert result.crawls[-1]["errors"]["robots_disallowed"] == 1


def test_the_summary_counts_errors_by_kind(site):
    _, result = site
    (summary,) = result.crawls
    assert summary["errors"] == dict(Counter(e["error"] for e in result.errors))
    assert summary["errors_total"] == len(result.errors) == len(EXPECTED_ERRORS) + len(BUDGET_LINES)
    shown = re.search(r"(\d+) errors \((.*?)\)\.", result.stdout)
    assert shown and int(shown.group(1)) == len(result.errors)
    assert "timeout 2" in shown.group(2) and "http_503 1" in shown.group(2)
