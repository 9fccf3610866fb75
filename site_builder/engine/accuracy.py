"""The engine against every measured benchmark: per-point predictions and an error table.

``accuracy_points(catalog)`` reproduces each measured result's conditions (cards, link, model,
quant, runtime, split, KV type, flash attention, prompt and generated tokens, concurrency) and
pairs the measurement with the engine's figure; ``accuracy_table`` summarises the absolute
percentage errors (median, p90) and the bias per runtime and metric. The site draws its
predicted-vs-measured plot and error table from these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import names
from site_builder.engine.calibration import RAW_TABLE
from site_builder.engine.config import Config
from site_builder.engine.corrections import Corrections
from site_builder.engine.coverage import Coverage, held_out_coverage
from site_builder.engine.estimate import estimate, estimate_with, prepare
from site_builder.engine.fitting import ErrorStats, RawPoint, fit, quantile, summary, validation
from site_builder.engine.gpu_record import GpuRecord, held_out_by_gpu
from site_builder.engine.result import Estimate
from site_builder.engine.support import release_of
from site_builder.schema import Benchmark, Combo, Result, Runtime

Estimator = Callable[[Catalog, Config], Estimate]


@dataclass(frozen=True)
class AccuracyPoint:
    """One measured value beside the engine's prediction for the same conditions."""

    benchmark: str
    runtime: str
    metric: str
    hardware: str
    """``2x rtx-4090`` style description of the cards."""
    model: str
    quant: str
    prompt_tokens: int
    gen_tokens: int
    measured: float
    predicted: float | None
    verdict: str
    calibrated: bool = False
    """The engine's figure comes from a runtime and metric calibrated on measurements."""
    concurrency: int = 1
    """Requests in flight (``Result.concurrency``)."""
    mean_concurrency: float | None = None
    """Requests in flight on average, where the source measured it (``Result.mean_concurrency``:
    the engine predicts the point at it)."""
    unscored: str | None = None
    """Why the point is shown but left out of the error statistics (:func:`unscored`)."""

    @property
    def error(self) -> float | None:
        """Signed relative error (predicted - measured) / measured; None when there is no
        prediction or either figure is not a finite number (never NaN or infinity)."""
        if self.predicted is None or not self.measured:
            return None
        error = (self.predicted - self.measured) / self.measured
        return error if math.isfinite(error) else None


@dataclass(frozen=True)
class ErrorRow:
    """Error statistics of one runtime and metric, in percent."""

    runtime: str
    metric: str
    count: int
    median_abs_pct: float
    p90_abs_pct: float
    bias_pct: float
    """Median signed error: positive means the engine over-predicts."""


def bench_cards(bench: Benchmark) -> tuple[str, ...]:
    """The GPU ID of every card of a benchmark, card 0 first."""
    return tuple(g.gpu for g in bench.gpus for _ in range(g.count))


def named_combo(combo: Combo) -> tuple[tuple[str, ...], str | None]:
    """What :func:`result_config` reads of the combo a benchmark names: its cards and their
    interconnect (nothing else of it: a live preview keeps the calibration across any other
    edit of that combo, :func:`~site_builder.site.memo.benchmarks_stamp`)."""
    return combo.card_slugs(), combo.interconnect


def streams(result: Result) -> int:
    """The streams the engine predicts ``result`` at: the run's measured mean concurrency,
    rounded, where the source measures it (a capped serving run ramps up to its cap and drains
    below it, so its output throughput is that of fewer streams), else its concurrency."""
    if result.mean_concurrency is None:
        return result.concurrency
    return max(1, round(result.mean_concurrency))


