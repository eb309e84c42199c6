"""Distributed recrawls are incremental (issue 22): crawl --redis shares the archive's pages with
the workers (crawler/distributed/known.py), and links to archived posts wait until some worker
has read the site's sitemaps (crawler/distributed/maps.py). Real redis-server, real workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from test_distributed import finish, redis_url, shard_articles, start_worker

from tests.conftest import read_jsonl, run_cli

__all__ = ["redis_url"]  # the fixture, used by name


def two_workers(redis_url: str, name: str, seed: str, out: Path) -> str:
    """Queue crawl ``name`` of ``seed`` with ``out`` as the archive, run two workers into it
    (two requests at a time each, so both take part); returns the crawl id."""
    queued = run_cli("crawl", seed, "--redis", redis_url, "--crawl", name, "-o", str(out))
    assert queued.returncode == 0, queued.stderr
    few = ("-s", "CONCURRENT_REQUESTS=2")
    for code, _, stderr in finish([start_worker(redis_url, name, out, f"w{i}", *few) for i in (1, 2)]):
        assert code == 0, stderr
    return queued.stdout.split("(crawl id ", 1)[1].split(")", 1)[0]


def test_a_distributed_recrawl_is_incremental(serve: Any, redis_url: str, tmp_path: Path) -> None:
    """Two workers crawl, then two workers recrawl into the same output: crawl --redis shares
    the archive's pages (ETag, Last-Modified, last fetch) with the workers, so every archived
    post is asked for conditionally (304) or spared by its sitemap lastmod, and no line is new."""
    site = serve("wp-physio")
    out = tmp_path / "out"
    few = ("-s", "CONCURRENT_REQUESTS=2")
    first = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "r1", "-o", str(out))
    assert first.returncode == 0 and "Shared" not in first.stdout, first.stderr
    for code, _, stderr in finish([start_worker(redis_url, "r1", out, f"w{i}", *few) for i in (1, 2)]):
        assert code == 0, stderr
    archived = shard_articles(out)
    posts = {urlsplit(r["url"]).path for r in archived}
    assert len(archived) == len(posts) >= 8
    served = len(site.requests)

    second = run_cli("crawl", f"{site.url}/", "--redis", redis_url, "--crawl", "r2", "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert f"Shared {len(posts)} archived pages from {out}" in second.stdout
    for code, _, stderr in finish([start_worker(redis_url, "r2", out, f"w{i}", *few) for i in (1, 2)]):
        assert code == 0, stderr
    assert len(shard_articles(out)) == len(archived)  # no new line
    asked = {urlsplit(p).path for _, p in site.requests[served:]} & posts
    assert asked <= set(site.not_modified), asked - set(site.not_modified)  # none downloaded again
    crawl_id = second.stdout.split("(crawl id ", 1)[1].split(")", 1)[0]
    summaries = [
        s for i in (1, 2) for s in read_jsonl(out / f"crawls-w{i}.jsonl") if s["crawl_id"] == crawl_id
    ]
    assert sum(s["articles"]["new"] + s["articles"]["changed"] for s in summaries) == 0
    assert sum(s["not_modified"] + s["skipped"].get("unchanged_lastmod", 0) for s in summaries) >= len(posts)
    # per site, each archived post counted unchanged once, whichever worker confirmed it
    lines = [s for i in (1, 2) for s in read_jsonl(out / f"sites-w{i}.jsonl") if s["crawl_id"] == crawl_id]
    assert sum(s["articles"]["unchanged"] for s in lines) == len(posts), lines
    assert sum(s["articles"]["new"] + s["articles"]["changed"] for s in lines) == 0


def test_a_distributed_recrawl_without_etags_downloads_no_unchanged_post(
    redis_url: str, tmp_path: Path
) -> None:
    """A small host with no ETag or Last-Modified whose home page links every post and whose
    sitemap (lastmod older than our fetch) is slow: two workers recrawl without downloading a
    post, whichever of them reads the sitemap and whichever finds the links."""
    from faultserver import FaultServer, small_host_blog

    posts = [f"/blog/post-{i}/" for i in range(6)]
    build = small_host_blog(posts)

    out = tmp_path / "out"
    with FaultServer(build, host="127.0.0.2") as server:
        for name in ("n1", "n2"):
            before = len(server.requests)
            crawl_id = two_workers(redis_url, name, f"{server.url}/", out)
            asked = [target for _, target in server.requests[before:]]
    assert not set(asked) & set(posts), asked  # the recrawl downloaded no post
    records = shard_articles(out)
    assert len(records) == len(posts)  # and wrote no new line
    summaries = [
        s for i in (1, 2) for s in read_jsonl(out / f"crawls-w{i}.jsonl") if s["crawl_id"] == crawl_id
    ]
    assert sum(s["skipped"].get("unchanged_lastmod", 0) for s in summaries) == len(posts)
    lines = [s for i in (1, 2) for s in read_jsonl(out / f"sites-w{i}.jsonl") if s["crawl_id"] == crawl_id]
    assert sum(s["articles"]["unchanged"] for s in lines) == len(posts)


def test_a_post_gone_from_the_site_gets_its_tombstone_in_a_distributed_recrawl(
    redis_url: str, tmp_path: Path
) -> None:
    """Between two distributed crawls a post leaves the site (no link, not in the sitemap, 404):
    once discovery is over at every worker, one worker re-checks the archived posts no worker
    reached, and writes the tombstone; the posts still there are not downloaded again."""
    from faultserver import FaultServer, Reply, article_html, filler

    posts = [f"/blog/post-{i}/" for i in range(5)]
    live = set(posts)

    def build(base: str) -> dict[str, Any]:
        def home(target: str, attempt: int) -> Reply:
            links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in posts if p in live)
            return Reply(body=f"<html><body><ul>{links}</ul></body></html>".encode())

        def sitemap(target: str, attempt: int) -> Reply:
            urls = "".join(
                f"<url><loc>{base}{p}</loc><lastmod>2024-02-01</lastmod></url>" for p in posts if p in live
            )
            return Reply(
                body=f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
                content_type="application/xml",
            )

        def post(path: str, i: int):
            page = Reply(body=article_html(f"Post {i}", filler(f"topic {i}")).encode())
            return lambda target, attempt: page if path in live else Reply(status=404, body=b"gone")

        return {
            "/": home,
            "/robots.txt": Reply(
                body=f"User-agent: *\nSitemap: {base}/sitemap.xml\n".encode(), content_type="text/plain"
            ),
            "/sitemap.xml": sitemap,
            **{p: post(p, i) for i, p in enumerate(posts)},
        }

    out = tmp_path / "out"
    with FaultServer(build, host="127.0.0.2") as server:
        for name in ("t1", "t2"):
            if name == "t2":
                live.discard(posts[-1])
            before = len(server.requests)
            two_workers(redis_url, name, f"{server.url}/", out)
            asked = [target for _, target in server.requests[before:]]
    assert asked.count(posts[-1]) == 1 and not set(asked) & set(posts[:-1]), asked
    records = shard_articles(out)
    (tombstone,) = [r for r in records if r.get("removed_at")]
    assert urlsplit(tombstone["url"]).path == posts[-1] and tombstone["version"] == 2
    assert len(records) == len(posts) + 1


def test_held_links_and_the_re_check_outlive_the_worker_that_took_them(redis_url: str) -> None:
    """The Lua side of a worker killed part-way (scripts.py): held links a worker took with a
    sitemap (MAP_READ) wait in its in-flight hash until it has queued them, so when it is taken
    for dead they are held again and the crawl's last worker drains them; the re-check of
    archived pages passes on to the next worker to ask when the one doing it died."""
    import redis

    from crawler.distributed.keys import Keys
    from crawler.distributed.maps import SharedMaps
    from crawler.distributed.scripts import FINISH, REQUEUE

    server = redis.Redis.from_url(redis_url)
    keys = Keys("crash")
    maps = SharedMaps(server, keys)
    site, sitemap = "clinic.test", "http://clinic.test/sitemap.xml"
    link = ("http://clinic.test/post-1/", 10, "link")
    assert maps.asked(sitemap, site) and maps.hold(site, link)
    server.hset(keys.workers, mapping={"w1": 0, "w2": 0})  # both silent since the epoch
    held, fields = maps.read(sitemap, site, keys.inflight("w1"))
    assert held == [link] and not server.exists(keys.held(site))
    assert server.hkeys(keys.inflight("w1")) == [f.encode() for f in fields]  # until queued

    requeue, finish = server.register_script(REQUEUE), server.register_script(FINISH)

    def rescue(worker: str) -> list[Any]:  # REQUEUE as run by ``worker``, any other is dead
        return requeue(**keys.requeue_call(0, worker))

    def ask(worker: str) -> int:
        server.hset(keys.workers, worker, 10**15)  # alive
        return finish(**keys.finish_call(worker))

    assert rescue("w2")[1:] == [b"w1"]  # w1 killed before queueing its held link
    assert server.lrange(keys.held(site), 0, -1) and server.smembers(keys.held_sites) == {site.encode()}
    assert ask("w2") == 2  # the held link is left: w2 drains it
    assert maps.drain(keys.inflight("w2"))[0] == [link]
    server.hset(keys.workers, "w2", 0)  # ... and dies before queueing it too
    assert rescue("w3")[1:] == [b"w2"]
    assert ask("w3") == 2 and maps.drain(keys.inflight("w3"))[0] == [link]
    server.delete(keys.inflight("w3"))  # w3 queued it (and its request was done)
    assert ask("w3") == 3 and server.get(keys.rechecked) == b"w3"  # w3 re-checks the archive
    server.hset(keys.workers, "w3", 0)  # ... and dies doing so
    assert rescue("w4")[1:] == [b"w3"]
    assert ask("w4") == 3 and server.get(keys.rechecked) == b"w4"  # the re-check is not lost
    assert ask("w5") == 0  # w4 is re-checking: the crawl waits
    server.set(keys.rechecked, "done")
    assert ask("w5") == 1
