"""Ordered parallel map over forked workers, for CPU-bound CLI work on big inputs.

The workers are forked after the parent has loaded what they read (the catalog, the engine's
lookups), so nothing is pickled but the chunks and their answers; ``imap`` keeps the input
order, so the output is the same bytes as a serial run. Workers die with their parent.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

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
    """``map(func, items)`` on ``processes`` forked workers, results in input order."""
    if processes <= 1:
        yield from map(func, items)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.imap(func, items)
