"""``estimate(catalog, config) -> Estimate``: the stages of the engine, in order.

plan (resolve entities, check support, place the model: :mod:`plan`) -> fit verdict at the
context (offload for llama.cpp) -> decode / prefill / concurrency -> power -> launch command.
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import calibration as cal
from site_builder.engine import concurrency, launch, power, support
from site_builder.engine import decode as dec
from site_builder.engine import memory as mem
from site_builder.engine import offload as spill
from site_builder.engine import placement as plc
from site_builder.engine.config import Config
from site_builder.engine.corrections import Correction, published, unproven
from site_builder.engine.fit import assess, max_context
from site_builder.engine.plan import (
    Context,
    Lookups,
    Plan,
    Refusal,
    Speeds,
    plan_for,
    prepare,
    resolve,
)
from site_builder.engine.prefill import batched_prefill_s, prefill_s
from site_builder.engine.result import CardMemory, Estimate, Memory
from site_builder.engine.shapes import GIB

__all__ = ["Context", "Lookups", "estimate", "estimate_with", "prepare", "resolve"]


def estimate(catalog: Catalog, config: Config, lookups: Lookups | None = None) -> Estimate:
    """Fit, speed, power and launch command of one configuration. Pass ``prepare(catalog)`` as
    ``lookups`` when estimating many configurations of one catalog."""
    return estimate_with(catalog, config, cal.DEFAULT_TABLE, lookups)


def estimate_with(
    catalog: Catalog, config: Config, table: cal.Table, lookups: Lookups | None = None
) -> Estimate:
    """``estimate`` with explicit kernel constants (the calibration fit varies them)."""
    plan = plan_for(catalog, config, table, lookups)
    if isinstance(plan, Refusal):
        return refused(plan, lookups)
    shape, context = plan.shape, config.context_tokens
    shared = sharing(plan, config)
    cap = shape.max_context * shared
    problems: tuple[str, ...] = ()
    if context > cap:
        problems = (*problems, too_long(context, shared, shape.max_context))
    pl = plan.placement
    totals = [c.total_at(context, shape.window) for c in pl.cards]
    fit = assess(pl, context, shape.window, totals)
    if fit.verdict == "no-fit" and not problems and plan.can_offload:
        # A failed offload reports the offload layout too: what was tried, and a need that
        # never falls as the context grows.
        pl, fit = spill.verdict(
            plan.request, context, plan.host_room, plan.experts_offload, fit, config.cpu_moe_layers
        )
        totals = [c.total_at(context, shape.window) for c in pl.cards]
    verdict = "unsupported" if problems else fit.verdict
    best = 0 if problems else largest_context(plan, verdict, cap)
    runs = verdict not in ("no-fit", "unsupported")
    speeds = speeds_for(pl, plan, config) if runs else NO_SPEEDS
    notes = plan.assumptions
    if config.prompt_tokens == 0:
        notes = (*notes, f"prefill speed for a {mem.LLAMA_UBATCH}-token prompt (--prompt 0)")
    return Estimate(
        verdict=verdict,
        reasons=problems or fit.reasons,
        memory=memory_of(pl, context, shape.window, totals),
        max_context=best,
        decode_tok_s=speeds.decode,
        decode_tok_s_range=speeds.decode_range,
        prefill_tok_s=speeds.prefill,
        ttft_ms=speeds.ttft_ms,
        aggregate_decode_tok_s=speeds.aggregate,
        per_user_decode_tok_s=speeds.per_user,
        power_w=speeds.power_w,
        joules_per_token=speeds.joules,
        launch_command=launch_command(plan, pl, config),
        split=plan.split,
        assumptions=notes,
        cost_per_million_tokens_usd=speeds.cost,
        max_concurrency=concurrency.bounded(speeds.capacity),
        gpu_layers=pl.gpu_layers,
        link=plan.ctx.link.klass,
        prefill_tok_s_range=speeds.prefill_range,
        ttft_ms_range=speeds.ttft_range,
        aggregate_decode_tok_s_range=speeds.aggregate_range,
        output_tok_s=speeds.output,
        output_tok_s_range=speeds.output_range,
        calibrated=speeds.calibrated,
    )


def refused(refusal: Refusal, lookups: Lookups | None = None) -> Estimate:
    """The answer for a configuration the runtime cannot run: the reasons, no memory, speeds
    or command (nothing is placed, :func:`plan.plan_of`); one shared object per distinct
    refusal in ``lookups``."""
    memo = lookups.refused if lookups is not None else None
    found = memo.get(refusal) if memo is not None else None
    if found is None:
        found = Estimate(
            verdict="unsupported",
            reasons=refusal.problems,
            memory=NO_MEMORY,
            max_context=0,
            decode_tok_s=None,
            decode_tok_s_range=None,
            prefill_tok_s=None,
            ttft_ms=None,
            aggregate_decode_tok_s=None,
            per_user_decode_tok_s=None,
            power_w=None,
            joules_per_token=None,
            launch_command="",
            split=refusal.split,
            assumptions=refusal.assumptions,
            link=refusal.link,
        )
        if memo is not None:
            memo[refusal] = found
    return found


NO_MEMORY = Memory((), 0.0)


def sharing(plan: Plan, config: Config) -> int:
    """Sequences that share one window: llama.cpp's parallel sequences (``-np N``,
    ``llama-batched-bench``'s batch) split the ``-c`` cells between them, so each holds
    ``context / N`` positions; llama.cpp compares that share, not the window, with the trained
    length (``n_ctx_per_seq``, llama-context.cpp: it only warns past it). Every other runtime's
    window is one sequence's (vLLM ``--max-model-len``, Ollama's ``num_ctx`` per slot)."""
    return max(config.concurrency, 1) if plan.style == "llama" else 1


def too_long(context: int, shared: int, model_max: int) -> str:
    """Why a window is refused: longer than the model's trained context (per sequence)."""
    if shared == 1:
        return f"a context of {context:,} tokens exceeds the model's maximum of {model_max:,}"
    return (
        f"a context of {context:,} tokens over {shared} parallel sequences gives each "
        f"{context // shared:,}, more than the model's maximum of {model_max:,}"
    )


