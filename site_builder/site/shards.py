"""The evaluate stage of a large catalog on every core: worker processes forked once, when the
stage starts, each evaluating a share of the batches and writing them into the store; the
build process then takes each combo from the store as a rebuild takes a combo an earlier build
left (:meth:`~site_builder.site.results.Results.reuse`), so the results are the same.

Each worker runs its jobs itself (the sweep, the other context lengths, the store's writer:
:func:`~site_builder.site.sidecar.in_this_process`), a core of its own. The build process
evaluating every batch itself would fork for each batch the sweep's other half, two jobs of
other context lengths and a writer; each fork write-protects all of the parent's memory, so
parent and children then fault on every page they write (at 10,000 pages, where the build
process holds about 1 GB, 43 million minor faults in the stage against 0.9 million with the
workers); it also sent the other half's estimates back through a pipe and worked out that
half's candidates again.
Workers forked at the start hold the catalog, and no combo but their batch.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import partial

from site_builder.site import sidecar
from site_builder.site.results import Results


def cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worth_it(batches: int) -> bool:
    """Whether ``batches`` batches go to workers: more than one batch, more than one core, and
    jobs run in child processes (:func:`~site_builder.site.sidecar.forking`)."""
    return batches > 1 and cores() > 1 and sidecar.forking()


def evaluated(
    results: Results, todo: list[list[str]], step: Callable[[list[str], bool], object]
) -> None:
    """Evaluate the batches ``todo`` with ``step`` (which writes each batch into the results'
    store) in one worker a core, the batches dealt out in turn, then take every combo from the
    store, in ``todo``'s order."""
    count = min(cores(), len(todo))
    gc.freeze()  # what the workers inherit: their collectors need not walk it (and copy it)
    with sidecar.stopped_on_failure():
        workers = [
            sidecar.start(partial(_work, results, todo[i::count], step)) for i in range(count)
        ]
        for worker in workers:
            worker.result()
    for combos in todo:
        for combo in combos:
            results.reuse(combo)


def _work(
    results: Results, todo: list[list[str]], step: Callable[[list[str], bool], object]
) -> None:
    """A worker: ``step`` each batch of ``todo`` (its own copy of ``results`` keeps nothing of
    a sealed batch but small figures: its rows are the build process's to read back)."""
    sidecar.in_this_process()
    for combos in todo:
        step(combos, False)
        results.rows.clear()
    results.written()
