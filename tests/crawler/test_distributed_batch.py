"""The commands a distributed worker does not wait for go to Redis together, one pipeline per
reactor turn (crawler/distributed/batch.py): against a real redis-server."""

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
