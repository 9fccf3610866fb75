"""``/benchmarks/``: every benchmark, measured (beside the engine's estimate) and pending.

The index lists every benchmark in one summary table; their full blocks (conditions, results
beside the engine, command, sources) sit on pages of :data:`bench_rows.PER_PAGE` measured
benchmarks each (``/benchmarks/measured-<n>/``) and one page of pending ones
(``/benchmarks/pending/``), so no page of blocks grows with the catalog's measurements (one
page held about 200 of them in 1 MB of HTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.site import urls
from site_builder.site.context import Link, model_link, runtime_link
from site_builder.site.pages import bench_rows
from site_builder.site.pages.bench_rows import PENDING_PAGE, locations
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
    page: str = ""
    """The Markdown page showing its block (:func:`locations`)."""


@dataclass(frozen=True)
class BenchmarksPage:
    measured: list[BenchBlock]
    pending: list[BenchBlock]
    parts: list[Link]
    """The pages of measured blocks, in order."""


@dataclass(frozen=True)
class BlocksPage:
    """One page of benchmark blocks."""

    title: str
    description: str
    blocks: list[BenchBlock]
    previous: Link | None
    next: Link | None


def pages(data: SiteData) -> Iterator[Page]:
    index = get_context(data)
    yield Page("benchmarks.md", "benchmarks.md.j2", index)
    for i, part in enumerate(index.parts):
        blocks = [b for b in index.measured if b.page == part.href.lstrip("/")]
        yield Page(
            part.href.lstrip("/"),
            "benchmarks_part.md.j2",
            BlocksPage(
                f"Measured benchmarks, part {i + 1} of {len(index.parts)}",
                "Measured benchmarks beside the engine's estimates for the same conditions, "
                "with their commands and sources.",
                blocks,
                index.parts[i - 1] if i else None,
                index.parts[i + 1] if i + 1 < len(index.parts) else None,
            ),
        )
    if index.pending:
        yield Page(
            PENDING_PAGE,
            "benchmarks_part.md.j2",
            BlocksPage(
                "Pending benchmarks",
                "Measurements still wanted, and the engine's estimate until they are made.",
                index.pending,
                None,
                None,
            ),
        )


def get_context(data: SiteData) -> BenchmarksPage:
    measured = bench_rows.measured_rows(data)
    pending = {row.anchor: row for row in bench_rows.pending_rows(data)}
    where = locations(data.catalog)
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
                page=where[slug],
            )
        )
    done = [b for b in blocks if b.status == "measured"]
    parts = list(dict.fromkeys(b.page for b in done))
    return BenchmarksPage(
        measured=done,
        pending=[b for b in blocks if b.status == "pending"],
        parts=[
            Link(f"Part {i + 1}: {_span(done, page)}", "/" + page) for i, page in enumerate(parts)
        ],
    )


def _span(blocks: list[BenchBlock], page: str) -> str:
    """``benchmarks 21-40``: the positions of ``page``'s blocks in the list."""
    where = [i + 1 for i, b in enumerate(blocks) if b.page == page]
    return f"benchmarks {where[0]}-{where[-1]}" if len(where) > 1 else f"benchmark {where[0]}"
