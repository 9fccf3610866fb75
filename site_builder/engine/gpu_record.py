"""How the engine fares on each GPU model the catalog has measurements of, that model held out.

The error tables (:func:`fitting.validation`) pool every GPU model of a runtime and metric, and
the misses cluster by card (one card's prefill runs at half the engine's figure on every model,
another's at twice it): a reader of one card wants that card's own record. For each GPU model
(the first card a benchmark names, the fold :func:`fitting.cross_validate` leaves out), runtime
and metric: how many measurements, and the median of measured / predicted, each predicted by a
calibration that never saw that GPU model. 1.0 is on target; 0.7 means the card ran at 70 % of
the engine's figure (for time to first token, took 70 % of its time). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.engine.fitting import RawPoint, by_gpu, cross_validate, median

OFF_TARGET = 1.25
"""A card whose held-out median ratio is above this, or below its inverse, is off target: the
engine's figure for it is more than a quarter away from what it measured."""


@dataclass(frozen=True)
class GpuRecord:
    """One GPU model's measurements of one runtime and metric against the held-out engine."""

    gpu: str
    runtime: str
    metric: str
    n: int
    """Measurements whose first card is this GPU model."""
    median_ratio: float
    """Median of measured / predicted, predicted without this GPU model's measurements."""

    @property
    def off_target(self) -> bool:
        return not 1 / OFF_TARGET <= self.median_ratio <= OFF_TARGET


def held_out_by_gpu(points: Sequence[RawPoint]) -> list[GpuRecord]:
    """Per GPU model, runtime and metric: the count and the median held-out ratio measured /
    predicted (leave-one-GPU-out, the same predictions as the cross-validated error)."""
    predictions = cross_validate(points, by_gpu)
    ratios: dict[tuple[str, str, str], list[float]] = {}
    for p, predicted in zip(points, predictions, strict=True):
        ratios.setdefault((p.gpus[0], p.runtime, p.metric), []).append(p.measured / predicted)
    return [
        GpuRecord(gpu, runtime, metric, len(found), round(median(found), 3))
        for (gpu, runtime, metric), found in sorted(ratios.items())
    ]