def largest_context(plan: Plan, verdict: str, cap: int) -> int:
    """The ``max_context`` of an estimate: the largest window at which the configuration still
    runs the way its verdict says, capped at ``cap`` (the model's maximum times the sequences
    sharing the window, :func:`sharing`). Fits or tight: the largest that stays in VRAM;
    offload: the largest at which the offload still runs (system RAM and whole layers
    included); no-fit: the largest that runs at all (in VRAM, or with offload where the runtime
    offloads), 0 if none. Both limits depend on the plan and the cap only (memoised on them)."""
    limits = plan.limits
    vram = limits.get(("vram", cap))
    if vram is None:
        vram = max_context(plan.placement, plan.shape.window, cap, plan.host_room)
        limits[("vram", cap)] = vram
    if verdict in ("fits", "tight") or not plan.can_offload:
        return vram
    off = limits.get(("offload", cap))
    if off is None:
        off = spill.offload_max_context(plan.request, plan.host_room, cap, plan.experts_offload)
        limits[("offload", cap)] = off
    return off if verdict == "offload" else max(vram, off)


def launch_command(plan: Plan, pl: plc.Placement, config: Config) -> str:
    """The runtime's launch command for this placement and window."""
    ctx = plan.ctx
    spec = launch.LaunchSpec(
        runtime=ctx.runtime_slug,
        model=ctx.model,
        quant=config.quant,
        quant_format=ctx.quant.format,
        split=plan.split,
        n_cards=len(ctx.gpus),
        context=config.context_tokens,
        kv_cache=config.kv_cache,
        flash_attention=plan.flash_attention,
        tensor_split=split_of(pl)
        or config.tensor_split
        or support.ratio_hint(ctx.gpus, plan.split, plan.style),
        concurrency=config.concurrency,
        gpu_layers=pl.gpu_layers if pl.gpu_layers < plan.shape.n_layers else None,
        pool_fraction=plan.request.pool_fraction,
        source=plan.source,
        machines=ctx.link.network.machines if ctx.link.network else 1,
        cpu_moe_layers=pl.cpu_moe_layers,
        ubatch=config.ubatch_tokens,
    )
    return launch.command(spec)


def split_of(pl: plc.Placement) -> tuple[float, ...] | None:
    """``--tensor-split`` of an expert offload over several cards: its layers per card (llama.cpp
    gives layer ``il`` to the first card whose cumulative share exceeds ``il / n``, so the counts
    reproduce themselves, :func:`placement.layer_counts`); None otherwise."""
    if not pl.cpu_moe_layers or len(pl.cards) < 2:
        return None
    return tuple(float(c.layers) for c in pl.cards)


