"""One build at a time per work folder: an exclusive ``fcntl`` lock on ``build.lock`` in the
work folder (``.build/``), held for the whole ``build`` or ``serve``.

A second ``build`` or ``serve`` for the same site or work folder does not wait behind a
preview that may run for hours: it stops at once with a message naming the process that holds
the lock (exit 1). The lock dies with its process, so a killed build never leaves a stale one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from site_builder.errors import BuildError
from site_builder.site.layout import Layout


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
        yield
    finally:
        os.close(fd)
