"""The browser behind ``RenderHandler`` (crawler/fetch/render.py): scrapy-playwright driving Chromium.

Imported only when a page is to be rendered, since scrapy-playwright is the optional ``render``
extra. One browser, one context (recycled every ``CLINIC_RENDER_RECYCLE`` pages to bound its
memory), at most ``CLINIC_RENDER_PAGES`` pages open, each closed when its HTML is taken. In each
page the browser waits until the network is quiet or an article has appeared, clicks "Load more"
(and, on blog indexes, scrolls) up to ``CLINIC_RENDER_MAX_CLICKS`` times while new links keep
coming, and the whole page has ``CLINIC_RENDER_TIMEOUT`` seconds: a page over it, or one that
crashes, is closed and ends as an error line; the crawl goes on.

What the page itself requests passes ``_abort`` first: images, media and fonts are not fetched,
nor known trackers, nor anything robots.txt disallows (for the hosts whose robots.txt the crawl
read), nor any host at an internal address when the crawl's seeds are public sites (the address
policy of crawler/fetch/addresses.py; Chromium resolves names itself, so a host whose DNS answer
changes between our look-up and Chromium's is the one case this check cannot see).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawler.fetch.addresses import crawl_policy
from crawler.fetch.chromium import RenderTimeout, chromium_binary

log = logging.getLogger(__name__)

BLOCKED_TYPES = frozenset({"image", "media", "font"})
# Analytics, ads, heat maps and chat widgets clinic sites load: never needed for the article.
TRACKERS = (
    "google-analytics.com", "googletagmanager.com", "googleadservices.com", "doubleclick.net",
    "googlesyndication.com", "facebook.net", "facebook.com", "hotjar.com", "clarity.ms",
    "segment.io", "segment.com", "mixpanel.com", "hs-analytics.net", "hs-banner.com",
    "hubspot.com", "hsadspixel.net", "bat.bing.com", "ads-twitter.com", "analytics.tiktok.com",
    "licdn.com", "nr-data.net", "newrelic.com", "fullstory.com", "intercom.io", "intercomcdn.com",
    "drift.com", "tawk.to", "livechatinc.com", "crisp.chat", "podium.com", "birdeye.com",
    "callrail.com", "quantserve.com", "scorecardresearch.com", "pinimg.com", "snapchat.com",
)  # fmt: skip
LAUNCH_ARGS = [
    "--no-sandbox",  # containers and root: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--blink-settings=imagesEnabled=false",
    "--js-flags=--max-old-space-size=512",  # a page's script may not take more memory than this
]
# The page shows an article: one of the usual containers holding a few paragraphs of text.
ARTICLE_SHOWN = """() => [...document.querySelectorAll(
  'article, main, [itemprop=articleBody], .entry-content, .post-content, .blog-post')]
  .some(e => (e.innerText || '').length > 600)"""
LINK_COUNT = "() => document.links.length"
BUSY = "() => document.querySelector('[aria-busy=true]') !== null"
# Click the first visible "Load more" control that is not a real link (the crawl follows those),
# else (on blog indexes) scroll to the bottom for infinite scroll. Says what it did, or null.
MORE = r"""(scroll) => {
  const words = new RegExp('^\\s*(?:(?:load|show|view|see)\\s+(?:more|older)' +
    '(?:\\s+(?:posts|articles|stories|entries|news))?|(?:more|older)\\s+(?:posts|articles|stories|entries))' +
    '\\s*[.…]*\\s*$', 'i');
  for (const el of document.querySelectorAll('button, a, [role=button], input[type=button]')) {
    const text = (el.innerText || el.value || '').trim();
    if (!text || text.length > 40 || !words.test(text) || el.disabled) continue;
    const href = el.tagName === 'A' ? (el.getAttribute('href') || '') : '';
    if (href && !href.startsWith('#') && !href.toLowerCase().startsWith('javascript')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    el.scrollIntoView();
    el.click();
    return 'clicked';
  }
  if (scroll) {
    const before = window.scrollY;
    window.scrollTo(0, document.documentElement.scrollHeight);
    if (window.scrollY > before) return 'scrolled';
  }
  return null;
}"""


async def settle(page: Any, max_clicks: int, scroll: bool, wait_ms: float) -> int:
    """Let the page finish: quiet network or an article shown, then "Load more" (or scrolling)
    while it brings new links. Returns how many times it clicked or scrolled."""
    traffic = Traffic(page)
    idle = page.wait_for_load_state("networkidle", timeout=wait_ms)  # since the navigation began
    await _first(page, [idle, page.wait_for_function(ARTICLE_SHOWN, timeout=wait_ms, polling=100)])
    done = 0
    while done < max_clicks:
        before = await page.evaluate(LINK_COUNT)
        if not await page.evaluate(MORE, scroll):
            break
        done += 1
        # (networkidle is a state the page reached once: it would not wait again after a click)
        grew = page.wait_for_function(f"() => document.links.length > {int(before)}", timeout=wait_ms)
        await _first(page, [traffic.quiet(wait_ms), grew])
        if await page.evaluate(LINK_COUNT) <= before:
            break
    return done


class Traffic:
    """The page's requests in flight, to wait for its network to go quiet after a click."""

    # seconds without a request starting or ending (Playwright's networkidle waits 0.5): longer,
    # for a script that shows what it fetched a little later, on a busy machine
    QUIET = 1.0

    def __init__(self, page: Any) -> None:
        self.page = page
        self.in_flight = 0
        self.last = asyncio.get_running_loop().time()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, request: Any) -> None:
        self.in_flight += 1
        self.last = asyncio.get_running_loop().time()

    def _ended(self, request: Any) -> None:
        self.in_flight = max(0, self.in_flight - 1)  # requests begun before we listened end too
        self.last = asyncio.get_running_loop().time()

    async def quiet(self, wait_ms: float) -> None:
        """Until nothing has started or ended for QUIET seconds from now and nothing on the page
        says it is still loading (``aria-busy``), at most ``wait_ms``."""
        loop = asyncio.get_running_loop()
        start = self.last = loop.time()
        while loop.time() - start < wait_ms / 1000:
            quiet = self.in_flight == 0 and loop.time() - self.last >= self.QUIET
            if quiet and not await self.page.evaluate(BUSY):
                return
            await asyncio.sleep(0.05)


