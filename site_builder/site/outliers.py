"""Wrong measurements do not pass: a measured result far from the engine must say why.

Each measured result is compared with the engine's leave-one-GPU-out prediction for the same
conditions (calibrated without that GPU model, so a wrong value cannot pull the prediction
towards itself). It fails validation at its ``value`` when it differs by more than 2x, or, where
its runtime and metric have at least :data:`corrections.MIN_POINTS` measurements, by more than
their cross-validated 90th-percentile error (and by more than :data:`MIN_TOLERANCE_PCT`),
unless the result carries ``outlier_reason:``
(a known slow build, a power-limited card...), with a dead band around the p90 bound
(:data:`FLAG_MARGIN`, :data:`STALE_MARGIN`). A typo such as 185 for 18.5 tok/s is caught. An
``outlier_reason`` on a result the engine now predicts within tolerance fails too, so reasons
stay true as the engine improves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from site_builder.catalog import Catalog, yamlsafe
from site_builder.catalog.locate import locate
from site_builder.engine import fitting
from site_builder.engine.accuracy import raw_points
from site_builder.engine.corrections import MIN_POINTS
from site_builder.errors import Problem
from site_builder.site.pages.bench_rows import METRIC_NAMES

MAX_RATIO = 2.0
"""A measurement more than this factor away from the engine always needs a reason."""
FLAG_MARGIN = 1.1
STALE_MARGIN = 0.9
"""The p90 rule's dead band: a value is flagged beyond 1.1x the tolerance, and an
``outlier_reason`` is stale only within 0.9x of it. The tolerance moves a little with every
measurement added, so without the band one new benchmark could flag an unrelated one sitting at
the edge, or call its reason stale."""
MIN_TOLERANCE_PCT = 25.0
"""The p90 rule never flags a measurement closer than this: two runs of the same configuration
on different builds or machines routinely differ by 10-25 %, so a tighter bound would flag noise
(and every improvement of the engine would tighten it further)."""


def problems(catalog: Catalog, catalog_dir: Path, stale: bool = True) -> Iterator[Problem]:
    """Values far from the engine without a reason; with ``stale``, also reasons the engine
    no longer needs (not on a partial catalog: the calibration is fitted without the entries
    left out, so a reason may look unneeded only until they are fixed)."""
    raw = raw_points(catalog)
    predictions = fitting.cross_validate(raw, fitting.by_gpu)
    p90 = {
        (s.runtime, s.metric): s.p90_abs_pct
        for s in fitting.error_table(raw, predictions, "leave-one-gpu-out")
        if s.n >= MIN_POINTS
    }
    for point, predicted in zip(raw, predictions, strict=True):
        slug, index = point.ref
        result = catalog.benchmarks[slug].results[index]
        tolerance = p90.get((point.runtime, point.metric))
        why = _excess(point, predicted, tolerance, FLAG_MARGIN)
        field = "value"
        if result.outlier_reason:
            if _excess(point, predicted, tolerance, STALE_MARGIN) or not stale:
                continue
            field, why = "outlier_reason", _stale(point, predicted)
        if why:
            path = catalog_dir / "benchmarks" / f"{slug}.yaml"
            line, col = _position(path, ("results", index, field))
            shown = catalog.paths[("benchmarks", slug)]
            yield Problem(shown, line, col, f"results[{index}].{field}", why)


def _excess(
    point: fitting.RawPoint, predicted: float, p90_pct: float | None, margin: float = 1.0
) -> str:
    """Why ``point`` is an outlier against ``predicted`` ('' when it is not); the p90 rule's
    tolerance is scaled by ``margin`` (:data:`FLAG_MARGIN`, :data:`STALE_MARGIN`)."""
    ratio = point.measured / predicted
    error_pct = abs(predicted - point.measured) / point.measured * 100
    unit = METRIC_NAMES[point.metric][1]
    head = (
        f"{point.measured:g} {unit} is {ratio:.2g}x the engine's {predicted:.3g} {unit} for "
        "these conditions (calibrated without this GPU model)"
    )
    tail = (
        ": check the value against the source; if it is right, say why it differs in "
        "outlier_reason:"
    )
    if ratio > MAX_RATIO or ratio < 1 / MAX_RATIO:
        return f"{head}, more than {MAX_RATIO:g}x off{tail}"
    if p90_pct is not None and error_pct > max(p90_pct, MIN_TOLERANCE_PCT) * margin:
        return (
            f"{head}, {error_pct:.0f} % off where 90 % of {point.runtime} "
            f"{METRIC_NAMES[point.metric][0].lower()} measurements are within {p90_pct:.0f} %"
            f"{tail}"
        )
    return ""


def _stale(point: fitting.RawPoint, predicted: float) -> str:
    """The message for an ``outlier_reason`` the engine no longer needs: the reason explains a
    gap that is gone, so it would mislead."""
    unit = METRIC_NAMES[point.metric][1]
    return (
        f"the engine now gives {predicted:.3g} {unit} for these conditions, within tolerance of "
        f"the measured {point.measured:g} {unit}: remove this outlier_reason (it explains a gap "
        "that no longer exists)"
    )


def _position(path: Path, loc: tuple[str | int, ...]) -> tuple[int, int]:
    parsed = yamlsafe.parse(path.read_text(encoding="utf-8"))
    if isinstance(parsed, list):
        return 1, 1
    return locate(parsed.root, loc)
