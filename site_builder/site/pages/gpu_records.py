"""The rows of ``/methodology/``'s per-GPU table and of each GPU page's own: each GPU model's
held-out record (:mod:`site_builder.engine.gpu_record`, computed by the evaluate stage) in a
reader's words."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine.gpu_record import OFF_TARGET, GpuRecord
from site_builder.site import accuracy, urls
from site_builder.site.context import Link
from site_builder.site.pages.bench_rows import METRIC_NAMES
from site_builder.site.sitedata import SiteData

BOUND = f"{OFF_TARGET:g}"
"""The off-target bound as the pages print it (``1.25``)."""


@dataclass(frozen=True)
class GpuRecordRow:
    """One GPU model, runtime and metric: measurements and the held-out median ratio."""

    gpu: Link
    runtime: str
    metric: str
    points: int
    ratio: str
    """``0.70×`` (measured / the engine's figure with this GPU model held out)."""
    off_target: bool


def rows(data: SiteData, records: list[GpuRecord]) -> list[GpuRecordRow]:
    """Every record, by GPU model name, then runtime and metric."""
    made = [_row(data, r) for r in records]
    return sorted(made, key=lambda r: (r.gpu.text.lower(), r.runtime, r.metric))


def of_gpu(data: SiteData, slug: str) -> list[GpuRecordRow]:
    """The records of GPU model ``slug`` (its page's table), by runtime and metric."""
    found = [r for r in accuracy.calibration(data.results).by_gpu if r.gpu == slug]
    return rows(data, found)


def _row(data: SiteData, r: GpuRecord) -> GpuRecordRow:
    gpu = data.catalog.gpus[r.gpu]
    runtime = data.catalog.runtimes.get(r.runtime)
    return GpuRecordRow(
        gpu=Link(gpu.name, urls.link(urls.gpu(r.gpu))),
        runtime=runtime.name if runtime else r.runtime,
        metric=METRIC_NAMES[r.metric][0],
        points=r.n,
        ratio=f"{r.median_ratio:.2f}×",
        off_target=r.off_target,
    )
