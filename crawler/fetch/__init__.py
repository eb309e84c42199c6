"""Fetch policy: the downloader middlewares between Scrapy and the network. Retries that honour
Retry-After (``retry``), redirects that cannot trap the crawl (``redirects``), conditional requests
on a recrawl (``conditional``), pages rendered in a browser when they need it (``render``,
``browser``; ``shell`` says which do), every response kept as WARC (``capture``), and the error kind and
message of a failed request (``failures``). Scrapy loads the middlewares by their dotted paths in
crawler/settings.py."""

from crawler.fetch.addresses import BlockedAddress
from crawler.fetch.budget import OverBudget
from crawler.fetch.capture import META_FETCHED_AT, META_POINTER
from crawler.fetch.chromium import META_RENDER, RENDER_MODES, RenderTimeout, chromium_binary, render_support
from crawler.fetch.conditional import AlreadyConfirmed
from crawler.fetch.failures import describe_failure, http_error_message
from crawler.fetch.redirects import redirect_chain
from crawler.fetch.shell import shell_message, unrendered

__all__ = [
    "META_FETCHED_AT",
    "META_POINTER",
    "META_RENDER",
    "RENDER_MODES",
    "AlreadyConfirmed",
    "BlockedAddress",
    "OverBudget",
    "RenderTimeout",
    "chromium_binary",
    "describe_failure",
    "http_error_message",
    "redirect_chain",
    "render_support",
    "shell_message",
    "unrendered",
]
