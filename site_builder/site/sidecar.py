"""Work in a forked child process beside the main one (the second core).

:func:`start` computes a value in a child and returns a :class:`Pending` at once (the
evaluate stage's build-your-own tables and other context lengths); :func:`all_computed` does
the same for several jobs around a ``with`` body (the build writes the fragments and data
tables while mkdocs runs); :func:`spawned` starts a new interpreter instead of forking (the
link check, at the end of a build, when this process holds the most memory). With
``SITE_BUILDER_PROCESSES=1`` in the environment every job runs
in this process instead, so a one-process build can be compared with the usual one (they write
the same bytes: tests/site/test_one_process.py).
Values come back pickled through a pipe; a failure in the child fails the build. Where
``fork`` is unavailable the job runs first, in this process. Children are daemons: they end
with the build, and run without the cyclic garbage collector: a job lives for one build and
builds acyclic rows and strings, which reference counting frees, while each collection would
walk every object the job has made (the API's tables took 13 CPU-s with it, 8 without).
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from site_builder.errors import BuildError

T = TypeVar("T")
S = TypeVar("S")


class Pending(Generic[T]):
    """The value a child process computes; :meth:`result` waits for it."""

    def __init__(
        self, value: T | None = None, reader: object = None, process: object = None
    ) -> None:
        self._value = value
        self._reader = reader
        self._process = process
        self._parent = os.getpid()
        if process is not None:
            _RUNNING.add(self)

    def cancel(self) -> None:
        """Stop the child (when its value is no longer wanted)."""
        _RUNNING.discard(self)
        if self._process is not None and os.getpid() == self._parent:
            self._process.terminate()  # type: ignore[attr-defined]
            self._process.join()  # type: ignore[attr-defined]
            self._process = None

    def result(self) -> T:
        _RUNNING.discard(self)
        if self._reader is not None:
            try:
                data = self._reader.recv_bytes()  # type: ignore[attr-defined]
            except EOFError as exc:
                raise BuildError("a build job died in its process before answering") from exc
            finally:
                self._reader.close()  # type: ignore[attr-defined]
                self._reader = None
            if self._process is not None and os.getpid() == self._parent:
                if _REAP_LATER.get():
                    _UNREAPED.append(self._process)
                else:
                    self._process.join()  # type: ignore[attr-defined]
            self._process = None  # it holds the job and all the job's closure refers to
            outcome = pickle.loads(data)
            if isinstance(outcome, BaseException):
                raise BuildError(f"a build job failed in its process: {outcome}")
            self._value = outcome
        return self._value  # type: ignore[return-value]


_RUNNING: weakref.WeakSet[Pending[Any]] = weakref.WeakSet()
"""Jobs of this process whose child has not been read from or stopped yet (weakly: a job no
one holds any more is dropped as before, closing its pipe; a staged job's value is read in
another process, so its entry here is never removed by reading)."""


@contextlib.contextmanager
def stopped_on_failure() -> Iterator[None]:
    """When the block fails, stop (terminate and wait for) every child it started that is
    still running before the failure goes on: a failed build must not leave a writer behind
    that goes on writing into the work folder, or holding the build lock it inherited, while
    the next build of the same folders starts (a test of a failed build followed by a
    rebuild found a catalog writer forked before the failure still running)."""
    before = set(_RUNNING)
    try:
        yield
    except BaseException:
        for job in [job for job in _RUNNING if job not in before]:
            job.cancel()
        raise
    finally:
        before.clear()


_REAP_LATER: contextvars.ContextVar[bool] = contextvars.ContextVar("reap_later", default=False)
_UNREAPED: list[Any] = []


@contextlib.contextmanager
def reaped_later() -> Iterator[None]:
    """Within the block (in this thread), :meth:`Pending.result` returns a child's value
    without waiting for the child to exit: a child of a large process takes about 50 ms to
    exit (unmapping the memory it shared), which the live preview spent two to four times per
    edit. They are waited for when the next such block starts (:func:`reap`), so their CPU
    time counts there (:func:`~site_builder.site.build.cpu_seconds`)."""
    reap()
    token = _REAP_LATER.set(True)
    try:
        yield
    finally:
        _REAP_LATER.reset(token)


def reap() -> None:
    """Wait for the children :func:`reaped_later` left to exit."""
    while _UNREAPED:
        _UNREAPED.pop().join()


ONE_PROCESS = "SITE_BUILDER_PROCESSES"
"""Environment variable: ``1`` runs every job in the build's own process."""


def one_process() -> bool:
    """Whether ``SITE_BUILDER_PROCESSES=1`` asks for every job in this process."""
    return os.environ.get(ONE_PROCESS) == "1"


def in_this_process() -> None:
    """From now on, run every job in this process (a worker that has a core of its own:
    :mod:`site_builder.site.shards`)."""
    os.environ[ONE_PROCESS] = "1"


def forking() -> bool:
    """Whether jobs run in child processes: ``fork`` is available and not turned off with
    ``SITE_BUILDER_PROCESSES=1``."""
    return not one_process() and "fork" in multiprocessing.get_all_start_methods()


BACKGROUND_NICE = 10
"""How much lower the priority of background jobs is (``nice``)."""


