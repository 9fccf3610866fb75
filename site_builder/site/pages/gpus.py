"""``/gpus/<slug>/`` and the ``/gpus/`` index."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from site_builder.catalog import Catalog
from site_builder.engine import names
from site_builder.engine.cost import cards_sheet
from site_builder.schema import Gpu
from site_builder.site import fmt, urls
from site_builder.site.context import Link, combo_link
from site_builder.site.memo import benchmark_combos
from site_builder.site.pages import gpu_records
from site_builder.site.pages.combo_hardware import Fact
from site_builder.site.pages.gpu_records import GpuRecordRow
from site_builder.site.pages.prices import Seen, gpu_prices
from site_builder.site.sitedata import Page, SiteData
from site_builder.site.tables import current_text

VENDORS = {"nvidia": "NVIDIA", "amd": "AMD", "apple": "Apple", "intel": "Intel"}
"""The catalog's vendor IDs as vendors write their names."""
SEGMENTS = {
    "consumer": "consumer",
    "workstation": "workstation",
    "datacenter": "data center",
    "soc": "system-on-chip",
}
"""The catalog's market segments in words."""
ARCHITECTURES = {
    "pascal": "Pascal",
    "volta": "Volta",
    "turing": "Turing",
    "ampere": "Ampere",
    "ada": "Ada Lovelace",
    "hopper": "Hopper",
    "blackwell": "Blackwell",
    "gcn5": "GCN 5 (Vega)",
    "cdna": "CDNA",
    "cdna2": "CDNA 2",
    "cdna3": "CDNA 3",
    "rdna2": "RDNA 2",
    "rdna3": "RDNA 3",
    "rdna3.5": "RDNA 3.5",
    "rdna4": "RDNA 4",
    "xe-hpg": "Xe-HPG",
    "xe2": "Xe2",
    "apple-m1": "Apple M1",
    "apple-m2": "Apple M2",
    "apple-m3": "Apple M3",
    "apple-m4": "Apple M4",
    "apple-m5": "Apple M5",
}
"""The catalog's architecture IDs as their vendors name them (a test holds one name for every
ID the schema allows)."""

MATRIX_UNITS: dict[str, str | None] = {
    "pascal": None,
    "volta": "tensor cores",
    "turing": "tensor cores",
    "ampere": "tensor cores",
    "ada": "tensor cores",
    "hopper": "tensor cores",
    "blackwell": "tensor cores",
    "gcn5": None,
    "cdna": "matrix cores",
    "cdna2": "matrix cores",
    "cdna3": "matrix cores",
    "rdna2": None,
    "rdna3": "AI accelerators",
    "rdna3.5": "AI accelerators",
    "rdna4": "AI accelerators",
    "xe-hpg": "XMX engines",
    "xe2": "XMX engines",
    "apple-m1": None,
    "apple-m2": None,
    "apple-m3": None,
    "apple-m4": None,
    "apple-m5": "GPU neural accelerators",
}
"""The units each architecture runs matrix products on, as its vendor names them; None where
it has none and FP16 runs on the shader cores (Pascal, Vega, RDNA 2, Apple M1-M4), so a page
does not call that rate a tensor rate. A test holds an entry for every ID the schema allows."""


def _rates(gpu: Gpu) -> list[Fact]:
    """The matrix, FP8 and INT8 rates, named by the units that run them; a chip without matrix
    units shows the shader cores' rate the engine computes with, and their FP16 arithmetic rate
    where it is far below it (GP102 Pascal)."""
    unit = MATRIX_UNITS[gpu.architecture]
    int8 = f"{fmt.num(gpu.int8_tops)} TOPS" if gpu.int8_tops else fmt.DASH
    fp8 = _tflops(gpu.fp8_tflops) if gpu.fp8_tflops else "no FP8 path"
    if unit is None:
        shader = [Fact("Matrix products, shader cores (no matrix units)", _tflops(gpu.fp16_tflops))]
        if gpu.half_precision_tflops:
            half = f"{fmt.num(gpu.half_precision_tflops, 2)} TFLOPS"
            shader.append(Fact("FP16 arithmetic, shader cores", half))
        shader.append(Fact("FP8", fp8))
        return [*shader, Fact("INT8", int8)] if gpu.int8_tops else shader
    return [
        Fact(f"FP16, {unit} (FP32 accumulate)", _tflops(gpu.fp16_tflops)),
        Fact(f"FP16, {unit} (FP16 accumulate)", _tflops(gpu.fp16_acc16_tflops)),
        Fact(f"FP8, {unit}", fp8),
        Fact(f"INT8, {unit}", int8),
    ]


