"""Running one job in a forked process beside the main one (the second core).

The build renders the heavy, mkdocs-independent files (the per-combo estimate tables and the
matrix fragments) while mkdocs builds the pages. Where ``fork`` is unavailable the job runs
first, in this process. A failing job fails the build.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from site_builder.errors import BuildError


@contextlib.contextmanager
def beside(job: Callable[[], None]) -> Iterator[None]:
    """Run ``job`` in a child process while the ``with`` body runs; wait for it at the end."""
    if "fork" not in multiprocessing.get_all_start_methods():
        job()
        yield
        return
    process = multiprocessing.get_context("fork").Process(target=_run, args=(job,))
    process.start()
    try:
        yield
    finally:
        process.join()
    if process.exitcode != 0:
        raise BuildError(f"a build job failed in its process (exit code {process.exitcode})")


def _run(job: Callable[[], None]) -> None:
    try:
        job()
    except BaseException:
        traceback.print_exc()
        raise SystemExit(1) from None


T = TypeVar("T")


class Pending(Generic[T]):
    """The value a child process computes; :meth:`result` waits for it."""

    def __init__(self, value: T | None = None, reader: object = None) -> None:
        self._value = value
        self._reader = reader

    def result(self) -> T:
        if self._reader is not None:
            data = self._reader.recv_bytes()  # type: ignore[attr-defined]
            self._reader.close()  # type: ignore[attr-defined]
            self._reader = None
            outcome = pickle.loads(data)
            if isinstance(outcome, BaseException):
                raise BuildError(f"a build job failed in its process: {outcome}")
            self._value = outcome
        return self._value  # type: ignore[return-value]


@contextlib.contextmanager
def computed(job: Callable[[], T]) -> Iterator[Pending[T]]:
    """Compute ``job()`` in a child process while the ``with`` body runs (in this process where
    ``fork`` is unavailable); read it with ``.result()`` inside or after the body."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield Pending(job())
        return
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_send, args=(job, writer), daemon=True)
    process.start()
    writer.close()
    pending: Pending[T] = Pending(reader=reader)
    try:
        yield pending
        pending.result()
    finally:
        process.join()


def _send(job: Callable[[], object], writer: object) -> None:
    try:
        outcome: object = job()
    except BaseException as exc:  # reported by the parent
        traceback.print_exc()
        outcome = BuildError(str(exc))
    writer.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[attr-defined]
    writer.close()  # type: ignore[attr-defined]
