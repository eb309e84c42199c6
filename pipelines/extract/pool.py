"""``build_article`` in worker processes, awaited from the crawl's asyncio event loop.

Extraction is CPU-bound (trafilatura + lxml, ~10 ms a post) and holds the GIL: run inline,
it stalls Scrapy's reactor, so downloads wait while a page is parsed and a crawl uses one
core. A process pool sized to the cores lets the reactor fetch while the workers extract.

Workers start with the ``forkserver`` method: forking the crawl process itself would copy a
running reactor, its threads and sockets; ``spawn`` re-imports everything in each worker.
The fork server imports the extractor once and forks cheap, clean workers from it.

Each worker talks to the crawl over its own socket pair, read and written by the event loop
itself (``add_reader``/``add_writer``): length-prefixed pickles of (task id, page) one way and
(task id, result) the other. ``concurrent.futures.ProcessPoolExecutor`` did the same through two
helper threads, several pipes and a lock per task: 0.2-0.35 ms of the crawl process's CPU per
page, against ~0.05 ms here (measured with a 100 KB page, one and two cores). A worker holds at
most ``AHEAD`` pages (one extracting, the next already sent), the rest wait in the pool's queue.

A worker that dies (a segfault in a C parser, the OOM killer) is replaced; the pages it held are
tried again one at a time, so that a page that kills a worker again is the culprit: it becomes
a ``PageError`` and the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipelines.extract.config import ExtractConfig
from pipelines.extract.cpus import usable_cpus
from pipelines.record import Article, NotArticle, Page, PageError

log = logging.getLogger(__name__)

Result = Article | NotArticle | PageError
PARENT_CHECK_SECONDS = 0.2
# Imported once by the fork server, so that every worker starts with them (trafilatura is
# otherwise imported on first use, which the crawl's main process never reaches).
# This module too: each worker's entry point (_serve) is unpickled from here (~35 ms to import).
WORKER_MODULES = ("pipelines.extract.article", "trafilatura", "pipelines.extract.pool")
AHEAD = 2  # pages sent to a worker at once: it starts the next one without waiting for the loop
FRAME = struct.Struct("!Q")  # length of the pickle that follows
SOCKET_BUFFER = 4 * 1024 * 1024  # asked for; the kernel may give less (writes then wait in the loop)
READ_SIZE = 1 << 20
_worker_config: ExtractConfig | None = None  # set once per worker process


class WorkerDiedError(RuntimeError):
    """The worker process holding a page exited before it answered."""


def worker_count(setting: Any, cpus: int | None = None) -> int:
    """Extraction processes for a ``CLINIC_EXTRACT_WORKERS`` value: 0 = inline; unset = one per
    usable CPU when there are two or more, inline when there is one (a worker would only take
    turns with the crawl on that CPU: measured slower, and ~0.4 s more start-up; README
    "Performance")."""
    if setting not in (None, ""):
        return max(0, int(setting))
    cpus = usable_cpus() if cpus is None else cpus
    return cpus if cpus > 1 else 0


def start_fork_server() -> None:
    """Start the fork server (and have it import the extractor, ~0.4 s) now rather than when the
    crawl opens: called before the crawl process imports Scrapy, the two imports overlap on a
    machine with two cores. ``ExtractPool.start`` then forks its workers from this server."""
    from multiprocessing import forkserver

    forkserver.set_forkserver_preload(list(WORKER_MODULES))
    forkserver.ensure_running()


# --- the worker process ------------------------------------------------------------------------


def _init_worker(config: ExtractConfig, crawl_pid: int) -> None:
    global _worker_config
    _worker_config = config
    threading.Thread(target=_exit_with_crawl, args=(crawl_pid,), daemon=True).start()


def _exit_with_crawl(crawl_pid: int) -> None:
    """A killed crawl (SIGKILL, OOM) must not leave workers behind, busy or not (an idle one also
    sees its socket close; this covers a worker in the middle of a long page too)."""
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
    from pipelines.extract.article import build_article  # preloaded by the fork server (WORKER_MODULES)

    return build_article(page, _worker_config)


def _serve(sock: socket.socket, config: ExtractConfig, crawl_pid: int, task: Callable[[Page], Any]) -> None:
    """A worker's life: read (id, page), answer (id, result), until the crawl closes the socket."""
    _init_worker(config, crawl_pid)
    stream = sock.makefile("rb")
    while True:
        head = stream.read(FRAME.size)
        if len(head) < FRAME.size:
            return  # the crawl closed the pool (or died)
        task_id, page = pickle.loads(stream.read(FRAME.unpack(head)[0]))
        try:
            answer = (task_id, True, task(page))
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting page, as an executor would
            data = pickle.dumps((task_id, False, exc), pickle.HIGHEST_PROTOCOL)
        sock.sendall(FRAME.pack(len(data)) + data)


# --- the crawl's side ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: Any
    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)  # bytes read, not yet a whole answer
    outbox: bytearray = field(default_factory=bytearray)  # bytes to send when the socket takes them
    held: dict[int, asyncio.Future[Result]] = field(default_factory=dict)  # sent, not answered


