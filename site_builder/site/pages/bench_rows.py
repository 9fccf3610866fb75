"""Benchmark rows shared by combo pages and the benchmarks page: measured beside estimated."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.site import accuracy, fmt, urls
from site_builder.site.context import Link, model_link, runtime_link
from site_builder.site.pages import SiteData

METRIC_NAMES = {
    "decode_tok_s": ("Decode", "tok/s"),
    "prefill_tok_s": ("Prefill", "tok/s"),
    "ttft_ms": ("Time to first token", "ms"),
    "vram_used_gib": ("VRAM used", "GiB"),
    "aggregate_decode_tok_s": ("Aggregate decode", "tok/s"),
    "power_w": ("Power", "W"),
}


@dataclass(frozen=True)
class MeasuredRow:
    """One measured result beside the engine's estimate for the same conditions."""

    anchor: str
    title: str
    combo: Link | None
    metric: str
    conditions: str
    measured: str
    estimated: str
    error: str
    source: str


@dataclass(frozen=True)
class PendingRow:
    """A benchmark wanted but not run yet, with the engine's estimate of its decode speed."""

    anchor: str
    title: str
    combo: Link | None
    model: Link
    quant: str
    runtime: Link
    rationale: str
    estimated: str


def measured_rows(data: SiteData, combo: str | None = None) -> list[MeasuredRow]:
    """Every measured result (of one combo when ``combo`` is given)."""
    rows = []
    for point in accuracy.points(data.results):
        bench = data.catalog.benchmarks[point.benchmark]
        if combo is not None and bench.combo != combo:
            continue
        name, unit = METRIC_NAMES[point.result.metric]
        rows.append(
            MeasuredRow(
                anchor=urls.anchor(point.benchmark),
                title=bench.title,
                combo=_combo(data, bench.combo),
                metric=name,
                conditions=_conditions(
                    point.result.prompt_tokens, point.result.gen_tokens, point.result.concurrency
                ),
                measured=f"{fmt.num(point.measured)} {unit}",
                estimated=f"{fmt.num(point.predicted)} {unit}"
                if point.predicted is not None
                else fmt.DASH,
                error=f"{point.error:+.0%}" if point.error is not None else fmt.DASH,
                source=bench.result_source or bench.sources[0],
            )
        )
    return rows


def pending_rows(data: SiteData, combo: str | None = None) -> list[PendingRow]:
    """Every pending benchmark (of one combo when ``combo`` is given)."""
    rows = []
    for slug, bench in data.catalog.benchmarks.items():
        if bench.status != "pending" or (combo is not None and bench.combo != combo):
            continue
        estimate = None
        if bench.combo is not None:
            estimate = data.results.ask(accuracy.pending_query(bench))
        rows.append(
            PendingRow(
                anchor=urls.anchor(slug),
                title=bench.title,
                combo=_combo(data, bench.combo),
                model=model_link(data.catalog, bench.model),
                quant=bench.quant,
                runtime=runtime_link(data.catalog, bench.runtime),
                rationale=bench.rationale,
                estimated=f"{fmt.tok_s(estimate.decode_tok_s)} tok/s"
                if estimate and estimate.decode_tok_s
                else fmt.DASH,
            )
        )
    return rows


def _combo(data: SiteData, slug: str | None) -> Link | None:
    if slug is None:
        return None
    return Link(data.catalog.combos[slug].name, urls.link(urls.combo(slug)))


def _conditions(prompt: int, gen: int, concurrency: int) -> str:
    parts = []
    if prompt:
        parts.append(f"pp{prompt}")
    if gen:
        parts.append(f"tg{gen}")
    if concurrency > 1:
        parts.append(f"{concurrency} concurrent")
    return " ".join(parts)
