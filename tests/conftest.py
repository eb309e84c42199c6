"""Shared test harness: fixture sites served on 127.0.0.1 and real crawls in subprocesses.

Each crawl runs in its own process (Twisted's reactor cannot restart), exactly as a user
would run it, with politeness delays off because the server is our own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from crawler.siteserver import SiteServer

# Property tests run the same examples every time, so CI is repeatable; explore new ones with
# HYPOTHESIS_PROFILE=explore.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SITES = FIXTURES / "sites"
FAST = [
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "AUTOTHROTTLE_ENABLED=False",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "-s", "RETRY_TIMES=0",
]  # fmt: skip


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    output: Path

    @property
    def articles(self) -> list[dict[str, Any]]:
        return read_jsonl(self.output / "articles.jsonl")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return read_jsonl(self.output / "errors.jsonl")

    @property
    def crawls(self) -> list[dict[str, Any]]:
        return read_jsonl(self.output / "crawls.jsonl")

    def by_path(self) -> dict[str, dict[str, Any]]:
        """Latest record per URL path (the server's port differs between runs)."""
        from urllib.parse import urlsplit

        return {urlsplit(r["canonical_url"]).path: r for r in self.articles}


def run_cli(*args: str, timeout: float = 180, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """``clinic-archive ARGS`` in a subprocess; ``prelude``: Python run in that process first (to
    pin it to a CPU, or to look at its modules when it exits)."""
    command = ["-m", "crawler.cli"]
    if prelude:
        run = "import runpy, sys\nsys.argv = ['clinic-archive', *sys.argv[1:]]\nrunpy.run_module('crawler.cli', run_name='__main__')\n"
        command = ["-c", f"{prelude}\n{run}"]
    return subprocess.run(
        [sys.executable, *command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def crawl(
    seeds: list[str], output: Path, *extra: str, timeout: float = 180, prelude: str = ""
) -> CrawlResult:
    proc = run_cli("crawl", *seeds, "-o", str(output), *FAST, *extra, timeout=timeout, prelude=prelude)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, output)


def post_file(site: Path, path: str) -> Path:
    """The fixture file that serves ``path`` ("/blog/x/" -> blog/x/index.html, "/post/x" -> post/x.html)."""
    rel = path.strip("/")
    return site / rel / "index.html" if path.endswith("/") else site / f"{rel}.html"


def edit_post(site: Path, path: str, old: str, new: str) -> None:
    """Edit a post the way a CMS does: the page changes and so does its sitemap ``lastmod``."""
    import re
    from datetime import UTC, datetime

    page = post_file(site, path)
    html = page.read_text("utf-8")
    assert old in html, f"{old!r} is not in {page}"
    page.write_text(html.replace(old, new), "utf-8")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    loc = re.escape(f"{{{{BASE}}}}{path}")
    for sitemap in site.rglob("*.xml"):
        xml = sitemap.read_text("utf-8")
        bumped = re.sub(rf"(<loc>{loc}</loc>\s*<lastmod>)[^<]+", rf"\g<1>{now}", xml)
        if bumped != xml:
            sitemap.write_text(bumped, "utf-8")


def load_expected(site: str | Path) -> dict[str, Any]:
    root = site if isinstance(site, Path) else SITES / site
    return json.loads((root / "_expected.json").read_text("utf-8"))


@pytest.fixture
def serve() -> Iterator[Any]:
    """``serve("wp-physio")`` starts that fixture site on a free port; stopped after the test."""
    servers: list[SiteServer] = []

    def start(site: str | Path) -> SiteServer:
        root = site if isinstance(site, Path) else SITES / site
        server = SiteServer(root).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
