"""No request inside the network from a public crawl (crawler/fetch/addresses.py).

The crawl runs for real against local servers: the test-only host table resolves
``clinic.test`` to 127.0.0.2 and declares that address public, so the crawl is a public one;
``metadata.test`` resolves to 127.0.0.3, which stays internal, as does 127.0.0.1 named directly.
The internal servers must never be asked anything, whatever robots.txt, sitemaps and redirects
say, and each refusal is a ``blocked_address`` line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import crawl
from faultserver import FaultServer, Reply, article_html, filler, redirect

from crawler.fetch.addresses import AddressPolicy, address_kind

XML = "application/xml"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.8.7", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata address
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # an IPv4 address written as IPv6
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("clinic.example", None),  # not an address at all
    ],
)
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


class Settings(dict):
    """The three Scrapy settings readers the policy uses."""

    def getdict(self, name):
        return dict(self.get(name) or {})

    def getlist(self, name):
        return list(self.get(name) or [])


def test_a_public_crawl_refuses_internal_addresses_and_a_private_seed_allows_them():
    public = AddressPolicy.from_settings(Settings(), ["https://8.8.8.8/"])
    assert public.refusal("x.example", "169.254.169.254")
    assert public.refusal("x.example", "93.184.216.34") is None
    private = AddressPolicy.from_settings(Settings(), ["http://127.0.0.1:8000/"])
    assert private.refusal("x.example", "10.0.0.1") is None
    assert AddressPolicy.from_settings(
        Settings(CLINIC_PRIVATE_ADDRESSES="block"), ["http://127.0.0.1/"]
    ).refusal("x", "127.0.0.1")
    assert (
        AddressPolicy.from_settings(Settings(CLINIC_PRIVATE_ADDRESSES="allow"), ["https://8.8.8.8/"]).refusal(
            "x", "127.0.0.1"
        )
        is None
    )
    with pytest.raises(ValueError, match="auto, allow or block"):
        AddressPolicy.from_settings(Settings(CLINIC_PRIVATE_ADDRESSES="sometimes"), [])


def internal_site(base: str) -> dict[str, Reply]:
    """What an attacker hopes to read: cloud metadata, an intranet sitemap."""
    secret = Reply(body=b"AKIA-SECRET-KEY", content_type="text/plain")
    return {"/latest/meta-data/": secret, "/sitemap.xml": secret, "/redirected.xml": secret, "/*": secret}


def public_site(metadata: str, loopback: str, name: str | None = None):
    def build(base: str) -> dict[str, Reply]:
        if name:  # the site's own links name it, not its (loopback) address
            base = base.replace("127.0.0.2", name)
        posts = [f"{base}/blog/post-{i}/" for i in range(3)]
        urls = "".join(f"<url><loc>{u}</loc></url>" for u in posts)
        return {
            "/": Reply(body=b"<html><body><h1>Clinic</h1></body></html>"),
            "/robots.txt": Reply(
                body=(
                    f"Sitemap: {base}/sitemap.xml\n"
                    f"Sitemap: {metadata}/latest/meta-data/\n"  # a public name, an internal address
                    f"Sitemap: {loopback}/sitemap.xml\n"  # an internal address named directly
                    f"Sitemap: {base}/moved-sitemap.xml\n"
                ).encode(),
                content_type="text/plain",
            ),
            "/sitemap.xml": Reply(
                body=f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
                content_type=XML,
            ),
            "/moved-sitemap.xml": redirect(f"{metadata}/redirected.xml", status=302),
            **{
                f"/blog/post-{i}/": Reply(body=article_html(f"Post {i}", filler(f"topic {i}")).encode())
                for i in range(3)
            },
        }

    return build


def test_a_public_crawl_never_reaches_inside_the_network(tmp_path: Path):
    metadata = FaultServer(internal_site, host="127.0.0.3").start()
    loopback = FaultServer(internal_site, host="127.0.0.1").start()
    metadata_url = f"http://metadata.test:{metadata.port}"
    site = FaultServer(public_site(metadata_url, loopback.url, name="clinic.test"), host="127.0.0.2").start()
    hosts = {"clinic.test": "127.0.0.2", "metadata.test": "127.0.0.3"}
    try:
        result = crawl(
            [f"http://clinic.test:{site.port}/"],
            tmp_path / "out",
            "-s", f"CLINIC_TEST_HOSTS={json.dumps(hosts)}",
            "-s", "CLINIC_TEST_PUBLIC_ADDRESSES=127.0.0.2",
        )  # fmt: skip
    finally:
        for server in (metadata, loopback, site):
            server.stop()
    assert result.returncode == 0, result.stderr[-2000:]
    assert metadata.requests == [] and loopback.requests == []  # never asked anything
    assert sorted(r["title"] for r in result.articles) == ["Post 0", "Post 1", "Post 2"]
    blocked = sorted(e["url"] for e in result.errors if e["error"] == "blocked_address")
    assert blocked == sorted(
        [
            f"{metadata_url}/latest/meta-data/",
            f"{loopback.url}/sitemap.xml",
            f"{site.url.replace('127.0.0.2', 'clinic.test')}/moved-sitemap.xml",
        ]
    )
    assert result.crawls[-1]["offsite_sitemaps"] == 2  # robots.txt named two sitemaps elsewhere
    assert result.crawls[-1]["blocked_addresses"] == 3
    message = next(e["message"] for e in result.errors if e["url"].startswith(metadata_url))
    assert "127.0.0.3" in message and "CLINIC_PRIVATE_ADDRESSES" in message
    raw = b"".join(p.read_bytes() for p in (tmp_path / "out" / "raw").glob("*.warc.gz"))
    import gzip
    import io

    assert b"AKIA-SECRET-KEY" not in gzip.GzipFile(fileobj=io.BytesIO(raw)).read()


def test_a_private_seed_may_crawl_its_own_network(tmp_path: Path):
    """The test servers of every other test are private seeds: the guard stays out of their way,
    and ``block`` turns it on for them too."""
    site = FaultServer(public_site("http://127.0.0.1:9", "http://127.0.0.1:9"), host="127.0.0.2").start()
    try:
        allowed = crawl([f"{site.url}/"], tmp_path / "allowed")
        blocked = crawl([f"{site.url}/"], tmp_path / "blocked", "-s", "CLINIC_PRIVATE_ADDRESSES=block")
    finally:
        site.stop()
    assert len(allowed.articles) == 3
    assert blocked.articles == [] and blocked.returncode == 3  # its only seed could not be crawled
    assert "blocked_address" in {e["error"] for e in blocked.errors}