def result_config(bench: Benchmark, result: Result, catalog: Catalog) -> Config:
    """The engine configuration reproducing one measured result."""
    inter = bench.interconnect
    combo = catalog.combos.get(bench.combo) if bench.combo else None
    if inter is None and combo is not None:
        cards, link = named_combo(combo)
        same = cards == bench_cards(bench)
        inter = link if same and sum(g.count for g in bench.gpus) > 1 else None
    tokens = result.prompt_tokens + result.gen_tokens
    if bench.runtime in LLAMA_FAMILY:
        # llama.cpp's parallel sequences share one window (-c, or batched-bench's N_KV): each
        # of the N sequences needs its own prompt + generated tokens of it.
        tokens *= result.concurrency
    return Config(
        gpus=tuple((g.gpu, g.count) for g in bench.gpus),
        model=bench.model,
        quant=bench.quant,
        runtime=bench.runtime,
        interconnect=inter,
        split=bench.split,
        context_tokens=result.context_tokens or max(tokens, 1),
        prompt_tokens=result.prompt_tokens,
        gen_tokens=result.gen_tokens,
        concurrency=streams(result),
        kv_cache=bench.kv_cache,
        flash_attention=bench.flash_attention,
        own_weights=True,
        host_ram_gib=bench.host.system_ram_gib if bench.host else None,
        ram_bandwidth_gb_s=bench.host.ram_bandwidth_gb_s if bench.host else None,
        cpu_moe_layers=bench.cpu_moe_layers,
        ubatch_tokens=bench.ubatch_tokens,
    )


def predicted(est: Estimate, metric: str, runtime: str, notes: str | None = None) -> float | None:
    """The engine's figure for ``metric``; see ``vram_used`` for memory results."""
    if metric == "vram_used_gib":
        return vram_used(est, runtime, notes or "")
    value: float | None = {
        "decode_tok_s": est.decode_tok_s,
        "prefill_tok_s": est.prefill_tok_s,
        "ttft_ms": est.ttft_ms,
        "aggregate_decode_tok_s": est.aggregate_decode_tok_s,
        "output_tok_s": est.output_tok_s,
        "power_w": est.power_w,
    }.get(metric)
    return value


PER_CARD = ("per card", "per-card", "each card", "per gpu", "per-gpu", "each gpu")
LLAMA_FAMILY = ("llama-cpp", "ollama", "lm-studio")


def vram_used(est: Estimate, runtime: str, notes: str) -> float:
    """Memory a result reports, read from its notes: llama.cpp's printed device buffers
    (weights + KV + compute, no CUDA context) unless it was read with nvidia-smi, else each
    card's total; one card when the notes name ``card N``/``GPU N``, the mean when they say
    per card, else the sum over cards."""
    text = notes.lower()
    smi = ("nvidia-smi" in text and "not nvidia-smi" not in text) or "memory.used" in text
    cards = est.memory.per_gpu
    if runtime in LLAMA_FAMILY and not smi:
        per = [c.weights_gib + c.kv_cache_gib + c.buffers_gib for c in cards]
    else:
        per = [c.total_gib for c in cards]
    named = re.search(r"\b(?:card|gpu)\s*(\d+)\b", text)
    if named and int(named.group(1)) < len(per):
        return per[int(named.group(1))]
    if any(p in text for p in PER_CARD):
        return sum(per) / max(len(per), 1)
    return sum(per)


def unscored(bench: Benchmark, runtime: Runtime | None) -> str | None:
    """Why a measurement is outside what the engine models, so no fit, error statistic or
    evidence label reads it (it is still listed): cards capped below their stock board power,
    a back-end other than the cards' own, or a release of ``runtime`` older than the engine the
    site models (``Runtime.engine_since``). None for the rest."""
    if bench.power_limit_w is not None:
        return f"cards capped at {bench.power_limit_w:g} W"
    if bench.backend is not None:
        return f"{names.platform(bench.backend)} back-end"
    if runtime is None or runtime.engine_since is None:
        return None
    release = release_of(bench.runtime_version or "")
    if release and release < release_of(runtime.engine_since.version):
        shown = ".".join(map(str, release))
        return f"{runtime.name} {shown}: {runtime.engine_since.change}"
    return None


def hardware(bench: Benchmark) -> str:
    """``2x rtx-4090 + 1x rtx-3090``."""
    return " + ".join(f"{g.count}x {g.gpu}" for g in bench.gpus)


