"""Redirects that cannot trap the crawl: loops, endless chains and hops off the site are refused.

Scrapy's redirect middlewares follow any ``Location``; a loop A -> B -> A then ends silently
(the duplicate filter drops the second A), a chain past ``REDIRECT_MAX_TIMES`` ends as a bare
"max redirections reached", and a post that redirects to another site gets fetched from it.
These subclasses refuse each case with its own exception, which the spider's errback turns
into one clear error line (``redirect_loop``, ``too_many_redirects``, ``offsite_redirect``).
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from pipelines.record import clean_url, site_key


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the chain."""


class TooManyRedirects(IgnoreRequest):
    """More hops than ``REDIRECT_MAX_TIMES``."""


class OffsiteRedirect(IgnoreRequest):
    """A page of a seed site redirects to another site; the target is not fetched."""


def redirect_chain(request: Request) -> list[str]:
    """Every URL a request went through, the first one requested first."""
    return [*request.meta.get("redirect_urls", []), request.url]


def _key(url: str) -> str:
    return clean_url(url) or url


class _Policed:
    """Mixin: check what the parent middleware decided to follow."""

    crawler: Any
    self_refresh_is_the_page = False

    def process_response(self, request: Request, response: Any, spider: Any = None) -> Any:
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            if isinstance(exc, (RedirectLoop, TooManyRedirects, OffsiteRedirect)):
                raise
            chain = " -> ".join(redirect_chain(request))
            raise TooManyRedirects(f"more than {self.max_redirect_times} redirects: {chain} -> ...") from exc
        if isinstance(result, Request):
            if self.self_refresh_is_the_page and _key(result.url) == _key(request.url):
                return response
            self._check(request, result)
        return result

    def _check(self, request: Request, target: Request) -> None:
        before = redirect_chain(request)
        if _key(target.url) in {_key(u) for u in before}:
            raise RedirectLoop("redirect loop: " + " -> ".join([*before, target.url]))
        if self._leaves_site(request, target.url):
            raise OffsiteRedirect(f"redirected off the site to {target.url}; not followed")

    def _leaves_site(self, request: Request, url: str) -> bool:
        """Only pages are kept on the site: robots.txt, sitemaps and feeds may live on a CDN."""
        sites = getattr(self.crawler.spider, "sites", None)
        if not sites or request.meta.get("dont_obey_robotstxt") or request.meta.get("stage") == "discover":
            return False
        return site_key(url) not in sites


class SafeRedirectMiddleware(_Policed, RedirectMiddleware):
    pass


class SafeMetaRefreshMiddleware(_Policed, MetaRefreshMiddleware):
    # <meta http-equiv="refresh" content="60"> reloads the page itself: keep the page
    self_refresh_is_the_page = True
