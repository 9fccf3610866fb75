"""How often the calibrated ranges hold measurements of GPUs they were not fitted on.

A page's range around a calibrated figure is the 10th to 90th percentile of the group's
leave-one-GPU-out ratios measured / predicted (:func:`fitting.fit`), so it claims to hold about
80 % of measurements on a GPU the catalog has not measured. This checks the claim the same way
the error is checked: each GPU model in turn is left out, the calibration is fitted on the rest
(factors and ranges, its own leave-one-GPU-out included), and its measurements are tested
against the range the engine would then have published for them. Only measurements whose group
is calibrated without their GPU are counted: the others would carry the runtime's published
range, not a fitted one. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.engine.fitting import RawPoint, fit

NOMINAL_PCT = 80.0
"""The share of measurements a 10th-90th percentile range claims to hold."""


@dataclass(frozen=True)
class Coverage:
    """How many of one runtime and metric's held-out measurements the range held."""

    runtime: str
    metric: str
    n: int
    """Measurements whose group is calibrated without their GPU model."""
    inside: int
    """Of those, the ones inside the range the engine would have published."""

    @property
    def share_pct(self) -> float:
        return round(100.0 * self.inside / self.n, 1) if self.n else 0.0


def held_out_coverage(points: Sequence[RawPoint]) -> list[Coverage]:
    """Per runtime and metric: measurements inside the calibrated range fitted without their
    GPU model, out of those that have one."""
    counts: dict[tuple[str, str], list[int]] = {}
    for gpu in sorted({p.gpus[0] for p in points}):
        held = [p for p in points if p.gpus[0] == gpu]  # its fold, as cross_validate's
        rest = fit([p for p in points if gpu not in p.gpus])
        for p in held:
            # what the engine would apply (Corrections.pick: its back-end, else every one)
            applied = rest.pick(p.runtime, p.platform, p.moe).get(p.metric)
            if applied is None:
                continue
            _, (low, high) = applied.around(p.predicted)
            count = counts.setdefault((p.runtime, p.metric), [0, 0])
            count[0] += 1
            count[1] += low <= p.measured <= high
    return [Coverage(r, m, n, i) for (r, m), (n, i) in sorted(counts.items())]
