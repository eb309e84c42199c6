"""Fewer round trips to Redis: the commands a distributed worker does not wait for go together,
one pipeline per reactor turn (crawler/distributed/batch.py); a page request's budget units are
checked and taken in one script. Against a real redis-server."""

from __future__ import annotations

import pytest
from test_distributed import redis_url

__all__ = ["redis_url"]  # the fixture, used by name

redis = pytest.importorskip("redis")


def test_queued_commands_and_scripts_go_in_one_round_trip(redis_url: str) -> None:
    from crawler.distributed.batch import Batch

    server = redis.Redis.from_url(redis_url)
    server.hset("inflight", mapping={"a": "1", "b": "2", "c": "3"})
    script = server.register_script("redis.call('SET', KEYS[1], ARGV[1]) return 1")
    errors: list[Exception] = []
    scheduled: list[object] = []
    batch = Batch(server, errors.append, scheduled.append)
    batch.later("hdel", "inflight", "a", "b")
    batch.later(script, keys=["lease"], args=["given back"])
    assert server.hlen("inflight") == 3 and not server.exists("lease")  # nothing sent yet
    assert scheduled == [batch.flush]  # one flush asked for, at the end of the turn
    batch.flush()
    assert server.hkeys("inflight") == [b"c"] and server.get("lease") == b"given back"
    assert (batch.round_trips, batch.commands, errors) == (1, 2, [])
    batch.flush()  # nothing queued: no round trip
    assert batch.round_trips == 1


def test_a_lost_server_is_reported_once_not_raised() -> None:
    from crawler.distributed.batch import Batch

    server = redis.Redis(host="127.0.0.1", port=9, socket_connect_timeout=1)
    errors: list[Exception] = []
    batch = Batch(server, errors.append, lambda call: None)
    batch.later("hdel", "inflight", "a")
    batch.flush()
    assert len(errors) == 1 and isinstance(errors[0], redis.RedisError)
    assert batch.round_trips == 0


def test_budget_units_are_checked_and_taken_in_one_step(redis_url: str) -> None:
    """SharedBudgets.take (scripts.TAKE_BUDGET): all or none, so two workers racing for a
    site's last page cannot both get it, and a refused listing takes no page unit."""
    from crawler.distributed.budgets import SharedBudgets
    from crawler.distributed.keys import Keys

    server = redis.Redis.from_url(redis_url)
    workers = [SharedBudgets({"pages": 2, "listing_pages": 1}, server, Keys("b")) for _ in range(2)]
    assert workers[0].take("a", ("listing_pages", "pages")) is None
    assert workers[1].take("a", ("listing_pages", "pages")) == "listing_pages"
    assert workers[1].take("a", ("pages",)) is None  # the refused listing left this unit
    assert [w.take("a", ("pages",)) for w in workers] == ["pages", "pages"]
    assert server.hget(Keys("b").budgets, "used|a|pages") == b"2"
