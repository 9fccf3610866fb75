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

from site_builder.engine.corrections import ANY_PLATFORM, Corrections, Group
from site_builder.engine.fitting import RawPoint, by_gpu, fit

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
        held = [p for p in points if next(iter(by_gpu(p))) == gpu]
        rest = fit([p for p in points if gpu not in p.gpus])
        for p in held:
            group = calibrated_group(rest, p)
            if group is None:
                continue
            count = counts.setdefault((p.runtime, p.metric), [0, 0])
            count[0] += 1
            count[1] += inside(p, group)
    return [Coverage(r, m, n, i) for (r, m), (n, i) in sorted(counts.items())]


def calibrated_group(fitted: Corrections, p: RawPoint) -> Group | None:
    """The group the engine would correct ``p`` with (:meth:`Corrections.pick`): its back-end,
    else every back-end, of its runtime, metric and model kind; None when neither is
    calibrated."""
    for platform in (p.platform, ANY_PLATFORM):
        group = fitted.find(p.runtime, platform, p.metric, p.moe)
        if group is not None and group.calibrated:
            return group
    return None


def inside(p: RawPoint, group: Group) -> bool:
    """Whether ``p``'s measurement lies in the range around its corrected figure (the range
    always holds the figure itself, as :class:`~site_builder.engine.estimate.Calibrated`
    publishes it)."""
    figure = p.predicted * group.factor
    low, high = min(group.low, 1.0), max(group.high, 1.0)
    return figure * low <= p.measured <= figure * high
