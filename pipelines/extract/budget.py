"""A CPU-time budget for one page's extraction, so that no page can stall a crawl.

Every pattern over page text is meant to run in linear time, but a 20 MB page of the wrong shape,
or a pattern nobody has yet found to backtrack, must still cost one page and not the crawl. The
budget is a process CPU-time timer (``ITIMER_PROF``): when it runs out, its signal handler raises
``ExtractTimeout`` in the extracting code. Python's regex engine checks for signals while it
matches, so even a backtracking search is cut short.

``ExtractTimeout`` derives from ``BaseException`` so that the ``except Exception`` blocks of the
extractor and of trafilatura (which keep one bad element from losing the page) cannot swallow
it; in case a bare ``except:`` does, the timer fires again every ``REFIRE`` seconds until the
budget is left. The timer counts only where signals can be handled: in a process's main thread
(the crawl's reactor, an extraction worker, ``reextract``); elsewhere the budget is not enforced.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
REFIRE = 0.1  # seconds of CPU between further signals once the budget is spent
_state = {"armed": False}


class ExtractTimeout(BaseException):
    """The page used up its CPU-time budget."""


def _expired(signum: int, frame: object) -> None:
    if not _state["armed"]:
        return  # a late signal after the budget was left: nothing to stop
    signal.setitimer(signal.ITIMER_PROF, REFIRE)
    raise ExtractTimeout


def can_enforce() -> bool:
    """Whether a budget can be enforced here: signals are handled in the main thread only."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def run_with_budget(fn: Callable[[], T], seconds: float | None) -> T:
    """``fn()``, raising ``ExtractTimeout`` once it has used ``seconds`` of CPU time.

    ``None`` or 0 (or a thread that cannot take signals) runs ``fn`` with no budget."""
    if not seconds or seconds <= 0 or not can_enforce():
        return fn()
    # The handler stays installed once set: unarmed it does nothing, so a signal that arrives
    # late (already queued when the budget was left) is harmless.
    if signal.getsignal(signal.SIGPROF) is not _expired:
        signal.signal(signal.SIGPROF, _expired)
    try:
        try:
            _state["armed"] = True
            signal.setitimer(signal.ITIMER_PROF, seconds)
            return fn()
        finally:
            _disarm()
    except ExtractTimeout:
        _disarm()  # the signal may have come while the first disarm ran
        raise


def _disarm() -> None:
    _state["armed"] = False  # first: a signal from here on is ignored
    signal.setitimer(signal.ITIMER_PROF, 0)
