"""One build at a time per work folder: an exclusive ``fcntl`` lock on ``build.lock`` in the
work folder (``.build/``), held for the whole ``build`` or ``serve``.

A second ``build`` or ``serve`` for the same site or work folder does not wait behind a
preview that may run for hours: it stops at once with a message naming the process that holds
the lock (exit 1). The lock dies with its process, so a killed build never leaves a stale one.
A forked worker closes its copy of the lock's descriptor at once: an ``flock`` belongs to the
open file that parent and child share, so a worker still running after its build (see
:func:`~site_builder.site.sidecar.stopped_on_failure`) would otherwise hold the lock for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from site_builder.errors import BuildError
from site_builder.site.layout import Layout

_HELD: set[int] = set()
"""Descriptors of the locks this process holds."""


def _close_held_in_child() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


@contextlib.contextmanager
def exclusive(layout: Layout) -> Iterator[None]:
    """Hold the work folder's lock for the ``with`` body."""
    with _locked(lock_file(layout)):
        yield


def lock_file(layout: Layout) -> Path:
    """The lock file of a layout: in its work folder, which every build and preview writes."""
    return layout.work / "build.lock"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(
            f"cannot write in {path.parent} ({exc.strerror or exc}): the build writes its lock, "
            "work files and the new site there; choose a writable --site or --work"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            raise BuildError(
                f"another site-builder build or serve ({holder}) is using {path.parent}; "
                "wait for it to finish, or stop it, and run this again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode("ascii"), 0)
        _HELD.add(fd)
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)
