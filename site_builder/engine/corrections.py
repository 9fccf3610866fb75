"""Per-runtime calibration on measurements: a correction factor and an error band per runtime,
platform, metric and model kind (dense or MoE).

The physical model (:mod:`decode`, :mod:`prefill`, :mod:`concurrency`) predicts from specs;
this layer multiplies each speed by the geometric median of measured / predicted over the
catalog's measurements of that runtime, platform and metric (fitted by :mod:`fitting`, stored
in :mod:`fitted`). A group is *calibrated* when it holds at least ``MIN_POINTS`` measurements on
at least ``MIN_GPUS`` GPU models; its band is the 10th-90th percentile of the leave-one-GPU-out
ratio measured / predicted. Otherwise no factor is applied, the band is the runtime's published
one (:class:`calibration.Kernels` ``error_low``/``error_high``) and the figure is labelled
uncalibrated. A weight format none of the runtime's measurements used (vLLM's bitsandbytes NF4,
TensorRT-LLM's AWQ) runs other kernels than the ones measured, so its figures keep the factors
but are labelled uncalibrated with at least the published band (:meth:`Corrections.covers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_POINTS = 10
"""Measurements a runtime, platform and metric needs before it counts as calibrated."""
MIN_GPUS = 2
"""Distinct GPU models those measurements must span."""

ANY_PLATFORM = "any"
"""The platform of groups that pool every back-end (one model kind of one runtime)."""

SPEED_METRICS = (
    "decode_tok_s",
    "prefill_tok_s",
    "ttft_ms",
    "aggregate_decode_tok_s",
    "output_tok_s",
)
"""Metrics a correction factor applies to (memory is never scaled: it decides fits)."""


@dataclass(frozen=True)
class Group:
    """Calibration of one runtime, platform, metric and model kind."""

    runtime: str
    platform: str
    metric: str
    moe: bool
    """True: MoE models; False: dense models."""
    factor: float
    """Geometric median of measured / predicted (1.0 when uncalibrated)."""
    n: int
    gpus: int
    """Distinct GPU models among the measurements."""
    low: float
    """Leave-one-GPU-out ratio measured / predicted at the 10th percentile."""
    high: float
    """The same at the 90th percentile."""

    @property
    def calibrated(self) -> bool:
        return self.n >= MIN_POINTS and self.gpus >= MIN_GPUS


@dataclass(frozen=True)
class Applied:
    """What the engine applies to one metric: factor, band and whether it is calibrated."""

    factor: float
    low: float
    high: float
    calibrated: bool

    def around(self, raw: float) -> tuple[float, tuple[float, float]]:
        """The corrected figure of ``raw`` and the range around it. The range always holds the
        figure itself: a calibration that was biased for the held-out GPUs widens the range on
        that side instead of excluding its own value."""
        value = raw * self.factor
        return value, (value * min(self.low, 1.0), value * max(self.high, 1.0))


@dataclass(frozen=True)
class Correction:
    """The applied corrections of one runtime, platform and model kind, by metric."""

    by_metric: tuple[tuple[str, Applied], ...]

    @property
    def calibrated(self) -> tuple[str, ...]:
        """The metrics calibrated on measurements."""
        return tuple(name for name, applied in self.by_metric if applied.calibrated)

    def or_else(self, other: Correction) -> Correction:
        """This correction's metrics, then ``other``'s for the metrics it does not have."""
        have = {name for name, _ in self.by_metric}
        rest = tuple((name, applied) for name, applied in other.by_metric if name not in have)
        return Correction(self.by_metric + rest)

    def get(self, metric: str) -> Applied | None:
        for name, applied in self.by_metric:
            if name == metric:
                return applied
        return None


NONE = Correction(by_metric=())


def published(metric: str, low: float, high: float) -> tuple[float, float]:
    """A runtime's published band ``low``-``high`` (of speeds) as ratios of ``metric``: for
    TTFT, a time, its inverse (a prompt processed 1.3x as fast takes 1/1.3 of the time)."""
    return (1.0 / high, 1.0 / low) if metric == "ttft_ms" else (low, high)


def unproven(correction: Correction, low: float, high: float) -> Correction:
    """``correction``'s factors for a setup its measurements do not cover (several machines
    over a network): not calibrated, its band widened to at least ``low``-``high`` (the
    runtime's published band, :func:`published`)."""
    widened = []
    for m, a in correction.by_metric:
        lo, hi = published(m, low, high)
        widened.append((m, Applied(a.factor, min(a.low, lo), max(a.high, hi), False)))
    return Correction(tuple(widened))


@dataclass(frozen=True)
class Corrections:
    """Every fitted group; ``pick`` chooses the most specific calibrated one per metric."""

    groups: tuple[Group, ...] = ()
    formats: tuple[tuple[str, str], ...] = ()
    """(runtime, weight format) pairs the speed measurements cover."""
    _index: dict[tuple[str, str, str, bool], Group] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _picked: dict[tuple[str, str, bool], Correction] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._index.update({(g.runtime, g.platform, g.metric, g.moe): g for g in self.groups})

    def covers(self, runtime: str, weight_format: str) -> bool:
        """Whether some speed measurement of ``runtime`` used weights of ``weight_format``."""
        return (runtime, weight_format) in self.formats

    def find(self, runtime: str, platform: str, metric: str, moe: bool) -> Group | None:
        return self._index.get((runtime, platform, metric, moe))

    def pick(self, runtime: str, platform: str, moe: bool) -> Correction:
        """Per metric, the first calibrated group of: this back-end and model kind; this model
        kind on every back-end. None calibrated: nothing (the caller keeps the raw figure and
        the published band). Memoised per (runtime, platform, kind)."""
        key = (runtime, platform, moe)
        found = self._picked.get(key)
        if found is None:
            found = self._picked[key] = self._choose(runtime, platform, moe)
        return found

    def _choose(self, runtime: str, platform: str, moe: bool) -> Correction:
        chosen = []
        for metric in SPEED_METRICS:
            for plat in (platform, ANY_PLATFORM):
                g = self.find(runtime, plat, metric, moe)
                if g is not None and g.calibrated:
                    chosen.append((metric, Applied(g.factor, g.low, g.high, True)))
                    break
        return Correction(by_metric=tuple(chosen))


IDENTITY = Corrections()
"""No correction: the raw physical model (what the fit and the cross-validation start from)."""