def memory_of(
    pl: plc.Placement, context: int, window: int, totals: list[float] | None = None
) -> Memory:
    """Per-card memory table in GiB (pool runtimes: total = the reserved pool)."""
    totals = totals or [c.total_at(context, window) for c in pl.cards]
    kv_pool = min((c.kv_space for c in pl.cards if c.pool), default=0.0)
    cards = []
    for c, total in zip(pl.cards, totals, strict=True):
        kv = max(kv_pool, 0.0) if c.pool else c.kv_alloc_at(context, window)
        buffers = c.buffers + c.buffer_per_token * context
        cards.append(
            CardMemory(
                c.slug,
                c.capacity / GIB,
                c.weights / GIB,
                kv / GIB,
                buffers / GIB,
                c.overhead / GIB,
                total / GIB,
            )
        )
    offloaded = pl.host_at(context, window)
    total = sum(c.total_gib for c in cards)
    return Memory(tuple(cards), total, offloaded / GIB)


NO_SPEEDS = Speeds()


def speeds_for(pl: plc.Placement, plan: Plan, config: Config) -> Speeds:
    """``speeds_of``, reusing the plan's memo for the GPU placement: speeds do not depend on
    the window except through the number of sequences the KV cache holds."""
    prompt, gen = config.prompt_tokens, config.gen_tokens
    window = plan.shape.window
    cap = concurrency.kv_capacity(pl, plan.style, config.context_tokens, prompt + gen, window)
    if pl is not plan.placement:
        return speeds_of(pl, plan, config, cap)
    key = (prompt, gen, config.concurrency, cap, config.usd_per_kwh)
    found = plan.speeds.get(key)
    if found is None:
        found = plan.speeds[key] = speeds_of(pl, plan, config, cap)
    return found


def speeds_of(pl: plc.Placement, plan: Plan, config: Config, cap: int) -> Speeds:
    """Decode, prefill, TTFT, concurrency and power of a runnable configuration; ``cap`` is how
    many sequences the KV cache holds. TTFT is the prefill of the prompt (its last position's
    logits give the first token: no decode step follows it) plus the runtime's per-request cost
    (``Kernels.request_s``); with no prompt, the prefill of one token."""
    sp, ctx = plan.speed, plan.ctx
    prompt, gen = config.prompt_tokens, config.gen_tokens
    depth = prompt + max(gen, 1) / 2.0
    one = dec.step(pl, sp, depth)
    decode = 1.0 / one.seconds
    p_tokens = prompt if prompt > 0 else mem.LLAMA_UBATCH
    p_time = prefill_s(pl, sp, p_tokens)
    first_s = p_time if prompt > 0 else prefill_s(pl, sp, 1)
    ttft = (first_s + sp.kernels.request_s) * 1000
    batching = ctx.runtime.continuous_batching
    served, st = concurrency.serve(pl, sp, config.concurrency, cap, batching, depth, one)
    watts = power.decode_power_w(ctx.gpus, st.busy(pl.parallel), st.compute_share)
    fix = Calibrated(offloaded(plan.correction, pl, sp.kernels), sp.kernels)
    decode, decode_range = fix.speed("decode_tok_s", decode)
    prefill, prefill_range = fix.prefill(p_tokens / p_time)
    first = first_s * (p_tokens / p_time) / prefill  # at the corrected prefill speed
    ttft, ttft_range = fix.ttft(ttft, first + sp.kernels.request_s)
    aggregate, aggregate_range = fix.aggregate(
        config.concurrency, served.aggregate_tok_s, (decode, decode_range)
    )
    scale = aggregate / served.aggregate_tok_s if served.aggregate_tok_s else 1.0
    per_user = served.per_user_tok_s * scale
    raw_output = concurrency.output_tok_s(
        config.concurrency,
        gen,
        prompt,
        served.aggregate_tok_s,
        round_prefill(pl, plan, config, p_time),
    )
    output, output_range = fix.output(raw_output, scale, (aggregate, aggregate_range))
    joules = power.joules_per_token(watts, aggregate)
    return Speeds(
        decode=decode,
        decode_range=decode_range,
        prefill=prefill,
        ttft_ms=ttft,
        aggregate=aggregate,
        per_user=per_user,
        power_w=watts,
        joules=joules,
        cost=power.cost_per_million_tokens(joules, config.usd_per_kwh),
        capacity=cap,
        prefill_range=prefill_range,
        ttft_range=ttft_range,
        aggregate_range=aggregate_range,
        output=output,
        output_range=output_range,
        calibrated=fix.correction.calibrated,
    )


