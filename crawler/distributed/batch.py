"""Redis commands a worker need not wait for, sent together: one round trip per reactor turn.

A worker makes several Redis calls per request. Those whose answer it does not need — a request's
in-flight entry removed once its page is archived (``done``), the entry of a request replaced by
a redirect or a retry, a site's politeness lease given back — are queued here and sent in one
pipeline at the end of the reactor's current turn, not one round trip each. Crash semantics are
unchanged: a worker killed before the flush leaves those entries in flight, they go back to the
queue when it is taken for dead, and a page archived twice that way is one page after ``merge``
(as for a page archived just before a kill); an unreturned lease expires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Batch:
    """Commands queued with ``later`` and sent by ``flush`` (scheduled on the next turn)."""

    def __init__(
        self,
        server: Any,
        on_error: Callable[[Exception], None],
        schedule: Callable[[Callable[[], None]], Any] | None = None,
    ) -> None:
        self.server = server
        self.on_error = on_error
        self.schedule = schedule or _next_turn  # how flush is called soon
        self._queued: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []
        self._scheduled = False
        self.round_trips = 0  # flushes that sent something
        self.commands = 0  # commands they carried

    def later(self, command: Any, *args: Any, **kwargs: Any) -> None:
        """``command``: a redis-py pipeline method name ("hdel") or a registered Script."""
        self._queued.append((command, args, kwargs))
        if not self._scheduled:
            self._scheduled = True
            self.schedule(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self._queued:
            return
        queued, self._queued = self._queued, []
        from crawler.distributed.keys import redis_error

        try:
            pipe = self.server.pipeline(transaction=False)
            for command, args, kwargs in queued:
                if isinstance(command, str):
                    getattr(pipe, command)(*args, **kwargs)
                else:
                    command(*args, client=pipe, **kwargs)
            pipe.execute()
        except redis_error() as exc:
            self.on_error(exc)
            return
        self.round_trips += 1
        self.commands += len(queued)


def _next_turn(call: Callable[[], None]) -> None:
    from twisted.internet import reactor

    reactor.callLater(0, call)
