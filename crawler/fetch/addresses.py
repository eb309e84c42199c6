"""No request inside the network from a public crawl (server-side request forgery).

A site's robots.txt ``Sitemap:`` line, a redirect, or a link can name any host, and a public host
name can resolve to a private address. When every seed is a public site, no request may reach
a loopback, private, link-local (``169.254.169.254``, the cloud metadata address), multicast or
reserved address. The check is made on the address the connection actually goes to: the DNS
resolver refuses such an answer (Twisted connects to the address it returns, so a second,
different DNS answer cannot slip through), a URL that names an address directly is refused
before the download, and the address a response came from is checked again after it.

A seed that is itself private (an intranet, a local test server) allows private addresses for
that crawl; ``CLINIC_PRIVATE_ADDRESSES`` = ``allow`` or ``block`` decides explicitly instead of
``auto``. Refusals are ``blocked_address`` errors. ``CLINIC_TEST_HOSTS`` and
``CLINIC_TEST_PUBLIC_ADDRESSES`` are for tests only: they resolve chosen host names to chosen
loopback addresses and declare which of those count as public, so the guard runs for real
against local servers.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class BlockedAddress(Exception):  # noqa: N818 - what happened, as in "blocked_address"
    """A request would reach an address inside the network from a public crawl."""


# Host names the resolver refused, with why. Twisted reports any failed lookup to the download
# as "no results for hostname lookup", so the failure's kind is looked up here by host name
# (``refusal_of``). One crawl per process; bounded like Scrapy's own DNS cache.
_REFUSED: dict[str, str] = {}
MAX_REFUSED = 10_000


def refusal_of(host: str) -> str | None:
    """Why the resolver refused ``host`` in this crawl, if it did."""
    return _REFUSED.get(host)


def address_kind(address: str) -> str | None:
    """What makes an address internal ("loopback", "private", ...), or None for a public one."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


@dataclass
class AddressPolicy:
    """Whether private addresses are allowed in this crawl, and the test-only host table."""

    allow_private: bool = False
    test_hosts: dict[str, str] = field(default_factory=dict)
    test_public: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: Any, seeds: list[str]) -> AddressPolicy:
        policy = cls(
            test_hosts=dict(settings.getdict("CLINIC_TEST_HOSTS")),
            test_public=frozenset(settings.getlist("CLINIC_TEST_PUBLIC_ADDRESSES")),
        )
        mode = (settings.get("CLINIC_PRIVATE_ADDRESSES") or "auto").lower()
        if mode not in ("auto", "allow", "block"):
            raise ValueError(f"CLINIC_PRIVATE_ADDRESSES must be auto, allow or block, not {mode!r}")
        policy.allow_private = mode == "allow" or (mode == "auto" and any(map(policy.seed_is_private, seeds)))
        return policy

    def refusal(self, host: str, address: str) -> str | None:
        """Why a connection to ``address`` (for ``host``) is refused, or None."""
        if self.allow_private or address in self.test_public:
            return None
        kind = address_kind(address)
        if kind is None:
            return None
        return (
            f"{host} is at {address}, a {kind} address, and this crawl's seeds are public sites "
            "(CLINIC_PRIVATE_ADDRESSES=allow to crawl inside the network)"
        )

    def seed_is_private(self, seed: str) -> bool:
        """Whether a seed's host is an internal address (or resolves to one)."""
        host = urlsplit(seed).hostname or ""
        addresses = [self.test_hosts[host]] if host in self.test_hosts else _resolve(host)
        return any(a not in self.test_public and address_kind(a) for a in addresses)

    def resolve_test_host(self, host: str) -> str | None:
        return self.test_hosts.get(host)


def _resolve(host: str) -> list[str]:
    if host == "localhost" or address_kind(host):
        return ["127.0.0.1" if host == "localhost" else host]
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, None)]
    except (OSError, UnicodeError):
        return []


def crawl_policy(crawler: Any) -> AddressPolicy:
    """The crawl's policy, worked out once from its settings and seeds. ``crawler`` may be the
    CrawlerProcess (which owns the resolver): its one crawler is the crawl."""
    running = getattr(crawler, "crawlers", None)
    if running:
        crawler = next(iter(running))
    policy = getattr(crawler, "_clinic_address_policy", None)
    if policy is None:
        seeds = list(getattr(crawler.spider, "seeds", None) or [])
        policy = AddressPolicy.from_settings(crawler.settings, seeds)
        crawler._clinic_address_policy = policy
    return policy


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing answers the crawl's policy forbids (the address the
    connection would go to), and answering the test-only host table."""

    crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        policy = crawl_policy(self.crawler)
        fixed = policy.resolve_test_host(name)
        answer = defer.succeed(fixed) if fixed else super().getHostByName(name, timeout)
        return answer.addCallback(self._checked, name, policy)

    @staticmethod
    def _checked(address: str, name: str, policy: AddressPolicy) -> str:
        refusal = policy.refusal(name, address)
        if refusal:
            if len(_REFUSED) < MAX_REFUSED:
                _REFUSED[name] = refusal
            raise BlockedAddress(refusal)
        return address


class AddressGuardMiddleware:
    """Refuse a URL naming an internal address, and a response that came from one."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        host = urlsplit(request.url).hostname or ""
        if address_kind(host) is not None:  # an address literal never reaches the resolver
            self._check(host, host)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        address = getattr(response, "ip_address", None)
        if address is not None:
            self._check(urlsplit(request.url).hostname or "", str(address))
        return response

    def _check(self, host: str, address: str) -> None:
        refusal = crawl_policy(self.crawler).refusal(host, address)
        if refusal:
            self.crawler.stats.inc_value("clinic/blocked_address")
            raise BlockedAddress(refusal)