def offloaded(correction: Correction, pl: plc.Placement, kernels: cal.Kernels) -> Correction:
    """The runtime's calibration for a placement that reads weights from system RAM: its
    factors, marked uncalibrated in at least the published band (the measurements calibrate
    cards reading their own memory; a token's trip through the CPU and system RAM is not
    among them)."""
    if not pl.cpu_read_bytes:
        return correction
    return unproven(correction, kernels.error_low, kernels.error_high)


def round_prefill(pl: plc.Placement, plan: Plan, config: Config, alone_s: float) -> float:
    """Prefill tok/s over a round of ``config.concurrency`` requests: batched into shared
    forward passes where the runtime batches continuously
    (:func:`~site_builder.engine.prefill.batched_prefill_s`), one after another (``alone_s``
    each) otherwise."""
    prompt = config.prompt_tokens if config.prompt_tokens > 0 else mem.LLAMA_UBATCH
    users = max(config.concurrency, 1) if plan.ctx.runtime.continuous_batching else 1
    if users == 1:
        return prompt / alone_s
    return prompt * users / batched_prefill_s(pl, plan.speed, prompt, users)


class Calibrated(NamedTuple):
    """Applies a runtime's calibration (:mod:`corrections`) to the physical model's figures."""

    correction: Correction
    kernels: cal.Kernels

    def speed(self, metric: str, raw: float) -> tuple[float, tuple[float, float]]:
        """The corrected figure and its low-high range: the calibrated factor and the
        leave-one-GPU-out band when the runtime and metric are calibrated, else the raw
        figure and the runtime's published band. The calibrated band is of measured over
        predicted values of the metric itself (milliseconds for TTFT); the published band is
        of speeds, so for TTFT, a time, it is inverted."""
        applied = self.correction.get(metric)
        if applied is not None:
            return applied.around(raw)
        low, high = published(metric, self.kernels.error_low, self.kernels.error_high)
        return raw, (raw * low, raw * high)

    def prefill(self, raw: float) -> tuple[float, tuple[float, float]]:
        """Prefill tok/s: calibrated on its own measurements when there are enough; else,
        where TTFT is calibrated, at TTFT's factor (a TTFT is the prompt's prefill plus the
        request cost, so the prompt at this speed plus that cost gives the TTFT shown beside
        it, to within the factor's share of the request cost: a quarter of a millisecond for
        vLLM), in the runtime's published band; else the raw figure in that band."""
        ttft = self.correction.get("ttft_ms")
        if self.correction.get("prefill_tok_s") is None and ttft is not None:
            return self.speed("prefill_tok_s", raw / ttft.factor)
        return self.speed("prefill_tok_s", raw)

    def ttft(self, raw_ms: float, corrected_s: float) -> tuple[float, tuple[float, float]]:
        """TTFT: calibrated on its own measurements when there are enough; else the prompt at
        the corrected prefill speed plus the request cost (``corrected_s``), so TTFT agrees
        with the prefill figure beside it."""
        if self.correction.get("ttft_ms") is not None:
            return self.speed("ttft_ms", raw_ms)
        return self.speed("ttft_ms", corrected_s * 1000)

    def aggregate(
        self, users: int, raw: float, one: tuple[float, tuple[float, float]]
    ) -> tuple[float, tuple[float, float]]:
        """Aggregate decode: the single-stream figure ``one`` for one user; for more, the
        calibrated aggregate (else the raw aggregate under the single-stream calibration: the
        same kernels run the batched steps), never below one stream (more users never lower
        the total)."""
        metric = "aggregate_decode_tok_s"
        if self.correction.get(metric) is None:
            metric = "decode_tok_s"
        value, band = self.speed(metric, raw)
        if users <= 1 or value < one[0]:
            return one
        return value, band

    def output(
        self, raw: float, scale: float, aggregate: tuple[float, tuple[float, float]]
    ) -> tuple[float, tuple[float, float]]:
        """Output throughput, prefill included: calibrated on its own measurements when there
        are enough; else the raw figure at the ``scale`` the calibration gives the aggregate
        figure (its published value over its raw one) and with the aggregate's relative band,
        as :data:`fitting.FALLBACK` predicts it."""
        if self.correction.get("output_tok_s") is not None:
            return self.speed("output_tok_s", raw)
        value, (low, high) = raw * scale, aggregate[1]
        return value, (value * low / aggregate[0], value * high / aggregate[0])
