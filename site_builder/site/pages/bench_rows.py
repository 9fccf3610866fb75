"""Benchmark rows shared by combo pages and the benchmarks page: measured beside estimated."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine.evidence import estimated_label
from site_builder.site import accuracy, fmt, urls
from site_builder.site.context import Link, model_link, runtime_link
from site_builder.site.sitedata import SiteData

METRIC_NAMES = {
    "decode_tok_s": ("Decode", "tok/s"),
    "prefill_tok_s": ("Prefill", "tok/s"),
    "ttft_ms": ("Time to first token", "ms"),
    "vram_used_gib": ("VRAM used", "GiB"),
    "aggregate_decode_tok_s": ("Aggregate decode", "tok/s"),
    "output_tok_s": ("Output, prefill included", "tok/s"),
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
    label: str
    """The estimate's evidence label: estimated (calibrated) or uncalibrated."""
    error: str
    source: str
    page: str
    """The Markdown page showing the benchmark's block (:func:`locations`)."""


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
    label: str
    page: str


PER_PAGE = 20
"""Measured benchmarks per page of ``/benchmarks/`` blocks (about 100 KB of HTML)."""
PENDING_PAGE = "benchmarks/pending.md"


def locations(catalog: Catalog) -> dict[str, str]:
    """Benchmark ID -> the Markdown page showing its block: measured ones in catalog order,
    :data:`PER_PAGE` to a page, pending ones on one page."""
    out, measured = {}, 0
    for slug, bench in catalog.benchmarks.items():
        if bench.status == "pending":
            out[slug] = PENDING_PAGE
        else:
            out[slug] = f"benchmarks/measured-{measured // PER_PAGE + 1}.md"
            measured += 1
    return out


def measured_rows(data: SiteData, combo: str | None = None) -> list[MeasuredRow]:
    """Every measured result (of one combo when ``combo`` is given)."""
    where = locations(data.catalog)
    rows = []
    for point in accuracy.points(data.results):
        bench = data.catalog.benchmarks[point.benchmark]
        if combo is not None and not accuracy.runs_on(bench, combo, data.catalog.combos[combo]):
            continue
        name, unit = METRIC_NAMES[point.metric]
        error = point.error
        rows.append(
            MeasuredRow(
                anchor=urls.anchor(point.benchmark),
                title=bench.title,
                combo=_combo(data, bench.combo),
                metric=name,
                conditions=_conditions(point.prompt_tokens, point.gen_tokens, point.concurrency)
                + _in_flight(point.mean_concurrency)
                + _unscored(point.unscored),
                measured=f"{fmt.num(point.measured)} {unit}",
                estimated=_value(point.predicted, unit),
                label="estimated" if point.calibrated else "uncalibrated",
                error=f"{error:+.0%}" if error is not None else fmt.DASH,
                source=bench.result_source or bench.sources[0],
                page=where[point.benchmark],
            )
        )
    return rows


def pending_rows(data: SiteData, combo: str | None = None) -> list[PendingRow]:
    """Every pending benchmark (of one combo when ``combo`` is given)."""
    rows = []
    for slug, bench in data.catalog.benchmarks.items():
        if bench.status != "pending":
            continue
        if combo is not None and not accuracy.runs_on(bench, combo, data.catalog.combos[combo]):
            continue
        estimate = accuracy.pending_estimate(data.results, bench)
        rows.append(
            PendingRow(
                anchor=urls.anchor(slug),
                title=bench.title,
                combo=_combo(data, bench.combo),
                model=model_link(data.catalog, bench.model),
                quant=bench.quant,
                runtime=runtime_link(data.catalog, bench.runtime),
                rationale=bench.rationale,
                estimated=_value(estimate.decode_tok_s, "tok/s"),
                label=estimated_label(estimate, "decode_tok_s"),
                page=PENDING_PAGE,
            )
        )
    return rows


def _value(value: float | None, unit: str) -> str:
    return f"{fmt.num(value)} {unit}" if value is not None else fmt.DASH


def _combo(data: SiteData, slug: str | None) -> Link | None:
    if slug is None:
        return None
    return Link(data.catalog.combos[slug].name, urls.link(urls.combo(slug)))


def _unscored(why: str | None) -> str:
    """What keeps a measurement out of the accuracy statistics, said beside its conditions."""
    return "" if why is None else f", {why} (not in the statistics)"


def _in_flight(mean: float | None) -> str:
    """`` (13.93 on average)``: the measured mean of a capped run, at which it is estimated."""
    return "" if mean is None else f" ({fmt.num(mean)} on average)"


def _conditions(prompt: int, gen: int, concurrency: int) -> str:
    """llama-bench style: ``pp512``, ``tg128``, ``pp512 tg128``; ``pp1024 tg1024, 4 requests``
    when several ran at once."""
    parts = (f"pp{prompt}" * bool(prompt), f"tg{gen}" * bool(gen))
    shape = " ".join(part for part in parts if part)
    return shape if concurrency <= 1 else f"{shape}, {concurrency} requests"
