"""What users type is checked at once, in one line: ``-s NAME=VALUE`` and numeric options (issue 22)."""

from __future__ import annotations

import pytest
from conftest import run_cli

from crawler.commands.options import check_setting


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("TYPO=1", "-s TYPO: no such setting (see crawler/settings.py)"),
        ("DOWNLOAD_DELAI=1", "-s DOWNLOAD_DELAI: no such setting; did you mean DOWNLOAD_DELAY"),
        ("CLINIC_MAX_PAGES_PER_SITES=5", "did you mean CLINIC_MAX_PAGES_PER_SITE"),
        ("DOWNLOAD_DELAY=soon", "-s DOWNLOAD_DELAY=soon: not a number"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN=-2", "must be 0 or more"),
        ("ROBOTSTXT_OBEY=maybe", "a yes/no setting takes True or False"),
        ("CLINIC_TEST_HOSTS=[1]", "takes a JSON object"),
    ],
)
def test_a_bad_setting_is_refused_saying_which_and_why(item, message, tmp_path):
    proc = run_cli("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path), "-s", item)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "crawls.jsonl").exists()  # refused before anything started


@pytest.mark.parametrize(
    "item",
    [
        "DOWNLOAD_DELAY=0.25",
        "DOWNLOAD_TIMEOUT=2.5",
        "ROBOTSTXT_OBEY=False",
        "AUTOTHROTTLE_ENABLED=0",
        "CLINIC_PROBE_FEEDS=/feed/,/rss",
        'CLINIC_TEST_HOSTS={"clinic.test": "127.0.0.2"}',
        "CLINIC_EXTRACT_WORKERS=0",
        "LOG_LEVEL=DEBUG",
        "PLAYWRIGHT_BROWSER_TYPE=chromium",  # a library's own namespace
        "REDIS_URL=redis://127.0.0.1:6379",
    ],
)
def test_good_settings_pass(item):
    name, _, value = item.partition("=")
    check_setting(name, value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-pages", "-3"], "argument --max-pages: must be 0 or more, not -3"),
        (["--max-pages", "many"], "argument --max-pages: 'many' is not a whole number"),
        (["--delay", "-1"], "argument --delay: must be 0 or more, not -1"),
    ],
)
def test_numeric_options_are_checked(args, message, tmp_path):
    proc = run_cli("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path), *args)
    assert proc.returncode == 2 and message in proc.stderr


def test_reextract_needs_a_worker(tmp_path):
    proc = run_cli("reextract", str(tmp_path / "x.warc.gz"), "-o", str(tmp_path / "out"), "--jobs", "0")
    assert proc.returncode == 2 and "--jobs: must be 1 or more, not 0" in proc.stderr


def test_delay_is_a_minimum_between_requests_to_one_site(tmp_path):
    """--delay means at least that long between two requests to one site: no jitter that sends
    some after half the delay (Scrapy's default draws each delay from 0.5x-1.5x)."""
    import itertools

    from conftest import crawl
    from faultserver import FaultServer, Reply, article_html, filler

    def build(base: str) -> dict[str, Reply]:
        links = "".join(f'<a href="/blog/post-{i}/">Post {i}</a> ' for i in range(8))
        posts = {
            f"/blog/post-{i}/": Reply(body=article_html(f"Post {i}", filler(f"knee {i}")).encode())
            for i in range(8)
        }
        return {"/": Reply(body=f"<html><body>{links}</body></html>".encode()), **posts}

    with FaultServer(build, host="127.0.0.2") as server:
        result = crawl([f"{server.url}/"], tmp_path / "out", "--delay", "0.4")
        times = sorted(t for t, _ in server.requests)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(result.articles) == 8 and len(times) >= 10  # robots.txt, home, posts (and probes)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.35, sorted(gaps)[:3]  # 0.4 s, less what the server's clock adds
