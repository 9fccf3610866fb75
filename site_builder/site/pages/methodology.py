"""``/methodology/``: how figures are computed, the assumptions, and the engine's accuracy
against every measured benchmark (table and scatter), regenerated on each build."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.site import accuracy, fmt
from site_builder.site.pages import Page, SiteData
from site_builder.site.pages.combo_derived import LOW_BITS, SLOW_TOK_S
from site_builder.site.pages.combo_hardware import PRICE_PER_KWH_USD
from site_builder.site.results import CONTEXTS, HEADLINE_CONTEXT
from site_builder.site.svg.scatter import ScatterPoint, scatter_chart

_SPEED_METRICS = ("decode_tok_s", "prefill_tok_s", "aggregate_decode_tok_s")


@dataclass(frozen=True)
class ErrorRow:
    """Error statistics of one runtime (or all) over its measured points."""

    runtime: str
    points: int
    mean_abs: str
    bias: str
    worst: str


@dataclass(frozen=True)
class MethodologyPage:
    accuracy: list[ErrorRow]
    scatter_svg: str
    assumptions: list[tuple[str, int]]
    configurations: int
    contexts: str
    headline_context: str
    low_bits: str
    slow_tok_s: str
    price_per_kwh: str


def pages(data: SiteData) -> Iterator[Page]:
    yield Page("methodology.md", "methodology.md.j2", get_context(data))


def get_context(data: SiteData) -> MethodologyPage:
    points = [p for p in accuracy.points(data.results) if p.error is not None]
    by_runtime: dict[str, list[accuracy.Point]] = {}
    for point in points:
        by_runtime.setdefault(point.runtime, []).append(point)
    rows = [_errors(data.catalog.runtimes[r].name, ps) for r, ps in sorted(by_runtime.items())]
    if points:
        rows.append(_errors("All runtimes", points))
    speed = [p for p in points if p.result.metric in _SPEED_METRICS and p.predicted]
    scatter = scatter_chart(
        "accuracy",
        "Engine prediction against measurement (tok/s)",
        "tok/s",
        [
            ScatterPoint(f"{p.benchmark} {p.result.metric}", p.measured, p.predicted or 0.0)
            for p in speed
        ],
    )
    counts = Counter(a for estimate in data.results.grid.values() for a in estimate.assumptions)
    return MethodologyPage(
        accuracy=rows,
        scatter_svg=scatter,
        assumptions=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        configurations=len(data.results.grid),
        contexts=", ".join(fmt.tokens(c) for c in CONTEXTS),
        headline_context=fmt.tokens(HEADLINE_CONTEXT),
        low_bits=f"{LOW_BITS:g}",
        slow_tok_s=f"{SLOW_TOK_S:g}",
        price_per_kwh=fmt.usd(PRICE_PER_KWH_USD),
    )


def _errors(name: str, points: list[accuracy.Point]) -> ErrorRow:
    errors = [p.error for p in points if p.error is not None]
    return ErrorRow(
        runtime=name,
        points=len(errors),
        mean_abs=f"{statistics.fmean(abs(e) for e in errors):.0%}",
        bias=f"{statistics.fmean(errors):+.0%}",
        worst=f"{max(errors, key=abs):+.0%}",
    )
