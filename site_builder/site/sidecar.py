"""Running one job in a forked process beside the main one (the second core).

The build renders the heavy, mkdocs-independent files (the per-combo estimate tables and the
matrix fragments) while mkdocs builds the pages. Where ``fork`` is unavailable the job runs
first, in this process. A failing job fails the build.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from collections.abc import Callable, Iterator

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
