"""The spider's ``--render`` mode: which page requests go through the browser.

``never``: none. ``always``: every page request (robots.txt, sitemaps and feeds stay plain).
``auto``: a page whose plain HTML looks like an unrendered JavaScript shell (crawler/fetch/shell.py)
is requested once more through the browser, and that response is the page. When no browser can
run here (``render_missing``), shells go down the pipelines with the reason, and are listed in
skipped.jsonl as ``needs_javascript`` unless they hold an article after all.
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response

from crawler.discovery import lists_posts
from crawler.fetch import META_RENDER, RENDER_MODES, render_support


class RenderMixin:
    # --render auto re-fetches pages that look like unrendered JavaScript shells through a
    # browser; render_missing says why no browser can run here
    render: str = "auto"
    render_missing: str | None = None

    def _setup_rendering(self, settings: Any) -> None:
        self.render = str(settings.get("CLINIC_RENDER") or "auto").lower()
        if self.render not in RENDER_MODES:
            raise ValueError(f"--render must be one of {', '.join(RENDER_MODES)}, not {self.render!r}")
        if self.render != "never":
            self.render_missing = render_support(settings.get("CLINIC_CHROMIUM"))
        if self.render == "always" and self.render_missing:
            raise ValueError(f"--render always: {self.render_missing}")
        if self.render_missing:
            self.logger.warning(
                "pages that need JavaScript cannot be rendered (%s): they are listed in skipped.jsonl",
                self.render_missing,
            )

    def _page_request(self, url: str, priority: int, meta: dict[str, Any] | None = None) -> scrapy.Request:
        meta = meta or {}
        if self.render == "always":
            meta[META_RENDER] = True
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.on_error, priority=priority, meta=meta
        )

    def _render_request(self, response: Response, why: str) -> scrapy.Request:
        """The page again, through the browser: its plain HTML looked like an unrendered shell."""
        self._count("render/requested")
        self.logger.debug("%s: rendering in the browser (%s)", response.url, why)
        meta = {
            k: response.meta[k] for k in ("seed", "listing", "via", "redirect_urls") if k in response.meta
        }
        meta[META_RENDER] = True
        meta["render_again"] = True  # counted against --max-pages the first time
        meta["render_scroll"] = lists_posts(response.url, self.max_pagination)
        return scrapy.Request(
            response.url,
            callback=self.parse_page,
            errback=self.on_error,
            priority=response.request.priority,
            meta=meta,
            dont_filter=True,  # the same URL, once more
        )
