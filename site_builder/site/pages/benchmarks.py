"""``/benchmarks/``: every benchmark, measured (beside the engine's estimate) and pending."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.site import urls
from site_builder.site.context import Link, model_link, runtime_link
from site_builder.site.pages import bench_rows
from site_builder.site.sitedata import Page, SiteData


@dataclass(frozen=True)
class BenchBlock:
    anchor: str
    title: str
    status: str
    combo: Link | None
    model: Link
    quant: str
    runtime: Link
    runtime_version: str
    split: str
    command: str
    rationale: str
    measured_on: str
    results: list[bench_rows.MeasuredRow]
    estimate: str
    label: str
    """Evidence label of ``estimate``."""
    sources: list[str]
    hardware: str


@dataclass(frozen=True)
class BenchmarksPage:
    measured: list[BenchBlock]
    pending: list[BenchBlock]


def pages(data: SiteData) -> Iterator[Page]:
    yield Page("benchmarks.md", "benchmarks.md.j2", get_context(data))


def get_context(data: SiteData) -> BenchmarksPage:
    measured = bench_rows.measured_rows(data)
    pending = {row.anchor: row for row in bench_rows.pending_rows(data)}
    blocks = []
    for slug, bench in data.catalog.benchmarks.items():
        anchor = urls.anchor(slug)
        blocks.append(
            BenchBlock(
                anchor=anchor,
                title=bench.title,
                status=bench.status,
                combo=Link(
                    data.catalog.combos[bench.combo].name, urls.link(urls.combo(bench.combo))
                )
                if bench.combo
                else None,
                model=model_link(data.catalog, bench.model),
                quant=bench.quant,
                runtime=runtime_link(data.catalog, bench.runtime),
                runtime_version=bench.runtime_version or "",
                split=bench.split or "",
                command=bench.command or "",
                rationale=bench.rationale,
                measured_on=bench.measured_on.isoformat() if bench.measured_on else "",
                results=[row for row in measured if row.anchor == anchor],
                estimate=pending[anchor].estimated if anchor in pending else "",
                label=pending[anchor].label if anchor in pending else "estimated",
                sources=list(bench.sources),
                hardware=" + ".join(
                    f"{g.count}× {data.catalog.gpus[g.gpu].name}" for g in bench.gpus
                ),
            )
        )
    return BenchmarksPage(
        measured=[b for b in blocks if b.status == "measured"],
        pending=[b for b in blocks if b.status == "pending"],
    )
