"""``/methodology/``: how figures are computed, the assumptions, and the engine's accuracy
against every measured benchmark (table and scatter), regenerated on each build."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from site_builder.engine import AccuracyPoint, accuracy_table
from site_builder.engine import ErrorRow as EngineErrorRow
from site_builder.engine.calibration import EXPERT_HALF_TOKENS, LLAMA_CPP_METAL
from site_builder.engine.config import DEFAULT_USD_PER_KWH
from site_builder.engine.corrections import ANY_PLATFORM, MIN_GPUS, MIN_POINTS, Group
from site_builder.engine.coverage import NOMINAL_PCT, Coverage
from site_builder.engine.fit import TIGHT_FRACTION, TIGHT_GIB
from site_builder.engine.fitting import ErrorStats
from site_builder.engine.recommend import FLOOR_QUANT, USABLE_CHAT_TOK_S
from site_builder.site import accuracy, fmt
from site_builder.site.pages import gpu_records
from site_builder.site.pages.bench_rows import METRIC_NAMES
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT
from site_builder.site.sitedata import Page, SiteData
from site_builder.site.svg.scatter import ScatterPoint, scatter_chart

_SPEED_METRICS = ("decode_tok_s", "prefill_tok_s", "aggregate_decode_tok_s", "output_tok_s")


@dataclass(frozen=True)
class ErrorRow:
    """Error statistics of one runtime (or all of them) and metric."""

    runtime: str
    metric: str
    points: int
    median: str
    p90: str
    bias: str


@dataclass(frozen=True)
class ValidationRow:
    """Cross-validated and in-sample error of one runtime and metric."""

    runtime: str
    metric: str
    points: int
    gpu_out: str
    """Leave-one-GPU-out: median / p90 / bias."""
    source_out: str
    in_sample: str


@dataclass(frozen=True)
class CoverageRow:
    """How often one runtime and metric's calibrated ranges held a left-out GPU's results."""

    runtime: str
    metric: str
    points: int
    inside: str
    """``76 %`` (of ``points``)."""


@dataclass(frozen=True)
class GroupRow:
    """One calibration group: runtime, back-end, model kind and metric."""

    runtime: str
    platform: str
    kind: str
    metric: str
    points: int
    gpus: int
    factor: str
    band: str
    calibrated: bool


@dataclass(frozen=True)
class MethodologyPage:
    validation: list[ValidationRow]
    coverage: list[CoverageRow]
    by_gpu: list[gpu_records.GpuRecordRow]
    """Each GPU model's held-out record per runtime and metric."""
    off_target: str
    """The bound past which a GPU model's record is off target (``1.25``)."""
    groups: list[GroupRow]
    min_points: int
    min_gpus: int
    accuracy: list[ErrorRow]
    scatter_svg: str
    assumptions: list[tuple[str, int]]
    configurations: int
    contexts: str
    headline_context: str
    floor: str
    slow_tok_s: str
    price_per_kwh: str
    tight_percent: str
    tight_gib: str
    nominal: str
    """The share of measurements a range claims to hold (``80 %``)."""
    unscored: int
    """Measured results in conditions the engine does not model, left out of the statistics."""
    lpddr5x_factor: str
    """llama.cpp on Metal's bandwidth multiplier on LPDDR5X Macs (M4 and later)."""
    expert_half_tokens: str
    """Tokens an expert gets in a pass at which its products run at half rate, on CUDA."""


def pages(data: SiteData) -> Iterator[Page]:
    yield Page("methodology.md", "methodology.md.j2", get_context(data))


