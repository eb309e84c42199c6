"""Request serialisation for the scheduler's disk queue (JOBDIR) and the shared Redis queue,
without scanning the whole spider for each request's callback.

Scrapy's ``Request.to_dict(spider=spider)`` names a request's callback and errback with
``inspect.getmembers(spider)``: every attribute of the spider is read (properties included),
twice per request. Measured with py-spy on ``bench/crawl.py``, that was ~5% of the crawl's main
process. ``to_dict`` only needs an object whose methods have the same names and the same
underlying functions as the spider's, so it is handed a stand-in holding just the request's
callback and errback functions under the names the spider gives them. The dictionary it returns
is the same (a test compares them); a callback that is not a method of the spider goes through
Scrapy's own lookup, and its ``ValueError`` (the scheduler then keeps that request in memory).
Requests are read back with Scrapy's ``request_from_dict(d, spider=spider)``, unchanged.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from typing import Any

from scrapy import Request
from scrapy.squeues import PickleFifoDiskQueue as ScrapyPickleFifoDiskQueue
from scrapy.squeues import PickleLifoDiskQueue as ScrapyPickleLifoDiskQueue


@lru_cache(maxsize=16)
def _method_names(spider_class: type) -> dict[Any, str]:
    """function -> the name ``inspect.getmembers`` would find it under first (alphabetically)."""
    by_name: dict[str, Any] = {}
    for klass in reversed(spider_class.__mro__):  # a subclass overrides its bases, as getattr does
        by_name.update((name, value) for name, value in vars(klass).items() if inspect.isfunction(value))
    names: dict[Any, str] = {}
    for name in sorted(by_name):
        names.setdefault(by_name[name], name)
    return names


@lru_cache(maxsize=64)
def _table(spider_class: type, functions: tuple[Any, ...]) -> object:
    names = _method_names(spider_class)
    methods = {names[f]: f for f in functions}
    listed = sorted(methods)
    # getmembers() reads every name dir() gives: just these, not the ~25 that object brings
    methods["__dir__"] = lambda self: listed
    return type(f"{spider_class.__name__}Callbacks", (), methods)()


def request_to_dict(request: Request, spider: Any) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, the same dictionary, without reading every attribute
    of the spider: ``to_dict`` gets a stand-in holding just the callback and errback methods."""
    names = _method_names(type(spider))
    functions = []
    for method in (request.callback, request.errback):
        if not callable(method):
            continue
        function = getattr(method, "__func__", None)
        if getattr(method, "__self__", None) is not spider or function not in names:
            return request.to_dict(spider=spider)  # not a spider method: Scrapy's own lookup (and error)
        functions.append(function)
    return request.to_dict(spider=_table(type(spider), tuple(functions)))


class _KeepWhenUnwritable:
    """A disk queue whose file cannot be opened or written (out of file descriptors, a full disk)
    raises ``ValueError``, which Scrapy's scheduler answers by keeping the request in its memory
    queue: the request is not lost (and the job's ledger still has it for a resume). Any other
    error ends in an asyncio task nobody awaits, and the request is gone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        except OSError as exc:
            raise ValueError(f"cannot open a disk queue file: {exc}") from exc

    def push(self, request: Request) -> None:
        try:
            self._push(request)
        except OSError as exc:
            raise ValueError(f"cannot write the disk queue: {exc}") from exc

    def _push(self, request: Request) -> None:
        super().push(request)  # type: ignore[misc]


class PickleLifoDiskQueue(_KeepWhenUnwritable, ScrapyPickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's default disk queue (``SCHEDULER_DISK_QUEUE``), pushing through ``request_to_dict``."""

    def _push(self, request: Request) -> None:
        # Scrapy's push is to_dict(spider=self.spider) and then the pickling queue's push
        super(ScrapyPickleLifoDiskQueue, self).push(request_to_dict(request, self.spider))


class PickleFifoDiskQueue(_KeepWhenUnwritable, ScrapyPickleFifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's queue of start requests (``SCHEDULER_START_DISK_QUEUE``), kept when unwritable."""
