"""Prefill (prompt processing) time: compute-bound matrix work, attention, link traffic.

FLOPs per prompt token = 2 x active block parameters (Kaplan et al. 2020, "Scaling Laws", §2.1:
C_forward ~ 2N) + causal attention 4 x layers x heads x head_dim x mean depth (QK^T and AV, two
FLOPs per multiply-add). Tensor parallel moves 2 all-reduces of tokens x hidden x 2 bytes per
layer over the link, which is where NVLink beats PCIe (club-3090 PR #702: +35-49 % prefill on
2x3090 TP=2). Times are seconds.
"""

from __future__ import annotations

import math

from site_builder.engine.decode import SpeedInputs, card_times, distinct_expert_fraction
from site_builder.engine.links import allreduce_s, boundaries_s, row_gathers_s
from site_builder.engine.memory import LLAMA_NBATCH
from site_builder.engine.placement import CardLoad, Placement
from site_builder.engine.shapes import Shape

PCIE_UPLOAD_EFFICIENCY = 0.8
"""Offloaded block weights are streamed to the GPU for every prompt micro-batch (llama.cpp
offloads matrix multiplications of batches >= 32 to the GPU), at ~80 % of the cards' PCIe x16
rate."""


def attention_flops(shape: Shape, tokens: int) -> float:
    """Causal attention FLOPs of a ``tokens`` prompt: 4 x heads x head_dim x sum of depths
    (tokens^2 / 2) per full layer; sliding-window layers attend at most ``window`` back."""
    per_pos = 4.0 * shape.heads * shape.head_dim
    full = shape.full_layers * tokens * tokens / 2.0
    w = min(tokens, shape.window) if shape.swa_layers else 0
    swa = shape.swa_layers * (tokens * w - w * w / 2.0) if w else 0.0
    return per_pos * (full + swa)


