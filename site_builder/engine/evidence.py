"""Evidence labels: is a figure measured, measured-near (a measurement scaled by the engine's
ratio), or estimated (engine only, with its range)?

- measured: a measured benchmark ran exactly this configuration (cards, model, quant, runtime,
  split, KV type) and reports this metric at the same prompt/generated tokens and concurrency;
- measured-near: one ran the same cards and model under other conditions (quant, runtime,
  tokens); its value is scaled by engine(this) / engine(that);
- estimated: the engine's figure and its low/high range, on a runtime, platform and metric
  calibrated on enough measurements (:data:`corrections.MIN_POINTS` on
  :data:`corrections.MIN_GPUS` GPU models; the range is the leave-one-GPU-out band);
- uncalibrated: the engine's figure where there are too few measurements to calibrate (the
  runtime's published efficiency figures; a wider range).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from site_builder.catalog import Catalog
from site_builder.engine.accuracy import Estimator, predicted, result_config, unscored
from site_builder.engine.config import Config
from site_builder.engine.estimate import estimate
from site_builder.engine.result import Estimate
from site_builder.schema import Benchmark, Result

Label = Literal["measured", "measured-near", "estimated", "uncalibrated"]


@dataclass(frozen=True)
class Evidence:
    """A figure with its label; ``benchmark`` names the measurement behind it."""

    label: Label
    value: float | None
    low: float | None = None
    high: float | None = None
    benchmark: str | None = None

    def __reduce__(self) -> tuple[type[Evidence], tuple[Any, ...]]:
        """Pickled as the constructor's arguments: compiled (:mod:`native`), a frozen dataclass
        cannot be unpickled field by field."""
        return Evidence, (self.label, self.value, self.low, self.high, self.benchmark)


def _cards(config: Config) -> tuple[str, ...]:
    return tuple(s for s, n in config.gpus for _ in range(n))


def _bench_cards(bench: Benchmark) -> tuple[str, ...]:
    return tuple(g.gpu for g in bench.gpus for _ in range(g.count))


def measured_results(
    catalog: Catalog, config: Config, metric: str
) -> Iterator[tuple[str, Benchmark, Result]]:
    """Measured results of ``metric`` on the same cards and model, in conditions the engine
    models (stock power, the cards' own back-end)."""
    cards = _cards(config)
    for slug, bench in catalog.measured_by_model.get(config.model, ()):
        if _bench_cards(bench) != cards or unscored(bench, catalog.runtimes.get(bench.runtime)):
            continue
        for result in bench.results:
            if result.metric == metric:
                yield slug, bench, result


def is_exact(bench: Benchmark, result: Result, config: Config) -> bool:
    """Same quant, runtime, split, KV type, tokens and concurrency."""
    same_setup = (bench.quant, bench.runtime, bench.kv_cache) == (
        config.quant,
        config.runtime,
        config.kv_cache,
    )
    split_ok = bench.split is None or config.split is None or bench.split == config.split
    if result.metric == "prefill_tok_s":
        tokens_ok = (result.prompt_tokens, result.concurrency) == (
            config.prompt_tokens,
            config.concurrency,
        )
    else:
        tokens_ok = (result.prompt_tokens, result.gen_tokens, result.concurrency) == (
            config.prompt_tokens,
            config.gen_tokens,
            config.concurrency,
        )
    return same_setup and split_ok and tokens_ok


def label(
    catalog: Catalog,
    config: Config,
    metric: str,
    est: Estimate | None = None,
    estimator: Estimator = estimate,
) -> Evidence:
    """The evidence for ``metric`` (``decode_tok_s``, ``prefill_tok_s``, ...) of ``config``."""
    est = est or estimator(catalog, config)
    mine = predicted(est, metric, config.runtime)
    near: Evidence | None = None
    for slug, bench, result in measured_results(catalog, config, metric):
        if is_exact(bench, result, config):
            return Evidence("measured", result.value, benchmark=slug)
        if near is None and mine is not None:
            theirs = predicted(
                estimator(catalog, result_config(bench, result, catalog)), metric, bench.runtime
            )
            if theirs:
                near = Evidence(
                    "measured-near", round(result.value * mine / theirs, 2), benchmark=slug
                )
    if near is not None:
        return near
    low, high = band(est, metric) or (None, None)
    return Evidence(estimated_label(est, metric), mine, low, high)


def near_ratio(
    catalog: Catalog, config: Config, metric: str, estimator: Estimator = estimate
) -> float | None:
    """What :func:`label` multiplies the engine's figure by to make a measured-near one on
    ``config``'s cards and model: the first measurement's value over the engine's figure for
    its own conditions (None without one). Any configuration on the same cards and model that
    no measurement ran exactly shows the engine's figure times this ratio (the configurator
    applies it to the setups it shows beyond the recommended one)."""
    for _, bench, result in measured_results(catalog, config, metric):
        at = result_config(bench, result, catalog)
        theirs = predicted(estimator(catalog, at), metric, bench.runtime)
        if theirs:
            return result.value / theirs
    return None


def band(est: Estimate, metric: str) -> tuple[float, float] | None:
    """The engine's low-high range of ``metric`` (None for metrics without one)."""
    return {
        "decode_tok_s": est.decode_tok_s_range,
        "prefill_tok_s": est.prefill_tok_s_range,
        "ttft_ms": est.ttft_ms_range,
        "aggregate_decode_tok_s": est.aggregate_decode_tok_s_range,
        "output_tok_s": est.output_tok_s_range,
    }.get(metric)


def estimated_label(est: Estimate, metric: str) -> Label:
    """``estimated`` or ``uncalibrated``: whether the engine's figure of ``metric`` comes from a
    runtime and metric calibrated on enough measurements
    (:meth:`~site_builder.engine.result.Estimate.calibration_label`)."""
    return est.calibration_label(metric)


def as_shown(est: Estimate, found: Evidence) -> Estimate:
    """``est`` with its single-stream decode speed replaced by ``found``'s when that is a
    measurement (measured or measured-near), so the figures worked out from the speed follow
    the one pages show: the price per decode tok/s, the hosted-API comparison and, at one
    stream (where the aggregate is the single stream), the aggregate and per-user decode,
    energy per token and electricity per million tokens (the same power at load over the shown
    speed: J/token = W / tok/s). An estimated figure leaves ``est`` as it is."""
    decode = est.decode_tok_s
    if found.label not in ("measured", "measured-near") or not found.value or not decode:
        return est
    ratio = found.value / decode
    if est.aggregate_decode_tok_s != decode:  # several streams: their figures are the engine's
        return replace(est, decode_tok_s=found.value)
    return replace(
        est,
        decode_tok_s=found.value,
        aggregate_decode_tok_s=found.value,
        per_user_decode_tok_s=found.value,
        joules_per_token=None if est.joules_per_token is None else est.joules_per_token / ratio,
        cost_per_million_tokens_usd=None
        if est.cost_per_million_tokens_usd is None
        else est.cost_per_million_tokens_usd / ratio,
    )