async def _first(page: Any, waits: list[Any]) -> None:
    """Until the first of ``waits`` (coroutines that end or time out) ends; the others are cancelled."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, Exception) and not isinstance(outcome, PlaywrightError):
            log.debug("waiting for %s: %r", page.url, outcome)


class BrowserHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler with our browser, limits, waits and request filter."""

    def __init__(self, crawler: Any, robots: dict[str, Any]) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        settings = crawler.settings
        self.robots = robots
        self.obey_robots = settings.getbool("ROBOTSTXT_OBEY")
        self.user_agent = settings.get("USER_AGENT") or ""
        self.timeout = settings.getfloat("CLINIC_RENDER_TIMEOUT", 30.0)
        self.wait_ms = settings.getfloat("CLINIC_RENDER_WAIT", 5.0) * 1000
        self.max_clicks = settings.getint("CLINIC_RENDER_MAX_CLICKS", 20)
        self.recycle = settings.getint("CLINIC_RENDER_RECYCLE", 200)
        hosts = settings.getdict("CLINIC_TEST_HOSTS")
        args = [*LAUNCH_ARGS]
        if hosts:  # tests: Chromium resolves these names as the crawl's resolver does
            args.append("--host-resolver-rules=" + ", ".join(f"MAP {h} {a}" for h, a in hosts.items()))
        self.config.launch_options = {
            "executable_path": chromium_binary(settings.get("CLINIC_CHROMIUM")),
            "headless": True,
            "args": args,
            # a first Ctrl-C stops the crawl gracefully: the browser closes with it, not before
            "handle_sigint": False,
            "handle_sigterm": False,
            "handle_sighup": False,
        }
        proxy = os.environ.get("https_proxy") or os.environ.get("http_proxy")  # as Scrapy's (--proxy)
        if proxy:
            self.config.launch_options["proxy"] = {"server": proxy}
        self.config.max_pages_per_context = max(1, settings.getint("CLINIC_RENDER_PAGES", 2))
        self.config.navigation_timeout_ms = self.timeout * 1000
        self.abort_request = self._abort
        self._open: dict[int, Any] = {}  # id(request) -> its page, while it renders
        self._refusals: dict[str, str | None] = {}  # host -> why the address policy refuses it
        self._rendered = 0
        # Contexts by generation: every CLINIC_RENDER_RECYCLE pages new requests go to a fresh
        # context (its own name, so scrapy-playwright's per-context page limit stays its own);
        # an old one is closed once its last page is done.
        self._generation = 0
        self._rendering: dict[int, int] = {}  # generation -> pages rendering in its context

    async def start(self) -> None:
        await self._launch()

    async def _create_page(self, request: Any, spider: Any) -> Any:
        page = await super()._create_page(request, spider)
        self._open[id(request)] = page
        return page

    async def render(self, request: Any) -> Any:
        """Fetch ``request`` in the browser: the response's body is the DOM once the page settled."""
        listing = bool(request.meta.get("listing") or request.meta.get("render_scroll"))
        generation = self._generation
        self._rendering[generation] = self._rendering.get(generation, 0) + 1
        request.meta["playwright_context"] = f"clinic-{generation}"
        request.meta["playwright_page_goto_kwargs"] = {"wait_until": "load"}
        request.meta["playwright_page_methods"] = [PageMethod(settle, self.max_clicks, listing, self.wait_ms)]
        try:
            response = await asyncio.wait_for(self._download_request(request), self.timeout)
        except TimeoutError:
            self._count("failed/timeout")
            raise RenderTimeout(
                f"the browser did not finish the page within {self.timeout:g} s (CLINIC_RENDER_TIMEOUT)"
            ) from None
        except Exception:
            self._count("failed")
            raise
        finally:
            await self._close_page(request)
            await self._done_in(generation)
        self._count("pages")
        # the browser's headers describe the bytes it received, not the DOM it serialised
        for name in (b"Content-Length", b"Content-Encoding", b"Transfer-Encoding"):
            response.headers.pop(name, None)
        return response

    async def _close_page(self, request: Any) -> None:
        page = self._open.pop(id(request), None)
        if page is not None and not page.is_closed():
            with contextlib.suppress(Exception):  # a crashed or hung page: closing is all we can do
                await asyncio.wait_for(page.close(), 5)

    async def _done_in(self, generation: int) -> None:
        """A page of this context generation is done: a long crawl's browser memory stays what a
        few pages need, since a fresh context takes over every CLINIC_RENDER_RECYCLE pages and the
        old one is closed after its last page."""
        self._rendering[generation] -= 1
        self._rendered += 1
        if self.recycle and self._rendered % self.recycle == 0:
            self._generation += 1
        for old in [g for g, n in self._rendering.items() if g < self._generation and n == 0]:
            del self._rendering[old]
            wrapper = self.context_wrappers.get(f"clinic-{old}")
            if wrapper is not None:
                with contextlib.suppress(Exception):
                    await wrapper.context.close()
                self._count("contexts_recycled")

    async def _abort(self, request: Any) -> bool:
        """Whether the browser must not fetch what the page asks for (see the module docstring)."""
        if request.resource_type in BLOCKED_TYPES:
            self._count("blocked/resource")
            return True
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        if any(host == t or host.endswith("." + t) for t in TRACKERS):
            self._count("blocked/tracker")
            return True
        refusal = await self._refusal(host)
        if refusal:
            self._count("blocked/address")
            self.crawler.stats.inc_value("clinic/blocked_address")
            log.warning("the browser was not let fetch %s: %s", request.url, refusal)
            return True
        robots = self.robots.get(parts.netloc)
        if self.obey_robots and robots is not None and not robots.allowed(request.url, self.user_agent):
            self._count("blocked/robots")
            return True
        return False

    async def _refusal(self, host: str) -> str | None:
        """Why the address policy refuses ``host`` (each host looked up once), or None."""
        if host in self._refusals:
            return self._refusals[host]
        policy = crawl_policy(self.crawler)
        refusal = None
        if not policy.allow_private:
            fixed = policy.resolve_test_host(host)
            if fixed or _is_address(host):
                addresses = [fixed or host.strip("[]")]
            else:
                try:
                    infos = await asyncio.get_running_loop().getaddrinfo(host, None)
                    addresses = [info[4][0] for info in infos]
                except OSError:
                    addresses = []  # Chromium will not reach it either
            refusal = next(filter(None, (policy.refusal(host, a) for a in addresses)), None)
        if len(self._refusals) < 10_000:
            self._refusals[host] = refusal
        return refusal

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"clinic/render/{key}")


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
