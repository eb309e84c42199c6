"""Failed requests for the clinic_blog spider: each becomes one error line, a removal (an
archived post now 404/410), or nothing at all (a probe that found no sitemap, a 304 that
confirms an archived post); so does a response that cannot be read as a page (``_unusable``).
A mixin of ``ClinicBlogSpider``; the error kinds and messages come from ``crawler.fetch.failures``.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from itertools import chain
from typing import Any

from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.discovery import KINDS, response_kind
from crawler.fetch import (
    META_FETCHED_AT,
    AlreadyConfirmed,
    OverBudget,
    describe_failure,
    http_error_message,
    redirect_chain,
)
from pipelines.record import PageError, Removal, clean_url, site_key, utc_now
from pipelines.scrapy_adapters import stop_crawl


class ErrorsMixin:
    """What a failed request leaves in the archive (see the module docstring)."""

    def on_error(self, failure: Failure) -> Iterator[Any]:
        if exhausted := resource_exhaustion(failure):
            # the machine, not the site: stop, and leave the request unfinished for the rerun
            stop_crawl(self.crawler, exhausted)
            return
        output = chain(self._error_output(failure), self._sitemap_read(failure.request))
        yield from self._settled(failure.request, output)

    def _error_output(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        self._pending_via.pop(
            self._first_url(request), None
        )  # the page will not come: forget how it was found
        stage = request.meta.get("stage", "fetch")
        if failure.check(HttpError):
            response = failure.value.response
            status = response.status
            if request.meta.get("probe") and status in (404, 410):
                self._count("probe_missing")
                return
            known = self.known.get(clean_url(request.url) or request.url)
            if status == 304 and known:
                self.confirmed.add(known.id)
                self._count("not_modified")
                self._seen_unchanged(request.url)
                return
            if status in (404, 410) and known and not known.removed:
                yield Removal(request.url, status, response.meta.get(META_FETCHED_AT) or utc_now())
                return
            kind, message = f"http_{status}", http_error_message(response, request)
        elif failure.check(AlreadyConfirmed):
            return
        elif failure.check(OverBudget):  # counted where it was refused
            if failure.value.first:
                limit = failure.value.limit
                message = failure.value.message or self.budgets.message(site_key(request.url), limit)
                yield PageError(request.url, stage, KINDS.get(limit, limit), message)
            return
        elif request.meta.get("probe"):
            self._count("probe_failed")
            return
        else:
            kind, message = describe_failure(failure, self.max_body_bytes)
        # One line per URL as discovered (the first of a redirect chain); the later hops are done.
        chain = redirect_chain(request)
        self.finished(*chain[1:])
        error = PageError(chain[0], stage, kind, message)
        if request.meta.get("seed"):
            self.seed_failures[chain[0]] = message
            self.seed_error_kinds[chain[0]] = kind
        yield error

    def _unusable(self, response: Response) -> Iterator[PageError]:
        """Why a page response cannot be read as one: off the site, empty, not HTML (a sitemap or
        a feed is read as one, elsewhere)."""
        url = self._first_url(response.request)
        if not self._on_site(response.url):
            yield PageError(url, "fetch", "offsite_redirect", f"redirected off the site to {response.url}")
        elif not response.body.strip():
            yield PageError(url, "fetch", "empty_body", f"HTTP {response.status} with an empty body")
        else:
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            if response_kind(content_type, response.body) not in ("html", "sitemap", "feed"):
                shown = content_type.split(";")[0].strip() or "no Content-Type"
                message = f"{shown} response ({len(response.body)} bytes), not an HTML page"
                yield PageError(url, "fetch", "not_html", message)


def resource_exhaustion(failure: Failure) -> str | None:
    """A failure that says this machine ran out of file descriptors, or None."""
    text = f"{failure.value!r} {failure.value}"
    if "Too many open files" not in text and "EMFILE" not in text and "ENFILE" not in text:
        return None
    # (everything used here is imported already: importing needs file descriptors too)
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return f"out of file descriptors (the limit is {soft}): raise it (ulimit -n) or lower CONCURRENT_REQUESTS"
