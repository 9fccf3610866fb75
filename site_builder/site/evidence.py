"""Evidence labels of the figures the site shows: measured, measured-near or estimated.

A figure is *measured* when a benchmark ran exactly this configuration, *measured-near* when
one ran the same hardware and model under other conditions (scaled by the engine's ratio), and
*estimated* otherwise, with the engine's low/high range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.schema import Benchmark
from site_builder.site import fmt
from site_builder.site.results import Query

Label = Literal["measured", "measured-near", "estimated"]


@dataclass(frozen=True)
class Shown:
    """A figure ready for a page: formatted value, unit, evidence label and range."""

    text: str
    unit: str
    label: Label
    range: str = ""
    benchmark: str | None = None

    @property
    def is_known(self) -> bool:
        return self.text != fmt.DASH


def decode(catalog: Catalog, query: Query, estimate: Estimate) -> Shown:
    """Single-stream decode speed with its evidence."""
    bench = matching_benchmark(catalog, query)
    measured = _measured(bench, "decode_tok_s")
    if bench is not None and measured is not None and estimate.decode_tok_s is not None:
        return Shown(fmt.tok_s(measured), "tok/s", "measured", benchmark=_slug(catalog, bench))
    return estimated_tok_s(estimate.decode_tok_s, estimate.decode_tok_s_range)


def estimated_tok_s(value: float | None, bounds: tuple[float, float] | None) -> Shown:
    """An engine-only speed with its low/high range."""
    span = f"{fmt.tok_s(bounds[0])}–{fmt.tok_s(bounds[1])}" if bounds else ""
    return Shown(fmt.tok_s(value), "tok/s", "estimated", span)


def estimated(text: str, unit: str) -> Shown:
    """An engine-only figure without a range (memory, power, TTFT)."""
    return Shown(text, unit, "estimated")


def matching_benchmark(catalog: Catalog, query: Query) -> Benchmark | None:
    """The measured benchmark of exactly this combo, model, quant and runtime, if any."""
    for bench in catalog.benchmarks.values():
        if bench.status != "measured" or bench.combo != query.combo:
            continue
        if (bench.model, bench.quant, bench.runtime) == (query.model, query.quant, query.runtime):
            return bench
    return None


def _measured(bench: Benchmark | None, metric: str) -> float | None:
    if bench is None:
        return None
    values = [result.value for result in bench.results if result.metric == metric]
    return values[0] if values else None


def _slug(catalog: Catalog, bench: Benchmark) -> str:
    return next(slug for slug, entry in catalog.benchmarks.items() if entry is bench)