class ExtractPool:
    """A long-lived process pool for ``build_article``: ``start()``, ``await build(page)``, ``close()``."""

    task = staticmethod(_build_in_worker)  # module-level, so workers can unpickle it

    def __init__(self, workers: int, config: ExtractConfig, start_method: str = "forkserver") -> None:
        self.workers = workers
        self.config = config
        self.start_method = start_method
        self.restarts = 0
        self._pool: list[_Worker] = []
        self._waiting: deque[tuple[int, bytes, asyncio.Future[Result]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_id = 0
        self._retry_lock = asyncio.Lock()
        self._open = False

    def start(self) -> None:
        """Start the worker processes (they are handed pages once ``build`` runs in the loop)."""
        context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            context.set_forkserver_preload(list(WORKER_MODULES))
        self._context = context
        self._open = True
        try:
            for _ in range(max(1, self.workers)):
                self._pool.append(self._spawn())
        except OSError:  # out of file descriptors or processes: stop the ones started
            self.close()
            raise

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        for sock in (ours, theirs):
            for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
                sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
        process = self._context.Process(
            target=_serve, args=(theirs, self.config, os.getpid(), self.task), daemon=True
        )
        process.start()
        theirs.close()
        ours.setblocking(False)
        worker = _Worker(process, ours)
        if self._loop is not None:
            self._watch(worker)
        return worker

    async def build(self, page: Page) -> Result:
        """The same result ``build_article(page, config)`` gives inline."""
        try:
            return await self._submit(page)
        except WorkerDiedError:
            log.warning("an extraction worker died; %s will be tried again on its own", page.url)
        async with self._retry_lock:  # one page at a time: if a worker dies now, this page killed it
            try:
                return await self._submit(page)
            except WorkerDiedError:
                log.error("extracting %s killed a worker process twice; skipping it", page.url)
                return PageError(page.url, "extract", "worker_crashed", "the extraction worker process died")

    def _submit(self, page: Page) -> asyncio.Future[Result]:
        if not self._open:
            raise RuntimeError("ExtractPool.build() before start() or after close()")
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._pool:
                self._watch(worker)
        self._next_id += 1
        future: asyncio.Future[Result] = self._loop.create_future()
        data = pickle.dumps((self._next_id, page), pickle.HIGHEST_PROTOCOL)
        self._waiting.append((self._next_id, FRAME.pack(len(data)) + data, future))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        """Hand waiting pages to workers with room, the least busy first."""
        while self._waiting:
            worker = min(self._pool, key=lambda w: len(w.held))
            if len(worker.held) >= AHEAD:
                return
            task_id, frame, future = self._waiting.popleft()
            if future.done():  # cancelled while waiting
                continue
            worker.held[task_id] = future
            self._send(worker, frame)

    def _send(self, worker: _Worker, frame: bytes) -> None:
        if not worker.outbox:
            try:
                sent = worker.sock.send(frame)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:  # the worker is gone: its reader sees the end and reports it
                return
            if sent == len(frame):
                return
            frame = frame[sent:]
            assert self._loop is not None
            self._loop.add_writer(worker.sock.fileno(), self._flush, worker)
        worker.outbox += frame

    def _flush(self, worker: _Worker) -> None:
        try:
            sent = worker.sock.send(worker.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            sent = len(worker.outbox)  # the worker is gone: its reader sees the end and reports it
        del worker.outbox[:sent]
        if not worker.outbox:
            assert self._loop is not None
            self._loop.remove_writer(worker.sock.fileno())

    def _watch(self, worker: _Worker) -> None:
        assert self._loop is not None
        self._loop.add_reader(worker.sock.fileno(), self._receive, worker)

    def _receive(self, worker: _Worker) -> None:
        try:
            chunk = worker.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._lost(worker)
            return
        inbox = worker.inbox
        inbox += chunk
        done = 0
        while len(inbox) - done >= FRAME.size:
            (size,) = FRAME.unpack_from(inbox, done)
            end = done + FRAME.size + size
            if len(inbox) < end:
                break
            task_id, ok, value = pickle.loads(memoryview(inbox)[done + FRAME.size : end])
            done = end
            future = worker.held.pop(task_id, None)
            if future is None or future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        del inbox[:done]
        self._dispatch()

    def _lost(self, worker: _Worker) -> None:
        """The worker exited: fail what it held, and put a new worker in its place."""
        self._forget(worker)
        for future in worker.held.values():
            if not future.done():
                future.set_exception(WorkerDiedError(f"extraction worker {worker.process.pid} exited"))
        worker.held.clear()
        if self._open and worker in self._pool:
            self._pool[self._pool.index(worker)] = self._spawn()
            self.restarts += 1
        self._dispatch()

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None:  # its socket was registered (_watch) when the loop was known
            self._loop.remove_reader(worker.sock.fileno())
            self._loop.remove_writer(worker.sock.fileno())
        worker.sock.close()
        worker.process.join(timeout=0)

    def close(self) -> None:
        """Stop the workers (each sees its socket close and exits) and wait for them."""
        self._open = False
        for _, _, future in self._waiting:
            future.cancel()
        self._waiting.clear()
        for worker in self._pool:
            for future in worker.held.values():
                future.cancel()
            self._forget(worker)
        for worker in self._pool:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._pool = []
