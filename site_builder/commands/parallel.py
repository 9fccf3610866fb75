"""Ordered parallel map over forked workers, for CPU-bound CLI work on big inputs.

The workers are forked after the parent has loaded what they read (the catalog, the engine's
lookups), so nothing is pickled but the items and their answers; what the parent holds then is
frozen (``gc.freeze``), so the workers' garbage collector never walks it, which would copy
every page it lies on into each worker (about a tenth of a batch's CPU). Item ``i`` goes to
worker ``i mod n`` over that worker's own pipe, and answers are read back in the same turn, so
the output is the same bytes as a serial run. A thread feeds the workers while the caller reads
(no pipe can fill up on both sides), and nothing is shared between the processes but their
pipes: a caller that stops early (a reader closed stdout) kills the workers and never waits on
them. Workers die with their parent.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from site_builder.errors import BuildError
from site_builder.site.sidecar import die_with_parent

In = TypeVar("In")
Out = TypeVar("Out")

MAX_WORKERS = 4


def workers() -> int:
    """Worker processes to use: the CPUs this process may run on, at most MAX_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def ordered_map(func: Callable[[In], Out], items: Iterable[In], processes: int) -> Iterator[Out]:
    """``map(func, items)`` on ``processes`` forked workers, results in input order; an error
    reading ``items`` is raised after the results of the items before it, as ``map`` would."""
    if processes <= 1:
        yield from map(func, items)
        return
    context = multiprocessing.get_context("fork")
    gc.freeze()  # what the workers read is never traversed by their collector: no page copies
    pool = [_Worker(context, func) for _ in range(processes)]
    feeding = _Feeder(items, pool)
    try:
        for turn in range(1 << 62):
            kind, value = pool[turn % processes].receive()
            if kind == "end":
                break
            if kind == "failed":
                raise BuildError(f"a batch worker failed: {value}")
            yield value
        if feeding.error is not None:
            raise feeding.error
    finally:
        for worker in pool:
            worker.stop()


class _Worker:
    """One forked process answering items from its pipe, in order."""

    def __init__(self, context: Any, func: Callable[[Any], Any]) -> None:
        self.tasks, task_end = context.Pipe(duplex=False)[::-1]
        self.answers, answer_end = context.Pipe(duplex=False)
        _widen(task_end)
        _widen(answer_end)
        parent = os.getpid()
        self.process = context.Process(
            target=_serve, args=(func, task_end, answer_end, parent), daemon=True
        )
        self.process.start()
        task_end.close()
        answer_end.close()

    def send(self, item: object) -> None:
        self.tasks.send(("item", item))

    def finish(self) -> None:
        self.tasks.send(("end", None))

    def receive(self) -> tuple[str, Any]:
        try:
            found: tuple[str, Any] = self.answers.recv()
        except EOFError:
            return "failed", "the worker process ended before answering"
        return found

    def stop(self) -> None:
        """Kill the process if it still runs (a caller that stopped early) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.tasks.close()
        self.answers.close()


PIPE_BYTES = 1 << 20
"""The pipes' capacity asked of Linux (its default is 64 KiB; 1 MiB is the most an unprivileged
process may ask, ``/proc/sys/fs/pipe-max-size``). A worker's answer to one item (a batch
chunk's lines, about half a MiB) then fits whole, so the worker goes on to its next item while
the caller still reads the answers before it in turn; and the feeder sends several items
ahead, so a worker that finishes early does not wait while the feeder is blocked on a slower
worker's full pipe."""


def _widen(end: Connection) -> None:
    """Ask for PIPE_BYTES of buffer on ``end``'s pipe; where that is refused or not Linux, the
    pipe keeps its size (only slower)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _serve(func: Callable[[Any], Any], tasks: Connection, answers: Connection, parent: int) -> None:
    die_with_parent(parent)
    while True:
        kind, item = tasks.recv()
        if kind == "end":
            answers.send(("end", None))
            return
        try:
            answers.send(("item", func(item)))
        except Exception as exc:  # reported by the parent
            answers.send(("failed", f"{type(exc).__name__}: {exc}"))
            return


class _Feeder:
    """A thread sending item ``i`` to worker ``i mod n``, then the end to every worker. An
    error from ``items`` is kept for the caller; a worker gone (the caller stopped early) ends
    the feeding."""

    def __init__(self, items: Iterable[Any], pool: list[_Worker]) -> None:
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._feed, args=(items, pool), daemon=True)
        self._thread.start()

    def _feed(self, items: Iterable[Any], pool: list[_Worker]) -> None:
        try:
            try:
                for i, item in enumerate(items):
                    pool[i % len(pool)].send(item)
            except Exception as exc:  # raised by the caller after the answers before it
                self.error = exc
            for worker in pool:
                worker.finish()
        except OSError:  # a worker was killed: the caller is no longer reading
            return
