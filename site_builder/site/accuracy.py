"""The engine against the catalog's measurements, computed once per build.

The engine pairs every measured benchmark result with its prediction for the same conditions
(:func:`site_builder.engine.accuracy_points`); pages list them and the methodology page draws
them. Pending benchmarks get the engine's estimate of their configuration.
"""

from __future__ import annotations

from site_builder.engine import AccuracyPoint, Config, Estimate
from site_builder.engine.accuracy import Calibration, bench_cards
from site_builder.schema import Benchmark, Combo
from site_builder.site.results import Results


def points(results: Results) -> list[AccuracyPoint]:
    """Every measured result beside the engine's prediction (computed by the evaluate stage)."""
    found: list[AccuracyPoint] = results.memo[("accuracy_points",)]
    return found


def calibration(results: Results) -> Calibration:
    """Cross-validated error per runtime and metric, the fitted calibration groups and the
    ranges' held-out coverage (computed by the evaluate stage)."""
    found: Calibration = results.memo[("calibration",)]
    return found


def pending_estimate(results: Results, bench: Benchmark) -> Estimate:
    """The engine's result for a benchmark's configuration at the default workload."""
    return results.estimator(results.catalog, pending_config(bench))


def pending_config(bench: Benchmark) -> Config:
    """A benchmark's cards, model, quant, runtime and split at the engine's default tokens."""
    return Config(
        gpus=tuple((g.gpu, g.count) for g in bench.gpus),
        model=bench.model,
        quant=bench.quant,
        runtime=bench.runtime,
        interconnect=bench.interconnect,
        split=bench.split,
        kv_cache=bench.kv_cache,
        combo=bench.combo,
    )


def runs_on(bench: Benchmark, slug: str, combo: Combo) -> bool:
    """The benchmark ran on this combo: named it, or used exactly its cards."""
    if bench.combo is not None:
        return bench.combo == slug
    same_cards = bench_cards(bench) == combo.card_slugs()
    return same_cards and bench.interconnect in (None, combo.interconnect)
