"""``estimate(catalog, config) -> Estimate``: the stages of the engine, in order.

resolve entities -> check support -> place the model on the cards -> fit verdict (offload for
llama.cpp) -> decode / prefill / concurrency -> power -> launch command.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import calibration as cal
from site_builder.engine import concurrency, launch, links, power, support
from site_builder.engine import decode as dec
from site_builder.engine import memory as mem
from site_builder.engine import placement as plc
from site_builder.engine.config import Config
from site_builder.engine.fit import Fit, assess, max_context
from site_builder.engine.prefill import prefill_s
from site_builder.engine.resolve import lookup
from site_builder.engine.result import CardMemory, Estimate, Memory
from site_builder.engine.shapes import GIB, Shape, shape_of
from site_builder.schema import Gpu, Model, Quant, Runtime

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


def resolve(catalog: Catalog, config: Config) -> Context:
    """Look up every ID of ``config`` (UsageError with a suggestion for unknown ones)."""
    slugs = tuple(s for s, n in config.gpus for _ in range(n))
    gpus = tuple(lookup("gpu", catalog.gpus, s) for s in slugs)
    combo = lookup("combo", catalog.combos, config.combo) if config.combo else None
    link_id = config.interconnect or (combo.interconnect if combo else None)
    inter = lookup("interconnect", catalog.interconnects, link_id) if link_id else None
    kind = inter.kind if inter else ("unified-memory" if gpus[0].unified_memory else "pcie")
    p2p = combo.pcie_p2p if combo else (kind == "nvlink" or gpus[0].segment != "consumer")
    bandwidth = inter.bandwidth_gb_s if inter else support.default_pcie_gb_s(gpus)
    klass = links.link_class(kind, p2p, len(gpus))
    return Context(
        gpus=gpus,
        slugs=slugs,
        model=lookup("model", catalog.models, config.model),
        quant=lookup("quant", catalog.quants, config.quant),
        runtime=lookup("runtime", catalog.runtimes, config.runtime),
        runtime_slug=config.runtime,
        link=links.Link(klass, bandwidth),
        host_ram_gib=host_ram_gib(gpus, combo.host.system_ram_gib if combo else None),
        ram_bandwidth_gb_s=(
            combo.host.ram_bandwidth_gb_s if combo else dec.DEFAULT_RAM_BANDWIDTH_GB_S
        ),
        caps=tuple(plc.usable(g, i) for i, g in enumerate(gpus)),
    )


def host_ram_gib(gpus: tuple[Gpu, ...], combo_ram: float | None) -> float:
    """System RAM for offloaded layers: the combo's host, the part of unified memory the GPU
    may not use, or a default workstation."""
    if gpus[0].unified_memory:
        return gpus[0].vram_gib - mem.card_capacity_gib(gpus[0])
    return combo_ram if combo_ram is not None else DEFAULT_HOST_RAM_GIB


class Lookups(NamedTuple):
    """Per-catalog numbers computed once (``prepare``) and passed to many estimates."""

    shapes: Mapping[tuple[str, str], Shape]
    """(model, quant) -> Shape."""


def prepare(catalog: Catalog) -> Lookups:
    """Precompute every (model, quant) shape of ``catalog`` (a few ms for the whole catalog)."""
    shapes = {
        (m, q): shape_of(model, quant)
        for m, model in catalog.models.items()
        for q, quant in catalog.quants.items()
    }
    return Lookups(shapes=shapes)


def estimate(catalog: Catalog, config: Config, lookups: Lookups | None = None) -> Estimate:
    """Fit, speed, power and launch command of one configuration. Pass ``prepare(catalog)`` as
    ``lookups`` when estimating many configurations of one catalog."""
    return estimate_with(catalog, config, cal.DEFAULT_TABLE, lookups)


def estimate_with(
    catalog: Catalog, config: Config, table: cal.Table, lookups: Lookups | None = None
) -> Estimate:
    """``estimate`` with explicit kernel constants (the calibration fit varies them)."""
    ctx = resolve(catalog, config)
    split = support.effective_split(ctx.runtime, config.split, len(ctx.gpus))
    fa = support.flash_attention(ctx.runtime_slug, config.flash_attention, config.kv_cache)
    style = support.memory_style(ctx.runtime_slug)
    cached = lookups.shapes.get((config.model, config.quant)) if lookups else None
    shape = cached or shape_of(ctx.model, ctx.quant)
    req = plc.Request(
        gpus=ctx.gpus,
        slugs=ctx.slugs,
        shape=shape,
        style=style,
        kv_bytes=mem.KV_DTYPE_BYTES[config.kv_cache],
        flash_attention=fa,
        slots=config.concurrency if style == "ollama" else 1,
        tensor_split=config.tensor_split,
        pool_fraction=support.pool_fraction(ctx.runtime_slug),
        caps=ctx.caps,
    )
    pl = plc.tensor_split(req, split) if split in ("tensor", "expert") else plc.layer_split(req)
    problems = support.problems(ctx, config, split, shape)
    fit = assess(pl, config.context_tokens, shape.window)
    host_room = max(ctx.host_ram_gib - HOST_OS_RESERVE_GIB, 0.0) * GIB
    if (
        fit.verdict == "no-fit"
        and not problems
        and support.can_offload(ctx.runtime_slug, ctx.runtime, split)
    ):
        pl, fit = offload(req, config.context_tokens, host_room, fit)
    if problems:
        best = 0
    elif fit.verdict == "offload":
        best = min(plc.offload_max_context(req, host_room), shape.max_context)
    else:
        best = max_context(pl, shape.window, shape.max_context, host_room)
    verdict = "unsupported" if problems else fit.verdict
    reasons = tuple(problems) if problems else fit.reasons
    kernels = table.pick(cal.RUNTIME_FAMILY.get(ctx.runtime_slug, "serving"), ctx.gpus[0].platform)
    sp = dec.SpeedInputs(
        shape=shape,
        kernels=kernels,
        link=ctx.link,
        float_weights=ctx.quant.bits_per_weight >= 16,
        flash_attention=fa,
        ram_bandwidth_gb_s=ctx.ram_bandwidth_gb_s,
        tflops=tuple(support.tflops(g, ctx.quant.compute_dtype, kernels.acc16) for g in ctx.gpus),
        chunk_tokens=mem.LLAMA_UBATCH
        if style in ("llama", "ollama")
        else mem.VLLM_MAX_BATCHED_TOKENS,
    )
    spec = launch.LaunchSpec(
        runtime=ctx.runtime_slug,
        model=ctx.model,
        quant=config.quant,
        quant_format=ctx.quant.format,
        split=split,
        n_cards=len(ctx.gpus),
        context=config.context_tokens,
        kv_cache=config.kv_cache,
        flash_attention=fa,
        tensor_split=config.tensor_split or support.ratio_hint(ctx.gpus, split, style),
        concurrency=config.concurrency,
        gpu_layers=pl.gpu_layers if pl.gpu_layers < shape.n_layers else None,
        pool_fraction=support.pool_fraction(ctx.runtime_slug),
    )
    runs = verdict not in ("no-fit", "unsupported")
    speeds = speeds_of(pl, sp, ctx, config) if runs else NO_SPEEDS
    return Estimate(
        verdict=verdict,
        reasons=reasons,
        memory=memory_of(pl, config.context_tokens, shape.window),
        max_context=best,
        decode_tok_s=speeds.decode,
        decode_tok_s_range=speeds.decode_range,
        prefill_tok_s=speeds.prefill,
        ttft_ms=speeds.ttft_ms,
        aggregate_decode_tok_s=speeds.aggregate,
        per_user_decode_tok_s=speeds.per_user,
        power_w=speeds.power_w,
        joules_per_token=speeds.joules,
        launch_command=launch.command(spec),
        split=split,
        assumptions=support.assumptions(ctx, config, split, fa, kernels),
        cost_per_million_tokens_usd=speeds.cost,
        max_concurrency=speeds.capacity,
        gpu_layers=pl.gpu_layers,
        link=ctx.link.klass,
    )


def offload(
    req: plc.Request, context: int, host_room: float, gpu_fit: Fit
) -> tuple[plc.Placement, Fit]:
    """llama.cpp partial offload: whole layers on the GPUs as far as they go, the rest in RAM."""
    counts = plc.offload_counts(req, context)
    pl = plc.layer_split(req, counts, output_on_gpu=False)
    for _ in range(len(counts) * 4):
        over = [
            i for i, c in enumerate(pl.cards) if c.total_at(context, req.shape.window) > c.capacity
        ]
        if not over:
            break
        counts = [n - 1 if i in over and n else n for i, n in enumerate(counts)]
        pl = plc.layer_split(req, counts, output_on_gpu=False)
    ram = pl.cpu_weights + pl.cpu_kv_per_token * context
    n = req.shape.n_layers
    if ram > host_room:
        why = (
            f"offloading {n - pl.gpu_layers} of {n} layers needs {ram / GIB:.1f} GiB of system "
            f"RAM, {host_room / GIB:.1f} GiB available"
        )
        return pl, Fit("no-fit", (*gpu_fit.reasons, why), 0)
    why = (
        f"offload: {pl.gpu_layers} of {n} layers on the GPUs; {n - pl.gpu_layers} layers and the "
        f"output layer ({ram / GIB:.1f} GiB) in system RAM"
    )
    return pl, Fit("offload", (*gpu_fit.reasons, why), 0)


def memory_of(pl: plc.Placement, context: int, window: int) -> Memory:
    """Per-card memory table in GiB (pool runtimes: total = the reserved pool)."""
    kv_pool = min((c.kv_space for c in pl.cards if c.pool), default=0.0)
    cards = []
    for c in pl.cards:
        kv = max(kv_pool, 0.0) if c.pool else c.kv_at(context, window)
        buffers = c.buffers + c.buffer_per_token * context
        cards.append(
            CardMemory(
                gpu=c.slug,
                capacity_gib=round(c.capacity / GIB, 2),
                weights_gib=round(c.weights / GIB, 2),
                kv_cache_gib=round(kv / GIB, 2),
                buffers_gib=round(buffers / GIB, 2),
                overhead_gib=round(c.overhead / GIB, 2),
                total_gib=round(c.total_at(context, window) / GIB, 2),
            )
        )
    offloaded = pl.cpu_weights + pl.cpu_kv_per_token * context
    total = round(sum(c.total_gib for c in cards), 2)
    return Memory(per_gpu=tuple(cards), total_gib=total, offload_gib=round(offloaded / GIB, 2))


class Speeds(NamedTuple):
    """The speed, power and concurrency figures of a runnable configuration (rounded)."""

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


NO_SPEEDS = Speeds()


def speeds_of(pl: plc.Placement, sp: dec.SpeedInputs, ctx: Context, config: Config) -> Speeds:
    """Decode, prefill, TTFT, concurrency and power of a runnable configuration. TTFT is the
    prefill of the prompt plus one decode step."""
    prompt, gen = config.prompt_tokens, config.gen_tokens
    depth = prompt + max(gen, 1) / 2.0
    one = dec.step(pl, sp, depth)
    decode = 1.0 / one.seconds
    p_tokens = prompt if prompt > 0 else mem.LLAMA_UBATCH
    p_time = prefill_s(pl, sp, p_tokens)
    ttft = ((p_time if prompt > 0 else 0.0) + one.seconds) * 1000
    style = support.memory_style(ctx.runtime_slug)
    cap = concurrency.kv_capacity(pl, style, config.context_tokens, prompt + gen, sp.shape.window)
    batching = ctx.runtime.continuous_batching
    served, st = concurrency.serve(pl, sp, config.concurrency, cap, batching, depth, one)
    watts = power.decode_power_w(ctx.gpus, st.busy(pl.parallel), st.compute_share)
    joules = power.joules_per_token(watts, served.aggregate_tok_s)
    k = sp.kernels
    return Speeds(
        decode=round(decode, 2),
        decode_range=(round(decode * k.error_low, 2), round(decode * k.error_high, 2)),
        prefill=round(p_tokens / p_time, 1),
        ttft_ms=round(ttft, 1),
        aggregate=round(served.aggregate_tok_s, 2),
        per_user=round(served.per_user_tok_s, 2),
        power_w=round(watts, 1),
        joules=round(joules, 3),
        cost=round(power.cost_per_million_tokens(joules, config.usd_per_kwh), 3),
        capacity=cap,
    )