def start(job: Callable[[], T], *, background: bool = False) -> Pending[T]:
    """Start computing ``job()`` in a child process (in this one where ``fork`` is unavailable)
    and return at once; ``.result()`` waits for the value. The child is a daemon: it dies with
    this process. A ``background`` job (one this process only waits for at the end) runs at a
    lower priority, so it takes the cores this process leaves idle instead of slowing it."""
    if not forking():
        return Pending(job())
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    nice = BACKGROUND_NICE if background else 0
    process = context.Process(target=_send, args=(job, writer, os.getpid(), nice), daemon=True)
    process.start()
    writer.close()
    return Pending(reader=reader, process=process)


def start_staged(job: Callable[[Callable[[S], None]], T]) -> tuple[Pending[S], Pending[T]]:
    """:func:`start` (in the background) for a job that learns something early: ``job(tell)``
    calls ``tell(first)`` once on its way (how much work it found, say) and returns its value;
    each comes back on its own pipe, so one process can wait for the first while another reads
    the value. Where ``fork`` is unavailable the job runs first, in this process."""
    if not forking():
        told: list[S] = []
        value = job(told.append)
        return Pending(told[0]), Pending(value)
    context = multiprocessing.get_context("fork")
    first_reader, first_writer = context.Pipe(duplex=False)
    reader, writer = context.Pipe(duplex=False)

    def staged() -> T:
        def tell(first: S) -> None:
            first_writer.send_bytes(pickle.dumps(first, protocol=pickle.HIGHEST_PROTOCOL))
            first_writer.close()

        return job(tell)

    args = (staged, writer, os.getpid(), BACKGROUND_NICE)
    process = context.Process(target=_send, args=args, daemon=True)
    process.start()
    writer.close()
    first_writer.close()
    return Pending(reader=first_reader), Pending(reader=reader, process=process)


def spawned(function: Callable[..., T], *args: object) -> Pending[T]:
    """Start computing ``function(*args)`` in a new interpreter and return at once. Unlike a
    forked child, it shares none of this process's memory, which a job started late in a
    large build would otherwise start with (at 1,000 pages the link check's fork held 344 of
    the build's 355 MiB; the same check in a new interpreter, 60 MiB). ``function`` and
    ``args`` must pickle; the interpreter runs :func:`spawned_main` (not multiprocessing's
    ``spawn``, which runs the caller's ``__main__`` again). In this process with
    ``SITE_BUILDER_PROCESSES=1``."""
    if one_process():
        return Pending(function(*args))
    reading, writing = os.pipe()
    code = f"from site_builder.site.sidecar import spawned_main; spawned_main({writing})"
    popen = subprocess.Popen(
        [sys.executable, "-c", code, str(os.getpid())], stdin=subprocess.PIPE, pass_fds=(writing,)
    )
    os.close(writing)
    assert popen.stdin is not None
    popen.stdin.write(pickle.dumps(functools.partial(function, *args), pickle.HIGHEST_PROTOCOL))
    popen.stdin.close()
    child = _Spawned(popen, os.fdopen(reading, "rb"))
    return Pending(reader=child, process=child)


def spawned_main(answer: int) -> None:
    """The spawned interpreter: read the job from stdin, write its pickled outcome to the file
    descriptor ``answer`` (as :func:`_send` does)."""
    job = pickle.loads(sys.stdin.buffer.read())
    _send(job, _Answer(answer), int(sys.argv[1]), 0)


class _Answer:
    """A file descriptor seen as the writing end of a pipe (what :func:`_send` needs)."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "wb")

    def send_bytes(self, data: bytes) -> None:
        self._file.write(data)

    def close(self) -> None:
        self._file.close()


class _Spawned:
    """A spawned interpreter seen as :class:`Pending`'s reader and process."""

    def __init__(self, popen: subprocess.Popen[bytes], answer: Any) -> None:
        self._popen, self._answer = popen, answer

    def recv_bytes(self) -> bytes:
        data: bytes = self._answer.read()
        if not data:
            raise EOFError
        return data

    def close(self) -> None:
        self._answer.close()

    def terminate(self) -> None:
        self._popen.terminate()

    def join(self) -> None:
        self._popen.wait()


@contextlib.contextmanager
def all_computed(jobs: list[Callable[[], T]]) -> Iterator[list[Pending[T]]]:
    """Compute each job in its own child process, in the background, while the ``with`` body
    runs; all are read after the body, and a failing body stops them all."""
    with stopped_on_failure():
        pending = [start(job, background=True) for job in jobs]
        yield pending
    for job in pending:
        job.result()


def trim() -> None:
    """Give the memory this process freed back to the system (glibc's ``malloc_trim``), so
    the children it forks next do not start with it; nothing where there is no glibc."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this child when its parent dies (``prctl(PR_SET_PDEATHSIG)``), so a
    killed build leaves no worker behind; exit at once if the parent is already gone."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _send(job: Callable[[], object], writer: object, parent: int, nice: int) -> None:
    die_with_parent(parent)
    if nice:
        os.nice(nice)
    gc.disable()
    try:
        outcome: object = job()
    except BaseException as exc:  # reported by the parent
        traceback.print_exc()
        outcome = BuildError(str(exc))
    writer.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[attr-defined]
    writer.close()  # type: ignore[attr-defined]
