"""Decode speed: a memory-bound roofline per card, with fixed per-token costs and link costs.

One decode step reads every active weight once and the KV cache of every sequence up to its
depth (Williams et al., "Roofline", CACM 2009; the bandwidth bound of every calculator in
shared/research/anchors-calculators.md §2.4). Layer split runs the cards one after another;
tensor parallel runs them together and pays two all-reduces per layer (Megatron-LM, Shoeybi
et al. 2019, §3: one after attention, one after the MLP). Times are seconds.
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.engine.calibration import MAX_BW_EFF, Kernels
from site_builder.engine.links import Link, allreduce_s, boundaries_s, row_gathers_s
from site_builder.engine.placement import CardLoad, Placement
from site_builder.engine.shapes import Shape

CPU_BW_EFFICIENCY = 0.6
"""Fraction of peak DRAM bandwidth a CPU reaches streaming weights in llama.cpp decode
(STREAM-like ~70-80 % peak, minus dequantization; llmfit uses 50 GB/s on DDR5 dual channel)."""

DEFAULT_RAM_BANDWIDTH_GB_S = 60.0
"""System-RAM bandwidth when no host is known: dual-channel DDR5-4800 is 76.8 GB/s peak,
DDR4-3200 51.2 GB/s."""


class SpeedInputs(NamedTuple):
    """What the speed formulas need beside the placement."""

    shape: Shape
    kernels: Kernels
    link: Link
    float_weights: bool
    flash_attention: bool
    ram_bandwidth_gb_s: float
    tflops: tuple[float, ...]
    """Dense TFLOPS of each card for the quant's compute dtype."""
    chunk_tokens: int
    """Prompt tokens per forward pass (llama.cpp ubatch 512; vLLM max_num_batched_tokens)."""
    graphs: bool = True
    """The runtime replays each decode step as a CUDA graph on these cards
    (:func:`~site_builder.engine.support.cuda_graphs`); without, it pays
    :func:`launches_s`."""
    host_link_gb_s: float = 15.75
    """Per-direction bandwidth between system RAM and the cards, GB/s: the PCIe x16 rate of
    the slowest card's generation (:func:`~site_builder.engine.support.default_pcie_gb_s`)."""
    expert_half_tokens: float = 0.0
    """Prefill: the kernels' ``expert_half_tokens`` where their routed experts run as tiled
    per-expert products (:func:`~site_builder.engine.support.tiles_experts`), else 0."""


def distinct_expert_fraction(shape: Shape, batch: float) -> float:
    """Fraction of routed experts a batch touches: 1 - (1 - k/E)^B (uniform routing; B=1 gives
    k/E). Expected distinct experts E * (1 - (1 - k/E)^B)."""
    if not shape.moe or shape.num_experts == 0:
        return 0.0
    miss: float = (1.0 - shape.experts_per_token / shape.num_experts) ** batch
    return 1.0 - miss


def card_times(
    card: CardLoad, sp: SpeedInputs, depth: float, batch: float, tflops: float
) -> tuple[float, float]:
    """One card's share of a decode step: (weight + KV reads at the calibrated bandwidth,
    matrix FLOPs at the calibrated compute rate); the step takes the larger. Routed experts
    (the distinct ones a batch touches: 1 - (1 - k/E)^B of them) stream at
    ``expert_bw_eff`` of the dense rate."""
    k = sp.kernels
    bw = card.gpu.mem_bandwidth_gb_s * 1e9
    w_eff = k.float_bw_eff if sp.float_weights else k.weight_bw_eff
    kv_eff = k.kv_bw_eff_fa if sp.flash_attention else k.kv_bw_eff
    memory_type = card.gpu.memory_type.upper()
    if memory_type.startswith("HBM"):
        w_eff, kv_eff = w_eff * k.hbm_bw_factor, kv_eff * k.hbm_bw_factor
    elif memory_type.startswith("LPDDR5X"):
        w_eff = min(w_eff * k.lpddr5x_bw_factor, MAX_BW_EFF)
        kv_eff = min(kv_eff * k.lpddr5x_bw_factor, MAX_BW_EFF)
    single = distinct_expert_fraction(sp.shape, 1.0)
    experts = card.expert_bytes * distinct_expert_fraction(sp.shape, batch)
    dense = card.read_bytes - card.expert_bytes * single
    kv = card.kv_at(depth, sp.shape.window) * batch
    memory = dense / (bw * w_eff) + experts / (bw * w_eff * k.expert_bw_eff)
    memory += kv / (bw * kv_eff)
    compute = 2.0 * card.active_params * batch / (tflops * 1e12 * k.compute_eff)
    return memory, compute


def card_step_s(
    card: CardLoad, sp: SpeedInputs, depth: float, batch: float, tflops: float
) -> float:
    """One card's share of a decode step: max(memory time, compute time)."""
    return max(card_times(card, sp, depth, batch, tflops))


def cpu_step_s(pl: Placement, sp: SpeedInputs, depth: float, batch: float) -> float:
    """Offloaded layers read from system RAM (llama.cpp runs them on the CPU)."""
    if not pl.cpu_read_bytes:
        return 0.0
    kv = pl.cpu_kv_per_token * depth * batch
    return (pl.cpu_read_bytes + kv) / (sp.ram_bandwidth_gb_s * 1e9 * CPU_BW_EFFICIENCY)