def card_prefill_s(
    card: CardLoad, sp: SpeedInputs, tokens: int, chunks: int, tflops: float, sequences: int = 1
) -> float:
    """One card's compute for the whole prompt (``tokens`` over ``sequences`` prompts of equal
    length, each attending to its own): matrix FLOPs at the calibrated share of dense TFLOPS (a
    floor of one weight read per chunk, :func:`chunk_read_s`), attention at its own efficiency,
    plus a fixed cost per chunk."""
    k = sp.kernels
    arch = k.hopper_compute_factor if card.gpu.architecture == "hopper" else 1.0
    eff = (k.float_compute_eff if sp.float_weights else k.compute_eff) * arch
    rate = tflops * 1e12
    routed = sp.shape.active_expert_params / sp.shape.active_block_params
    slowdown = expert_batch_slowdown(sp.shape, tokens, sp.chunk_tokens, sp.expert_half_tokens)
    slower = 1.0 + routed * (slowdown - 1.0)
    matmul = 2.0 * card.active_params * tokens * slower / (rate * eff)
    weights_read = chunks * chunk_read_s(card, sp, min(tokens, sp.chunk_tokens), tflops)
    attn_eff = eff if sp.flash_attention else k.attn_compute_eff * arch
    flops = sequences * attention_flops(sp.shape, tokens // sequences)
    attention = flops * card.layer_share / (rate * attn_eff)
    return max(matmul, weights_read) + attention + chunks * k.ubatch_s


def expert_batch_slowdown(shape: Shape, tokens: int, size: int, half: float) -> float:
    """How many times longer the routed experts' matrix products of a ``tokens`` prompt take,
    in passes of ``size`` tokens, than on long per-expert batches: the token-weighted mean over
    the passes of (t + h) / t, t = pass tokens x k / E the tokens an expert gets and h = ``half``
    (:data:`site_builder.engine.calibration.EXPERT_HALF_TOKENS`), which sums to
    1 + passes x h x E / (k x tokens). 1 for a dense model."""
    if not shape.moe or not shape.experts_per_token or tokens <= 0:
        return 1.0
    passes = math.ceil(tokens / size)
    return 1.0 + passes * half * shape.num_experts / (shape.experts_per_token * tokens)


def chunk_read_s(card: CardLoad, sp: SpeedInputs, tokens: int, tflops: float) -> float:
    """Seconds to stream one prompt chunk's weights: the dense weights and the routed experts
    its ``tokens`` touch (1 - (1 - k/E)^tokens of them: a 256-token chunk of Qwen3-30B-A3B
    touches every expert), read by the kernels decode reads them with, at the same calibrated
    efficiencies (:func:`site_builder.engine.decode.card_times` at an empty cache)."""
    return card_times(card, sp, 0.0, float(tokens), tflops)[0]


def pipeline_factor(tokens: int, size: int, stages: int, overlap: float) -> float:
    """Share of the serial time a layer-split prompt of ``tokens`` takes when its micro-batches
    (``size`` tokens) overlap across ``stages`` cards, reached at ``overlap``. Ideal: each
    logical batch (llama.cpp ``-b``, 2048 tokens) fills and drains the pipeline once, costing
    G - 1 extra micro-batch slots: (T + (G - 1) min(T, size) ceil(T / batch)) / (G T). That is
    (n + G - 1) / (n G) for n whole micro-batches per batch, and continuous in T: one token
    past a micro-batch boundary no longer lowers the prefill time (llama.cpp
    ``ggml_backend_sched`` pipeline parallelism, tools/server ``-b``/``-ub``)."""
    if stages <= 1 or tokens <= size:
        return 1.0
    batches = math.ceil(tokens / max(LLAMA_NBATCH, size))
    ideal = (tokens + (stages - 1) * min(tokens, size) * batches) / (stages * tokens)
    return 1.0 - overlap * (1.0 - ideal)


def prefill_s(pl: Placement, sp: SpeedInputs, tokens: int) -> float:
    """Time to process a prompt of ``tokens`` tokens. On a layer split it is never less than
    the time of a prompt one token into the same last micro-batch: :func:`pipeline_factor`
    overlaps in proportion to tokens, but when a micro-batch's cost is its weight read (a
    short last micro-batch of a mixture-of-experts model still reads every expert), a prompt a
    few tokens past a boundary would otherwise finish sooner than one just past it."""
    tokens = max(tokens, 1)
    own = _prefill_s(pl, sp, tokens)
    first = (tokens - 1) // sp.chunk_tokens * sp.chunk_tokens + 1
    if (
        1 < first < tokens
        and not (pl.row or pl.parallel)
        and sum(1 for c in pl.cards if c.layers) > 1
    ):
        return max(own, _prefill_s(pl, sp, first))
    return own


def batched_prefill_s(pl: Placement, sp: SpeedInputs, prompt: int, requests: int) -> float:
    """Time to prefill ``requests`` prompts of ``prompt`` tokens that arrive together. A
    continuous-batching server packs their tokens into forward passes of up to its token
    budget (``sp.chunk_tokens``: vLLM ``max_num_batched_tokens``; Yu et al., "Orca", OSDI 2022;
    Agrawal et al., "Sarathi-Serve", OSDI 2024), so each pass reads the weights once for all of
    its prompts while each prompt attends to its own tokens only."""
    if requests <= 1 or prompt <= 0:
        return requests * prefill_s(pl, sp, prompt)
    return _prefill_s(pl, sp, prompt * requests, requests)


def _prefill_s(pl: Placement, sp: SpeedInputs, tokens: int, sequences: int = 1) -> float:
    size = sp.chunk_tokens
    chunks = math.ceil(tokens / size)
    active = [(i, c) for i, c in enumerate(pl.cards) if c.layers]
    per_card = [card_prefill_s(c, sp, tokens, chunks, sp.tflops[i], sequences) for i, c in active]
    n = len(active)
    if pl.row:
        message = min(tokens, size) * sp.shape.hidden * 4.0
        comm = chunks * row_gathers_s(sp.shape.n_layers, message, sp.link)
        gpu = max(per_card, default=0.0) + comm
    elif pl.parallel:
        message = min(tokens, size) * sp.shape.hidden * 2.0
        comm = chunks * 2 * sp.shape.n_layers * allreduce_s(n, message, sp.link)
        gpu = max(per_card, default=0.0) + comm
    else:
        hops = boundaries_s(n, min(tokens, size) * sp.shape.hidden * 4.0, sp.link)
        serial = sum(per_card) + chunks * hops
        gpu = serial * pipeline_factor(tokens, size, n, sp.kernels.pipeline_overlap)
    return gpu + chunks * upload_s(pl, sp, min(tokens, size))


def upload_s(pl: Placement, sp: SpeedInputs, tokens: int) -> float:
    """Seconds to copy one prompt micro-batch's weights from system RAM to the card: the
    offloaded dense weights, and of the offloaded routed experts those the ``tokens`` route to
    (:func:`~site_builder.engine.decode.distinct_expert_fraction`; llama.cpp copies only the
    used experts, PR 15346: all of them for a few hundred tokens of most models)."""
    if not pl.cpu_block_bytes:
        return 0.0
    experts = pl.cpu_expert_bytes * distinct_expert_fraction(sp.shape, tokens)
    dense = pl.cpu_block_bytes - pl.cpu_expert_bytes
    return (dense + experts) / (sp.host_link_gb_s * 1e9 * PCIE_UPLOAD_EFFICIENCY)