def get_context(data: SiteData) -> MethodologyPage:
    found = [p for p in accuracy.points(data.results) if p.error is not None]
    points = [p for p in found if p.unscored is None]  # conditions the engine models
    rows = [_row(data, row) for row in accuracy_table(points)]
    if len({p.runtime for p in points}) > 1:
        rows += [_row(data, r) for r in accuracy_table(replace(p, runtime="") for p in points)]
    counts = data.results.headline_assumptions()
    stats, fitted, coverage, by_gpu = accuracy.calibration(data.results)
    return MethodologyPage(
        validation=_validation(data, stats),
        coverage=[_coverage(data, c) for c in coverage],
        by_gpu=gpu_records.rows(data, by_gpu),
        off_target=gpu_records.BOUND,
        groups=[_group(data, g) for g in fitted.groups],
        min_points=MIN_POINTS,
        min_gpus=MIN_GPUS,
        accuracy=rows,
        scatter_svg=_scatter(points),
        assumptions=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        configurations=data.results.size(),
        contexts=", ".join(fmt.tokens(c) for c in CONTEXTS),
        headline_context=fmt.tokens(HEADLINE_CONTEXT),
        floor=FLOOR_QUANT,
        slow_tok_s=f"{USABLE_CHAT_TOK_S:g}",
        price_per_kwh=fmt.usd(DEFAULT_USD_PER_KWH),
        tight_percent=f"{TIGHT_FRACTION:.0%}",
        tight_gib=f"{TIGHT_GIB:g}",
        nominal=f"{NOMINAL_PCT:.0f} %",
        unscored=len(found) - len(points),
        lpddr5x_factor=f"{LLAMA_CPP_METAL.lpddr5x_bw_factor:g}",
        expert_half_tokens=f"{EXPERT_HALF_TOKENS:g}",
    )


def _row(data: SiteData, row: EngineErrorRow) -> ErrorRow:
    runtime = data.catalog.runtimes[row.runtime].name if row.runtime else "All runtimes"
    return ErrorRow(
        runtime=runtime,
        metric=METRIC_NAMES[row.metric][0],
        points=row.count,
        median=f"{row.median_abs_pct:.0f} %",
        p90=f"{row.p90_abs_pct:.0f} %",
        bias=f"{row.bias_pct:+.0f} %" if round(row.bias_pct) else "0 %",
    )


def _name(data: SiteData, runtime: str) -> str:
    found = data.catalog.runtimes.get(runtime)
    return found.name if found else runtime


def _triple(s: ErrorStats) -> str:
    return f"{s.median_abs_pct:.0f} / {s.p90_abs_pct:.0f} / {s.bias_pct:+.0f} %"


def _validation(data: SiteData, stats: list[ErrorStats]) -> list[ValidationRow]:
    by_key: dict[tuple[str, str], dict[str, ErrorStats]] = {}
    for s in stats:
        by_key.setdefault((s.runtime, s.metric), {})[s.scheme] = s
    return [
        ValidationRow(
            runtime=_name(data, runtime),
            metric=METRIC_NAMES[metric][0],
            points=schemes["leave-one-gpu-out"].n,
            gpu_out=_triple(schemes["leave-one-gpu-out"]),
            source_out=_triple(schemes["leave-one-source-out"]),
            in_sample=_triple(schemes["in-sample"]),
        )
        for (runtime, metric), schemes in sorted(by_key.items())
    ]


def _coverage(data: SiteData, c: Coverage) -> CoverageRow:
    return CoverageRow(
        runtime=_name(data, c.runtime),
        metric=METRIC_NAMES[c.metric][0],
        points=c.n,
        inside=f"{c.share_pct:.0f} %",
    )


def _group(data: SiteData, g: Group) -> GroupRow:
    kind = "MoE" if g.moe else "dense"
    return GroupRow(
        runtime=_name(data, g.runtime),
        platform="every back-end" if g.platform == ANY_PLATFORM else g.platform,
        kind=kind,
        metric=METRIC_NAMES[g.metric][0],
        points=g.n,
        gpus=g.gpus,
        factor=f"{g.factor:.2f}" if g.calibrated else fmt.DASH,
        band=f"{g.low:.2f}–{g.high:.2f}" if g.calibrated else fmt.DASH,
        calibrated=g.calibrated,
    )


def _scatter(points: list[AccuracyPoint]) -> str:
    speed = [p for p in points if p.metric in _SPEED_METRICS and p.predicted]
    return scatter_chart(
        "accuracy",
        "Engine prediction against measurement (tok/s)",
        "tok/s",
        [
            ScatterPoint(
                f"{p.hardware}, {p.model} {p.quant}, {p.runtime}, {METRIC_NAMES[p.metric][0]}",
                p.measured,
                p.predicted or 0.0,
                METRIC_NAMES[p.metric][0],
            )
            for p in speed
        ],
    )