@dataclass(frozen=True)
class GpuPage:
    name: str
    facts: list[Fact]
    notes: str
    combos: list[Link]
    sources: list[str]
    prices: list[Seen]
    record: list[GpuRecordRow]
    """How the engine did on this card's measurements, the card held out of its calibration."""
    off_target: str
    """The bound past which a record is off target (``1.25``)."""


@dataclass(frozen=True)
class GpuIndexRow:
    gpu: Link
    vendor: str
    segment: str
    vram: str
    bandwidth: str
    fp16: str
    power: str
    msrp: str
    newest: str


def pages(data: SiteData) -> Iterator[Page]:
    rows = []
    measured = benchmark_combos(data.catalog)  # the held-out record reads their cards
    for slug, gpu in data.catalog.gpus.items():
        rows.append(
            GpuIndexRow(
                Link(gpu.name, urls.link(urls.gpu(slug))),
                VENDORS[gpu.vendor],
                SEGMENTS[gpu.segment],
                fmt.gib(gpu.vram_gib),
                f"{gpu.mem_bandwidth_gb_s:,.0f}",
                fmt.num(gpu.fp16_tflops),
                fmt.watts(gpu.board_power_w),
                _launch(gpu),
                _newest(data, slug),
            )
        )
        made = partial(get_context, data, slug, gpu)
        held = holding(data.catalog, slug)
        answers = tuple(c for c in measured if c not in held)
        reads = (*held, *answers)
        yield Page(urls.gpu(slug), "gpu.md.j2", made, reads, text=(), answers=answers)
    yield Page(urls.index("gpus"), "gpu_index.md.j2", rows, (), text=())


def holding(catalog: Catalog, slug: str) -> tuple[str, ...]:
    """The combos with at least one card of GPU ``slug``: what a GPU page reads of them is their
    names and links. Beside them and the shared catalog it reads only the engine inputs of the
    combos benchmarks name (its held-out record), so a live preview keeps it across an edit to
    any other combo."""
    return tuple(c for c, combo in catalog.combos.items() if any(e.gpu == slug for e in combo.gpus))


def get_context(data: SiteData, slug: str, gpu: Gpu) -> GpuPage:
    link = data.catalog.interconnects[gpu.nvlink].name if gpu.nvlink else "none"
    facts = [
        Fact("Vendor / segment", f"{VENDORS[gpu.vendor]} / {SEGMENTS[gpu.segment]}"),
        Fact("Architecture", ARCHITECTURES[gpu.architecture]),
        Fact("Compute back-end", names.platform(gpu.platform)),
        Fact("Launched", str(gpu.launch_year)),
        Fact("Launch price", _launch(gpu)),
        Fact("Memory", f"{fmt.gib(gpu.vram_gib)} GiB {gpu.memory_type}"),
        Fact("Memory bandwidth", f"{gpu.mem_bandwidth_gb_s:,.0f} GB/s"),
        *_rates(gpu),
        Fact("Board power", f"{fmt.watts(gpu.board_power_w)} W"),
        Fact("Idle power", f"{fmt.watts(gpu.idle_power_w)} W" if gpu.idle_power_w else fmt.DASH),
        Fact(
            "Host link",
            f"PCIe {gpu.pcie_gen}.0 x{gpu.pcie_lanes}" if gpu.pcie_gen else "none (SoC)",
        ),
        Fact("NVLink", link),
        Fact("Unified memory", "yes" if gpu.unified_memory else "no"),
    ]
    combos = [combo_link(data.catalog, c) for c in holding(data.catalog, slug)]
    sources = list(gpu.sources)
    record = gpu_records.of_gpu(data, slug)
    return GpuPage(
        gpu.name,
        facts,
        gpu.notes or "",
        combos,
        sources,
        gpu_prices(gpu),
        record,
        gpu_records.BOUND,
    )


def _newest(data: SiteData, slug: str) -> str:
    """One card's cheapest newest price with its condition and date (a dash without one)."""
    current = cards_sheet([(slug, 1)], data.catalog.gpus).cheapest()
    return current_text(current) if current else fmt.DASH


def _launch(gpu: Gpu) -> str:
    """The launch list price with its year."""
    if gpu.launch_msrp_usd is None:
        return fmt.DASH
    return f"{fmt.usd(gpu.launch_msrp_usd)} ({gpu.launch_year})"


def _tflops(value: float | None) -> str:
    return f"{fmt.num(value)} TFLOPS" if value else fmt.DASH