def accuracy_points(catalog: Catalog, estimator: Estimator | None = None) -> list[AccuracyPoint]:
    """Every result of every measured benchmark, with the engine's prediction."""
    if estimator is None:
        lookups = prepare(catalog)

        def estimator(cat: Catalog, config: Config) -> Estimate:
            return estimate(cat, config, lookups)

    points = []
    for slug, bench in catalog.benchmarks.items():
        if bench.status != "measured":
            continue
        for result in bench.results:
            est = estimator(catalog, result_config(bench, result, catalog))
            value = predicted(est, result.metric, bench.runtime, result.notes)
            finite = value is not None and math.isfinite(value)
            points.append(
                AccuracyPoint(
                    benchmark=slug,
                    runtime=bench.runtime,
                    metric=result.metric,
                    hardware=hardware(bench),
                    model=bench.model,
                    quant=bench.quant,
                    prompt_tokens=result.prompt_tokens,
                    gen_tokens=result.gen_tokens,
                    measured=result.value,
                    predicted=round(value, 3) if finite and value is not None else None,
                    verdict=est.verdict,
                    calibrated=result.metric in est.calibrated,
                    concurrency=result.concurrency,
                    mean_concurrency=result.mean_concurrency,
                    unscored=unscored(bench, catalog.runtimes.get(bench.runtime)),
                )
            )
    return points


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile of ``values`` (q in 0..1); 0.0 for no values."""
    return quantile(values, q) if values else 0.0


def accuracy_table(points: Iterable[AccuracyPoint]) -> list[ErrorRow]:
    """Median / p90 absolute % error and median signed % error per (runtime, metric), of the
    points in conditions the engine models (:func:`unscored`)."""
    groups: dict[tuple[str, str], list[float]] = {}
    for p in points:
        if p.error is not None and p.unscored is None:
            groups.setdefault((p.runtime, p.metric), []).append(p.error * 100)
    rows = []
    for (runtime, metric), errors in sorted(groups.items()):
        median_abs, p90_abs, bias = summary(errors)
        rows.append(ErrorRow(runtime, metric, len(errors), median_abs, p90_abs, bias))
    return rows


def source_of(slug: str, bench: Benchmark) -> str:
    """The publication a benchmark comes from (its raw-results URL without a fragment), the
    unit of leave-one-source-out validation; the benchmark's own ID when it names none."""
    return (bench.result_source or slug).split("#")[0]


def raw_points(catalog: Catalog) -> list[RawPoint]:
    """Every finite measured result of the conditions the engine models beside the
    uncorrected engine figure (``RAW_TABLE``): what :func:`fitting.fit` calibrates on and
    :func:`fitting.validation` cross-validates (:func:`unscored` results are left out)."""
    lookups = prepare(catalog)
    out = []
    for slug, bench in catalog.benchmarks.items():
        if bench.status != "measured" or unscored(bench, catalog.runtimes.get(bench.runtime)):
            continue
        gpus = [catalog.gpus.get(g.gpu) for g in bench.gpus]
        model = catalog.models.get(bench.model)
        if model is None or any(g is None for g in gpus):
            continue
        platform = gpus[0].platform if gpus[0] is not None else "cuda"
        for index, result in enumerate(bench.results):
            config = result_config(bench, result, catalog)
            est = estimate_with(catalog, config, RAW_TABLE, lookups)
            value = predicted(est, result.metric, bench.runtime, result.notes)
            if value is None or not math.isfinite(value) or value <= 0:
                continue
            out.append(
                RawPoint(
                    runtime=bench.runtime,
                    platform=platform,
                    metric=result.metric,
                    moe=model.moe is not None,
                    gpus=tuple(dict.fromkeys(g.gpu for g in bench.gpus)),
                    source=source_of(slug, bench),
                    measured=result.value,
                    predicted=value,
                    ref=(slug, index),
                    weight_format=catalog.quants[bench.quant].format,
                )
            )
    return out


class Calibration(NamedTuple):
    """What ``accuracy`` prints and ``/methodology/`` shows of the catalog's measurements."""

    stats: list[ErrorStats]
    """The cross-validated and in-sample error per runtime and metric."""
    fitted: Corrections
    """The fitted groups: factors and ranges."""
    coverage: list[Coverage]
    """How often the calibrated ranges held measurements of GPUs left out of the fit."""
    by_gpu: list[GpuRecord]
    """Each GPU model's held-out record per runtime and metric."""


def calibration(catalog: Catalog) -> Calibration:
    """The error, the fitted groups, the ranges' held-out coverage and each GPU model's
    held-out record on ``catalog``'s measurements."""
    raw = raw_points(catalog)
    return Calibration(validation(raw), fit(raw), held_out_coverage(raw), held_out_by_gpu(raw))
