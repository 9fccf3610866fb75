"""Fit the per-runtime corrections on measurements, and cross-validate them honestly.

Input: every measured result with the raw engine figure for the same conditions (no
correction applied). ``fit`` returns one :class:`corrections.Group` per runtime, platform,
metric and model kind (plus the kinds pooled). ``cross_validate`` predicts each measurement
from a fit that never saw its GPU model (leave-one-GPU-out) or its source
(leave-one-source-out), so the reported error is out of sample. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from site_builder.engine.corrections import (
    ANY_PLATFORM,
    MIN_GPUS,
    MIN_POINTS,
    SPEED_METRICS,
    Corrections,
    Group,
)


@dataclass(frozen=True)
class RawPoint:
    """One measurement beside the uncorrected engine figure."""

    runtime: str
    platform: str
    metric: str
    moe: bool
    gpus: tuple[str, ...]
    """GPU models the benchmark ran on (first = the fold it belongs to)."""
    source: str
    """Where it was published (leave-one-source-out folds)."""
    measured: float
    predicted: float
    ref: tuple[str, int] = ("", 0)
    """The benchmark ID and the index of the result in its ``results`` list."""
    weight_format: str = ""
    """The quant's weight format (``gguf``, ``awq``, ``float``...)."""


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def quantile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile (q in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def log_ratio(p: RawPoint) -> float:
    return math.log(p.measured / p.predicted)


def keys(p: RawPoint) -> tuple[tuple[str, str, str, bool], ...]:
    """The groups a point belongs to, most specific first (the order :meth:`Corrections.pick`
    tries them): its back-end and model kind, then its model kind on every back-end. Dense and
    MoE models are never pooled: routing makes MoE decode reach a different share of the
    bandwidth, so one kind's factor would mislead the other."""
    return ((p.runtime, p.platform, p.metric, p.moe), (p.runtime, ANY_PLATFORM, p.metric, p.moe))


def factors(points: Iterable[RawPoint]) -> dict[tuple[str, str, str, bool], float]:
    """Geometric median of measured / predicted per calibrated group (speed metrics only)."""
    logs: dict[tuple[str, str, str, bool], list[float]] = {}
    cards: dict[tuple[str, str, str, bool], set[str]] = {}
    for p in points:
        if p.metric not in SPEED_METRICS:
            continue
        for key in keys(p):
            logs.setdefault(key, []).append(log_ratio(p))
            cards.setdefault(key, set()).update(p.gpus)
    return {
        key: math.exp(median(values))
        for key, values in logs.items()
        if len(values) >= MIN_POINTS and len(cards[key]) >= MIN_GPUS
    }


FALLBACK = {"aggregate_decode_tok_s": "decode_tok_s", "output_tok_s": "aggregate_decode_tok_s"}
"""The metric whose factor a metric takes while it has too few measurements of its own (and
so on down the chain): the engine runs batched decode steps with the single-stream kernels, so
an uncalibrated aggregate is published under the decode calibration
(``estimate.Calibrated.aggregate``), and an uncalibrated output throughput at the aggregate's
scale (``estimate.Calibrated.output``)."""


def corrected(p: RawPoint, fitted: dict[tuple[str, str, str, bool], float]) -> float:
    """The engine's figure for ``p`` under ``fitted``: the model kind's factor, else the pooled
    one (the same choice as :meth:`Corrections.pick`), else those of its :data:`FALLBACK`
    metric, else none: the figure the engine would publish."""
    for key in keys(p):
        if key in fitted:
            return p.predicted * fitted[key]
    other = FALLBACK.get(p.metric)
    while other is not None:
        for runtime, platform, _, moe in keys(p):
            if (runtime, platform, other, moe) in fitted:
                return p.predicted * fitted[(runtime, platform, other, moe)]
        other = FALLBACK.get(other)
    return p.predicted


Fold = Callable[[RawPoint], Iterable[str]]


def by_gpu(p: RawPoint) -> Iterable[str]:
    return p.gpus


def by_source(p: RawPoint) -> Iterable[str]:
    return (p.source,)


def cross_validate(points: Sequence[RawPoint], fold: Fold) -> list[float]:
    """Out-of-sample prediction of every point: each fold (a GPU model or a source, the first
    the point names) is predicted by a fit on the points that share nothing with it."""
    folds: dict[str, list[int]] = {}
    for i, p in enumerate(points):
        folds.setdefault(next(iter(fold(p))), []).append(i)
    out = [0.0] * len(points)
    for name, members in folds.items():
        train = [p for p in points if name not in fold(p)]
        fitted = factors(train)
        for i in members:
            out[i] = corrected(points[i], fitted)
    return out


def fit(points: Sequence[RawPoint]) -> Corrections:
    """Every group's factor, size and leave-one-GPU-out band."""
    fitted = factors(points)
    cv = cross_validate(points, by_gpu)
    members: dict[tuple[str, str, str, bool], list[int]] = {}
    for i, p in enumerate(points):
        if p.metric in SPEED_METRICS:
            for key in keys(p):
                members.setdefault(key, []).append(i)
    groups = []
    for key, idx in sorted(members.items()):
        ratios = [points[i].measured / cv[i] for i in idx]
        cards = {g for i in idx for g in points[i].gpus}
        runtime, platform, metric, moe = key
        groups.append(
            Group(
                runtime=runtime,
                platform=platform,
                metric=metric,
                moe=moe,
                factor=round(fitted.get(key, 1.0), 4),
                n=len(idx),
                gpus=len(cards),
                low=round(quantile(ratios, 0.1), 4),
                high=round(quantile(ratios, 0.9), 4),
            )
        )
    formats = {(p.runtime, p.weight_format) for p in points if p.metric in SPEED_METRICS}
    return Corrections(groups=tuple(groups), formats=tuple(sorted(formats)))


@dataclass(frozen=True)
class ErrorStats:
    """Error of one runtime and metric under one validation scheme, in percent."""

    runtime: str
    metric: str
    scheme: str
    """``leave-one-gpu-out``, ``leave-one-source-out`` or ``in-sample``."""
    n: int
    median_abs_pct: float
    p90_abs_pct: float
    bias_pct: float
    """Median signed error: positive means the engine over-predicts."""


def error_table(
    points: Sequence[RawPoint], predictions: Sequence[float], scheme: str
) -> list[ErrorStats]:
    """Median / p90 absolute % error and median signed % error per runtime and metric."""
    groups: dict[tuple[str, str], list[float]] = {}
    for p, pred in zip(points, predictions, strict=True):
        groups.setdefault((p.runtime, p.metric), []).append((pred - p.measured) / p.measured * 100)
    rows = []
    for (runtime, metric), errors in sorted(groups.items()):
        median_abs, p90_abs, bias = summary(errors)
        rows.append(ErrorStats(runtime, metric, scheme, len(errors), median_abs, p90_abs, bias))
    return rows


def summary(errors: Sequence[float]) -> tuple[float, float, float]:
    """Median and 90th percentile of the absolute errors and the median signed error, to 0.1
    (the figures every error table prints)."""
    absolute = [abs(e) for e in errors]
    return (
        round(median(absolute), 1),
        round(quantile(absolute, 0.9), 1),
        round(median(errors), 1),
    )


def validation(points: Sequence[RawPoint]) -> list[ErrorStats]:
    """Error tables under leave-one-GPU-out, leave-one-source-out and in-sample fits."""
    in_sample = factors(points)
    return [
        *error_table(points, cross_validate(points, by_gpu), "leave-one-gpu-out"),
        *error_table(points, cross_validate(points, by_source), "leave-one-source-out"),
        *error_table(points, [corrected(p, in_sample) for p in points], "in-sample"),
    ]
