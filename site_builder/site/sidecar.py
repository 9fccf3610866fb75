"""Work in a forked child process beside the main one (the second core).

:func:`start` computes a value in a child and returns a :class:`Pending` at once (the
evaluate stage's build-your-own tables and other context lengths); :func:`all_computed` does
the same for several jobs around a ``with`` body (the build writes the fragments and data
tables while mkdocs runs).
Values come back pickled through a pipe; a failure in the child fails the build. Where
``fork`` is unavailable the job runs first, in this process. Children are daemons: they end
with the build, and run without the cyclic garbage collector: a job lives for one build and
builds acyclic rows and strings, which reference counting frees, while each collection would
walk every object the job has made (the API's tables took 13 CPU-s with it, 8 without).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from site_builder.errors import BuildError

T = TypeVar("T")


class Pending(Generic[T]):
    """The value a child process computes; :meth:`result` waits for it."""

    def __init__(
        self, value: T | None = None, reader: object = None, process: object = None
    ) -> None:
        self._value = value
        self._reader = reader
        self._process = process
        self._parent = os.getpid()

    def cancel(self) -> None:
        """Stop the child (when its value is no longer wanted)."""
        if self._process is not None and os.getpid() == self._parent:
            self._process.terminate()  # type: ignore[attr-defined]
            self._process.join()  # type: ignore[attr-defined]
            self._process = None

    def result(self) -> T:
        if self._reader is not None:
            try:
                data = self._reader.recv_bytes()  # type: ignore[attr-defined]
            except EOFError as exc:
                raise BuildError("a build job died in its process before answering") from exc
            finally:
                self._reader.close()  # type: ignore[attr-defined]
                self._reader = None
            if self._process is not None and os.getpid() == self._parent:
                self._process.join()  # type: ignore[attr-defined]
            self._process = None  # it holds the job and all the job's closure refers to
            outcome = pickle.loads(data)
            if isinstance(outcome, BaseException):
                raise BuildError(f"a build job failed in its process: {outcome}")
            self._value = outcome
        return self._value  # type: ignore[return-value]


def start(job: Callable[[], T]) -> Pending[T]:
    """Start computing ``job()`` in a child process (in this one where ``fork`` is unavailable)
    and return at once; ``.result()`` waits for the value. The child is a daemon: it dies with
    this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return Pending(job())
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_send, args=(job, writer, os.getpid()), daemon=True)
    process.start()
    writer.close()
    return Pending(reader=reader, process=process)


@contextlib.contextmanager
def all_computed(jobs: list[Callable[[], T]]) -> Iterator[list[Pending[T]]]:
    """Compute each job in its own child process while the ``with`` body runs; all are read
    after the body, and a failing body stops them all."""
    pending = [start(job) for job in jobs]
    try:
        yield pending
    except BaseException:
        for job in pending:
            job.cancel()
        raise
    for job in pending:
        job.result()


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this child when its parent dies (``prctl(PR_SET_PDEATHSIG)``), so a
    killed build leaves no worker behind; exit at once if the parent is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _send(job: Callable[[], object], writer: object, parent: int) -> None:
    die_with_parent(parent)
    gc.disable()
    try:
        outcome: object = job()
    except BaseException as exc:  # reported by the parent
        traceback.print_exc()
        outcome = BuildError(str(exc))
    writer.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[attr-defined]
    writer.close()  # type: ignore[attr-defined]
