"""The engine against the catalog's measurements, computed once per build.

The engine pairs every measured benchmark result with its prediction for the same conditions
(:func:`site_builder.engine.accuracy_points`); pages list them and the methodology page draws
them. Pending benchmarks get the engine's estimate of their configuration.
"""

from __future__ import annotations

from site_builder.engine import AccuracyPoint, Config, Estimate, accuracy_points
from site_builder.schema import Benchmark, Combo
from site_builder.site.results import Results


def points(results: Results) -> list[AccuracyPoint]:
    """Every measured result beside the engine's prediction (kept on ``results``)."""
    key = ("accuracy_points",)
    if key not in results.memo:
        results.memo[key] = accuracy_points(results.catalog, results.estimator)
    found: list[AccuracyPoint] = results.memo[key]
    return found


def pending_estimate(results: Results, bench: Benchmark) -> Estimate:
    """The engine's result for a benchmark's configuration at the default workload."""
    config = Config(
        gpus=tuple((g.gpu, g.count) for g in bench.gpus),
        model=bench.model,
        quant=bench.quant,
        runtime=bench.runtime,
        interconnect=bench.interconnect,
        split=bench.split,
        kv_cache=bench.kv_cache,
        combo=bench.combo,
    )
    return results.estimator(results.catalog, config)


def runs_on(bench: Benchmark, slug: str, combo: Combo) -> bool:
    """The benchmark ran on this combo: named it, or used exactly its cards."""
    if bench.combo is not None:
        return bench.combo == slug
    same_cards = [(g.gpu, g.count) for g in bench.gpus] == [(g.gpu, g.count) for g in combo.gpus]
    return same_cards and bench.interconnect in (None, combo.interconnect)
