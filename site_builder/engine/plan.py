"""The context-independent part of an estimate: resolved entities, support, placement.

``plan_of`` does everything that does not depend on the context window, prompt, generation or
price; ``Lookups`` (from ``prepare(catalog)``) holds memos of model shapes and of plans owned
by the caller, so a sweep over contexts computes each plan once.
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import calibration as cal
from site_builder.engine import decode as dec
from site_builder.engine import launch, links, support
from site_builder.engine import memory as mem
from site_builder.engine import placement as plc
from site_builder.engine.config import Config
from site_builder.engine.corrections import Correction, unproven
from site_builder.engine.resolve import lookup
from site_builder.engine.result import Estimate
from site_builder.engine.shapes import GIB, Shape, shape_of
from site_builder.errors import UsageError
from site_builder.schema import Combo, Gpu, Model, Quant, Runtime

HOST_OS_RESERVE_GIB = 4.0
"""System RAM kept for the OS and the runtime process when layers are offloaded."""
DEFAULT_HOST_RAM_GIB = 64.0
"""System RAM assumed without a combo (a typical dual-GPU workstation)."""


class Context(NamedTuple):
    """Resolved entities of one configuration."""

    gpus: tuple[Gpu, ...]
    slugs: tuple[str, ...]
    model: Model
    quant: Quant
    runtime: Runtime
    runtime_slug: str
    link: links.Link
    host_ram_gib: float
    ram_bandwidth_gb_s: float
    caps: tuple[tuple[float, float], ...]
    """(capacity, overhead) bytes per card."""


class Hardware(NamedTuple):
    """The cards, their link and the host of a configuration."""

    gpus: tuple[Gpu, ...]
    slugs: tuple[str, ...]
    link: links.Link
    host_ram_gib: float
    ram_bandwidth_gb_s: float
    caps: tuple[tuple[float, float], ...]


def resolve(catalog: Catalog, config: Config, hardware: Hardware | None = None) -> Context:
    """Look up every ID of ``config`` (UsageError with a suggestion for unknown ones)."""
    hw = hardware or hardware_of(catalog, config)
    return Context(
        gpus=hw.gpus,
        slugs=hw.slugs,
        model=lookup("model", catalog.models, config.model),
        quant=lookup("quant", catalog.quants, config.quant),
        runtime=lookup("runtime", catalog.runtimes, config.runtime),
        runtime_slug=config.runtime,
        link=hw.link,
        host_ram_gib=hw.host_ram_gib,
        ram_bandwidth_gb_s=hw.ram_bandwidth_gb_s,
        caps=hw.caps,
    )


def hardware_of(catalog: Catalog, config: Config) -> Hardware:
    """Cards, link class and host of ``config`` (its own RAM and RAM bandwidth where it states
    them, else the combo's when it names one)."""
    slugs = tuple(s for s, n in config.gpus for _ in range(n))
    if not slugs:
        raise UsageError("no GPUs: give --combo or --gpu")
    gpus = tuple(lookup("gpu", catalog.gpus, s) for s in slugs)
    combo = lookup("combo", catalog.combos, config.combo) if config.combo else None
    link_id = config.interconnect or (combo.interconnect if combo else None)
    inter = lookup("interconnect", catalog.interconnects, link_id) if link_id else None
    kind = inter.kind if inter else ("unified-memory" if gpus[0].unified_memory else "pcie")
    p2p = combo.pcie_p2p if combo else (kind == "nvlink" or gpus[0].segment != "consumer")
    bandwidth = inter.bandwidth_gb_s if inter else support.default_pcie_gb_s(gpus)
    name = inter.name if inter else ""
    slowest = slowest_slot(catalog, combo) if combo and kind == "pcie" else None
    if slowest is not None:
        name, bandwidth = slowest
    klass = links.link_class(kind, p2p, len(gpus))
    ram = combo.host.system_ram_gib if combo else None
    ram_bw = combo.host.ram_bandwidth_gb_s if combo else dec.DEFAULT_RAM_BANDWIDTH_GB_S
    return Hardware(
        gpus=gpus,
        slugs=slugs,
        link=links.Link(klass, bandwidth, network_of(catalog, combo), name),
        host_ram_gib=host_ram_gib(gpus, config.host_ram_gib or ram),
        ram_bandwidth_gb_s=config.ram_bandwidth_gb_s or ram_bw,
        caps=tuple(plc.usable(g, i) for i, g in enumerate(gpus)),
    )


def slowest_slot(catalog: Catalog, combo: Combo) -> tuple[str, float] | None:
    """The slowest PCIe slot of the combo's cards, as (name, GB/s per direction), or None when
    it states no slots. Every split crosses every card's slot (a layer split hands activations
    from card to card, tensor parallel all-reduces over all of them), so PCIe card-to-card
    traffic runs at the slowest one's rate."""
    if not combo.slots:
        return None
    found = [(lookup("interconnect", catalog.interconnects, s.link), s.via) for s in combo.slots]
    link, via = min(found, key=lambda pair: pair[0].bandwidth_gb_s)
    return f"{link.name} ({via} lanes)", link.bandwidth_gb_s


def network_of(catalog: Catalog, combo: Combo | None) -> links.Network | None:
    """The network between the combo's machines, when it spans several."""
    if combo is None or combo.machines <= 1 or combo.network is None:
        return None
    net = lookup("interconnect", catalog.interconnects, combo.network)
    if net.kind != "network" or net.latency_us is None:
        raise UsageError(f"interconnect {combo.network!r} is not a network link with a latency")
    ports = combo.network_ports
    bandwidth = net.bandwidth_gb_s * ports
    name = net.name if ports == 1 else f"{ports}× {net.name} per machine"
    return links.Network(combo.machines, bandwidth, net.latency_us, name)


def host_ram_gib(gpus: tuple[Gpu, ...], combo_ram: float | None) -> float:
    """System RAM for offloaded layers: the combo's host, the part of unified memory the GPU
    may not use, or a default workstation."""
    if gpus[0].unified_memory:
        return gpus[0].vram_gib - mem.card_capacity_gib(gpus[0])
    return combo_ram if combo_ram is not None else DEFAULT_HOST_RAM_GIB


class Speeds(NamedTuple):
    """The speed, power and concurrency figures of a runnable configuration."""

    decode: float | None = None
    decode_range: tuple[float, float] | None = None
    prefill: float | None = None
    ttft_ms: float | None = None
    aggregate: float | None = None
    per_user: float | None = None
    power_w: float | None = None
    joules: float | None = None
    cost: float | None = None
    capacity: int | None = None
    prefill_range: tuple[float, float] | None = None
    ttft_range: tuple[float, float] | None = None
    aggregate_range: tuple[float, float] | None = None
    output: float | None = None
    output_range: tuple[float, float] | None = None
    calibrated: tuple[str, ...] = ()


class Plan(NamedTuple):
    """Everything about a configuration that does not depend on the tokens asked about."""

    ctx: Context
    split: str
    flash_attention: bool
    style: plc.MemoryStyle
    shape: Shape
    request: plc.Request
    placement: plc.Placement
    """The GPU-only placement (offload is decided per context)."""
    can_offload: bool
    speed: dec.SpeedInputs
    host_room: float
    """System RAM available for offloaded layers, bytes."""
    assumptions: tuple[str, ...]
    speeds: dict[tuple[object, ...], Speeds]
    """Memo of speed figures by (prompt, gen, users, KV capacity, price) for this placement."""
    correction: Correction
    """Per-metric calibration on measurements (:mod:`corrections`) for this runtime, platform
    and model kind."""
    limits: dict[tuple[str, int], int]
    """Memo of the largest contexts by ("vram" or "offload", cap); see
    ``estimate.largest_context``."""
    source: launch.Source | None
    """What the runtime loads (:func:`launch.source`)."""
    experts_offload: bool = False
    """Offload keeps routed experts in system RAM rather than whole layers
    (:func:`support.can_offload_experts`)."""


class Refusal(NamedTuple):
    """A configuration the runtime cannot run: why, and the little its estimate still states
    (nothing is placed: its memory would describe a setup that does not exist)."""

    problems: tuple[str, ...]
    split: str
    assumptions: tuple[str, ...]
    link: str
    """The link class between the cards."""


PlanKey = tuple[object, ...]


class Lookups(NamedTuple):
    """Per-catalog memos for many estimates (``prepare``): model shapes, plans and more. Owned
    by the caller (the site build, the batch command, the benchmark)."""

    shapes: dict[tuple[str, str], Shape]
    """(model, quant) -> Shape, filled as estimates need them (:func:`shape_for`)."""
    plans: dict[PlanKey, Plan | Refusal] | None
    """Plans already computed, by configuration minus tokens (filled as estimates run); None
    remembers none (a sweep that asks each configuration once, where the memo would only hold
    memory)."""
    hardware: dict[tuple[object, ...], Hardware]
    """Hardware already resolved, by (cards, interconnect, combo)."""
    notes: dict[tuple[object, ...], tuple[str, ...]]
    """The assumptions already written, by what they depend on (:func:`notes_key`): the same
    for every model and quant on the same cards, runtime and cache, so a sweep's results share
    a few thousand tuples of sentences."""
    refused: dict[Refusal, Estimate]
    """One answer per distinct refusal: a sweep asks tens of thousands of configurations a
    runtime cannot run for the same few reasons, and equal answers share one object."""
    sources: dict[tuple[str, str, str], launch.Source | None]
    """What each runtime loads for each model and quant (:func:`launch.source`), by (runtime,
    model, quant): the same on every card, so a sweep works each out once, not once a
    configuration."""


def prepare(catalog: Catalog, remember_plans: bool = True) -> Lookups:
    """Empty memos for many estimates of ``catalog``; with ``remember_plans``, estimates reuse
    the plan of a configuration asked before. Shapes are worked out on first use
    (:func:`shape_for`): a one-line ``estimate`` needs one of the catalog's thousands."""
    return Lookups(
        shapes={},
        plans={} if remember_plans else None,
        hardware={},
        notes={},
        refused={},
        sources={},
    )


def shape_for(
    catalog: Catalog, config: Config, shapes: dict[tuple[str, str], Shape]
) -> Shape | None:
    """The shape of ``config``'s model and quant, from ``shapes`` or worked out and kept there
    (None for an unknown model or quant: :func:`resolve` names it)."""
    pair = (config.model, config.quant)
    found = shapes.get(pair)
    if found is None:
        model, quant = catalog.models.get(config.model), catalog.quants.get(config.quant)
        if model is None or quant is None:
            return None
        found = shapes[pair] = shape_of(model, quant)
    return found


def plan_key(config: Config, table: cal.Table) -> PlanKey:
    """What a plan depends on (Ollama's KV depends on its parallel slots)."""
    slots = config.concurrency if config.runtime == "ollama" else 1
    return (
        config.gpus,
        config.model,
        config.quant,
        config.runtime,
        config.interconnect,
        config.split,
        config.kv_cache,
        config.combo,
        config.own_weights,
        config.flash_attention,
        config.tensor_split,
        config.host_ram_gib,
        config.ram_bandwidth_gb_s,
        config.ubatch_tokens,
        slots,
        id(table),
    )


def plan_for(
    catalog: Catalog, config: Config, table: cal.Table, lookups: Lookups | None
) -> Plan | Refusal:
    """The plan of ``config`` (or why there is none), from the memo of ``lookups`` when it is
    there."""
    if lookups is None:
        return plan_of(catalog, config, table)
    plans = lookups.plans
    key = plan_key(config, table) if plans is not None else ()
    found = plans.get(key) if plans is not None else None
    if found is None:
        hw_key: tuple[object, ...] = (config.gpus, config.interconnect, config.combo)
        hw_key += (config.host_ram_gib, config.ram_bandwidth_gb_s)
        hw = lookups.hardware.get(hw_key)
        if hw is None:
            hw = lookups.hardware[hw_key] = hardware_of(catalog, config)
        shape = shape_for(catalog, config, lookups.shapes)
        found = plan_of(catalog, config, table, shape, hw, lookups.notes, lookups.sources)
        if plans is not None:
            plans[key] = found
    return found


def assumptions_of(
    ctx: Context,
    config: Config,
    split: str,
    fa: bool,
    kernels: cal.Kernels,
    notes: dict[tuple[object, ...], tuple[str, ...]] | None,
) -> tuple[str, ...]:
    """:func:`support.assumptions`, from ``notes`` when the same cards, runtime, cache and split
    were written before (they do not depend on the model or quant)."""
    if notes is None:
        return support.assumptions(ctx, config, split, fa, kernels)
    key: tuple[object, ...] = (config.runtime, config.gpus, config.interconnect, config.combo)
    key += (config.kv_cache, fa, split, kernels.calibrated)
    found = notes.get(key)
    if found is None:
        found = notes[key] = support.assumptions(ctx, config, split, fa, kernels)
    return found


def placement_of(req: plc.Request, split: str) -> plc.Placement:
    """The model on the cards (GPU only) with ``split``."""
    return plc.tensor_split(req, split) if split in ("tensor", "expert") else plc.layer_split(req)


def correction_of(table: cal.Table, ctx: Context, kernels: cal.Kernels, moe: bool) -> Correction:
    """The runtime's calibration on this back-end and model kind. Across machines no
    measurement covers the network, and a weight format none of the runtime's measurements used
    runs unmeasured kernels: both keep the factors but are uncalibrated, with at least the
    published band. A runtime built on another's kernels (Ollama and LM Studio run llama.cpp's)
    takes its base's factors for the metrics its own measurements do not calibrate, the same
    way: the physical model is the base's, so without them a wrapper would read faster or
    slower than the kernels it runs by the base's correction alone."""
    platform = ctx.gpus[0].platform
    found = table.corrections.pick(ctx.runtime_slug, platform, moe)
    measured = table.corrections.covers(ctx.runtime_slug, ctx.quant.format)
    if ctx.link.network is not None or not measured:
        found = unproven(found, kernels.error_low, kernels.error_high)
    base = ctx.runtime.based_on
    if base is None:
        return found
    borrowed = table.corrections.pick(base, platform, moe)
    return found.or_else(unproven(borrowed, kernels.error_low, kernels.error_high))


def plan_of(
    catalog: Catalog,
    config: Config,
    table: cal.Table,
    shape: Shape | None = None,
    hardware: Hardware | None = None,
    notes: dict[tuple[object, ...], tuple[str, ...]] | None = None,
    sources: dict[tuple[str, str, str], launch.Source | None] | None = None,
) -> Plan | Refusal:
    """Resolve, check support and place the model (GPU only). A configuration the runtime
    cannot run is a :class:`Refusal`, not placed: its memory would describe a setup that does
    not exist. ``notes`` and ``sources``: memos of assumptions and of what runtimes load
    (:attr:`Lookups.notes`, :attr:`Lookups.sources`)."""
    ctx = resolve(catalog, config, hardware)
    runtime = ctx.runtime_slug
    split = support.effective_split(ctx.runtime, config.split, len(ctx.gpus))
    fa = support.flash_attention(runtime, config.flash_attention, config.kv_cache)
    shape = shape or shape_of(ctx.model, ctx.quant)
    kernels = table.pick(cal.RUNTIME_FAMILY.get(runtime, "serving"), ctx.gpus[0].platform)
    assumptions = assumptions_of(ctx, config, split, fa, kernels, notes)
    found = source_of(ctx, config, sources)
    problems = tuple(support.problems(ctx, config, split, shape, found))
    if problems:
        return Refusal(problems, split, assumptions, ctx.link.klass)
    style = support.memory_style(runtime)
    req = plc.Request(
        gpus=ctx.gpus,
        slugs=ctx.slugs,
        shape=shape,
        style=style,
        kv_bytes=mem.KV_DTYPE_BYTES[config.kv_cache],
        flash_attention=fa,
        slots=config.concurrency if style == "ollama" else 1,
        tensor_split=config.tensor_split,
        pool_fraction=support.pool_fraction(runtime),
        caps=ctx.caps,
        ubatch=config.ubatch_tokens or mem.LLAMA_UBATCH,
    )
    compute = ctx.quant.compute_dtype
    sp = dec.SpeedInputs(
        shape=shape,
        kernels=kernels,
        link=ctx.link,
        float_weights=ctx.quant.bits_per_weight >= 16,
        flash_attention=fa,
        ram_bandwidth_gb_s=ctx.ram_bandwidth_gb_s,
        tflops=tuple(
            support.tflops(g, compute, kernels.acc16, ctx.runtime.half_precision_kernels)
            for g in ctx.gpus
        ),
        chunk_tokens=req.ubatch if style in ("llama", "ollama") else mem.VLLM_MAX_BATCHED_TOKENS,
        graphs=support.cuda_graphs(ctx.runtime, ctx.gpus),
        host_link_gb_s=support.default_pcie_gb_s(ctx.gpus),
        expert_half_tokens=kernels.expert_half_tokens
        if support.tiles_experts(style, ctx.quant.bits_per_weight < 16, ctx.gpus)
        else 0.0,
    )
    return Plan(
        ctx=ctx,
        split=split,
        flash_attention=fa,
        style=style,
        shape=shape,
        request=req,
        placement=placement_of(req, split),
        can_offload=support.can_offload(runtime, ctx.runtime, split, ctx.quant.format),
        speed=sp,
        host_room=max(ctx.host_ram_gib - HOST_OS_RESERVE_GIB, 0.0) * GIB,
        assumptions=assumptions,
        speeds={},
        correction=correction_of(table, ctx, kernels, shape.moe),
        limits={},
        source=found,
        experts_offload=support.can_offload_experts(runtime, shape.moe),
    )


def source_of(
    ctx: Context, config: Config, memo: dict[tuple[str, str, str], launch.Source | None] | None
) -> launch.Source | None:
    """:func:`launch.source` of ``config``, from ``memo`` when it holds it."""
    if memo is None:
        return launch.source(config.runtime, ctx.model, config.quant, ctx.quant.format)
    key = (config.runtime, config.model, config.quant)
    if key not in memo:
        memo[key] = launch.source(config.runtime, ctx.model, config.quant, ctx.quant.format)
    return memo[key]