def comm_step_s(pl: Placement, sp: SpeedInputs, batch: float) -> float:
    """Link cost of one decode step: two all-reduces of batch x hidden x 2 bytes per layer
    (tensor parallel: latency-bound at batch 1), or one activation hop per card boundary plus
    a synchronisation (layer split); between machines over the network (:mod:`links`)."""
    n = sum(1 for c in pl.cards if c.layers)
    if n <= 1:
        return 0.0
    if pl.row:
        return row_gathers_s(sp.shape.n_layers, batch * sp.shape.hidden * 4.0, sp.link)
    if pl.parallel:
        message = batch * sp.shape.hidden * 2.0
        return 2 * sp.shape.n_layers * allreduce_s(n, message, sp.link)
    hops = boundaries_s(n, batch * sp.shape.hidden * 4.0, sp.link)
    return hops + (n - 1) * sp.kernels.hop_s


DENSE_LAYER_KERNELS = 18
"""About how many kernels one dense transformer layer launches per llama.cpp decode step: the
attention norm, the Q, K and V projections, two RoPEs, two KV-cache writes, attention, the
output projection, the residual add, the FFN norm, the gate and up projections, the activation,
the down projection and the residual add (17; the norms' weight multiplies add one or two where
a build does not fuse them), as llm_build_llama in llama.cpp's src/llama-model.cpp builds the
graph (views and reshapes launch nothing)."""

MOE_LAYER_KERNELS = 30
"""The same for a mixture-of-experts layer: the dense layer's attention half, then the router
projection, its softmax, the top-k selection (argsort and view), gathering and normalising the
selected weights, three indexed expert matmuls (MUL_MAT_ID), the activation, the weighting and
the sum of the selected experts' outputs, and a shared expert where the model has one
(llm_graph_context::build_moe_ffn in llama.cpp's src/llama-graph.cpp)."""


def fixed_step_s(sp: SpeedInputs) -> float:
    """Per-step costs independent of bytes: sampling, launches (per layer), host sync, and
    launching every kernel on its own where the step is not a CUDA graph (:func:`launches_s`)."""
    fixed = sp.kernels.token_s + sp.kernels.layer_s * sp.shape.n_layers
    return fixed if sp.graphs else fixed + launches_s(sp)


def launches_s(sp: SpeedInputs) -> float:
    """Launch cost of one decode step without a CUDA graph: n_layers x kernels per layer x
    ``launch_s`` (seconds). A decode step's kernels are short (microseconds each at batch 1),
    so the CPU launching them one by one, about 4 us each, sets the pace (NVIDIA, "Getting
    Started with CUDA Graphs", 2019: graphs exist to remove this cost; pegainfer's RTX 5070 Ti
    measurement, 2026: 4-6 us per launch). llama.cpp b6451, the catalog's build, replays graphs
    only from Ampere on (PR 25749 of 2026-07-16 later extended them to Volta and Turing), so
    Pascal, Volta and Turing cards pay it."""
    per_layer = MOE_LAYER_KERNELS if sp.shape.moe else DENSE_LAYER_KERNELS
    return sp.shape.n_layers * per_layer * sp.kernels.launch_s


class Step(NamedTuple):
    """One decode step: its time, each card's busy time, and how compute-bound it is."""

    seconds: float
    card_s: tuple[float, ...]
    compute_share: float
    """FLOP time / memory time of the first busy card, capped at 1."""

    def busy(self, parallel: bool) -> list[float]:
        """Fraction of the step each card works (layer split: its own stage only)."""
        if parallel:
            return [1.0 if t else 0.0 for t in self.card_s]
        return [min(t / self.seconds, 1.0) for t in self.card_s]


def step(pl: Placement, sp: SpeedInputs, depth: float, batch: float = 1.0) -> Step:
    """One decode step for ``batch`` sequences at KV depth ``depth``."""
    times, share = [], -1.0
    for i, c in enumerate(pl.cards):
        if not c.layers:
            times.append(0.0)
            continue
        memory, compute = card_times(c, sp, depth, batch, sp.tflops[i])
        times.append(max(memory, compute))
        if share < 0:
            share = min(compute / memory, 1.0) if memory > 0 else 1.0
    cards = max(times, default=0.0) if pl.parallel else sum(times)
    extra = cpu_step_s(pl, sp, depth, batch) + comm_step_s(pl, sp, batch) + fixed_step_s(sp)
    return Step(cards + extra, tuple(times), max(share, 0.0))


def step_s(pl: Placement, sp: SpeedInputs, depth: float, batch: float = 1.0) -> float:
    """Time of one decode step for ``batch`` sequences at KV depth ``depth``."""
    return step(pl, sp, depth, batch).seconds


def decode_tok_s(pl: Placement, sp: SpeedInputs, prompt: int, gen: int) -> float:
    """Mean single-stream speed over ``gen`` tokens after a ``prompt``: the step time at the mean
    depth ``prompt + gen/2`` (time is linear in depth, so this is exact for the mean time)."""
    return 1.0 / step_s(pl, sp, prompt + max(gen, 1) / 2.0)
