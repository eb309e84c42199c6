"""``build_article`` in worker processes, awaited from the crawl's asyncio event loop.

Extraction is CPU-bound (trafilatura + lxml, ~15 ms a post) and holds the GIL: run inline,
it stalls Scrapy's reactor, so downloads wait while a page is parsed and a crawl uses one
core. A process pool sized to the cores lets the reactor fetch while the workers extract.

Workers start with the ``forkserver`` method: forking the crawl process itself would copy a
running reactor, its threads and sockets; ``spawn`` re-imports everything in each worker.
The fork server imports the extractor once and forks cheap, clean workers from it.
A worker that dies (a segfault in a C parser, the OOM killer) breaks the whole pool: it is
replaced, and the pages that were in flight are tried again one at a time, so that a page that
kills a worker again is the culprit; it becomes a ``PageError`` and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pipelines.config import ExtractConfig
from pipelines.models import Article, NotArticle, Page, PageError

log = logging.getLogger(__name__)

Result = Article | NotArticle | PageError
PARENT_CHECK_SECONDS = 0.2
# Imported once by the fork server, so that every worker starts with them (trafilatura is
# otherwise imported on first use, which the crawl's main process never reaches).
WORKER_MODULES = ("pipelines.extract", "trafilatura")
_worker_config: ExtractConfig | None = None  # set once per worker process


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which taskset and containers narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start_fork_server() -> None:
    """Start the fork server (and have it import the extractor, ~0.4 s) now rather than when the
    crawl opens: called before the crawl process imports Scrapy, the two imports overlap on a
    machine with two cores. ``ExtractPool.start`` then forks its workers from this server."""
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload(list(WORKER_MODULES))
    forkserver.ensure_running()


def _init_worker(config: ExtractConfig, crawl_pid: int) -> None:
    global _worker_config
    _worker_config = config
    threading.Thread(target=_exit_with_crawl, args=(crawl_pid,), daemon=True).start()


def _exit_with_crawl(crawl_pid: int) -> None:
    """A killed crawl (SIGKILL, OOM) must not leave workers behind: they would wait on their queue
    forever, and keep the fork server alive too (it lives while any worker holds its pipe)."""
    while _alive(crawl_pid):
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie is dead, not yet reaped
    except OSError:  # no /proc: trust kill()
        return True


def _build_in_worker(page: Page) -> Result:
    assert _worker_config is not None, "worker started without _init_worker"
    from pipelines.extract import build_article  # preloaded by the fork server (WORKER_MODULES)

    return build_article(page, _worker_config)


class ExtractPool:
    """A long-lived process pool for ``build_article``: ``start()``, ``await build(page)``, ``close()``."""

    task = staticmethod(_build_in_worker)  # module-level, so workers can unpickle it

    def __init__(self, workers: int, config: ExtractConfig, start_method: str = "forkserver") -> None:
        self.workers = workers
        self.config = config
        self.start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._retry_lock = asyncio.Lock()
        self.restarts = 0

    def start(self) -> None:
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(list(WORKER_MODULES))
        self._executor = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker, initargs=(self.config, os.getpid())
        )

    async def build(self, page: Page) -> Result:
        """The same result ``build_article(page, config)`` gives inline."""
        try:
            return await self._submit(page)
        except BrokenProcessPool:
            log.warning("an extraction worker died; %s will be tried again on its own", page.url)
        async with self._retry_lock:  # one page at a time: if a worker dies now, this page killed it
            try:
                return await self._submit(page)
            except BrokenProcessPool:
                log.error("extracting %s killed a worker process twice; skipping it", page.url)
                return PageError(page.url, "extract", "worker_crashed", "the extraction worker process died")

    async def _submit(self, page: Page) -> Result:
        executor = self._executor
        if executor is None:
            raise RuntimeError("ExtractPool.build() before start() or after close()")
        try:
            return await asyncio.wrap_future(executor.submit(self.task, page))
        except BrokenProcessPool:
            self._replace(executor)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken:  # the first of the failed pages to get here replaces the pool
            broken.shutdown(wait=False, cancel_futures=True)
            self.restarts += 1
            self.start()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
