"""Memory formulas: KV cache, runtime buffers and per-card overheads. Bytes unless noted.

Weights come from :mod:`site_builder.engine.shapes` (bits per weight of the quant's catalog
entry); this module sizes everything else a runtime allocates on a card.
"""

from __future__ import annotations

import math

from site_builder.engine.shapes import GIB, Shape
from site_builder.schema import Gpu

KV_DTYPE_BYTES = {"f16": 2.0, "fp8": 1.0, "q8_0": 34 / 32, "q4_0": 18 / 32}
"""Bytes per cached element. ggml block types carry one f16 scale per 32 values:
q8_0 = 34 bytes / 32, q4_0 = 18 bytes / 32 (ggml/src/ggml-common.h ``block_q8_0``,
``block_q4_0``); fp8 (e4m3/e5m2) is 1 byte (vLLM docs, quantized KV cache)."""

CUDA_CONTEXT_GIB = 0.45
"""CUDA context + cuBLAS workspace per card that runtimes do not report as buffers: ~300-500 MiB
on Ampere/Ada with CUDA 12 lazy loading (NVIDIA CUDA C Programming Guide, "Lazy Loading";
club-3090 docs/KV_MATH.md budgets ~0.5 GB)."""

DISPLAY_RESERVE_GIB = 0.5
"""Desktop compositor and display buffers on card 0 of a consumer (GeForce) build."""

LLAMA_UBATCH = 512
"""llama.cpp default physical batch (``-ub``, common/arg.cpp)."""

LLAMA_NBATCH = 2048
"""llama.cpp logical batch (``-b``): micro-batches of one logical batch pipeline across cards
(``GGML_SCHED_MAX_COPIES`` = 4, llama.cpp PR #6017 "pipeline parallelism")."""


LLAMA_MISC_PER_HEAD = 0.75 * (1 << 20)
"""llama.cpp compute buffer beside the KQ matrix: 0.75 MiB per attention head at ubatch 512
(NyxKrage LLM-Model-VRAM-Calculator heuristic ``(ctx/1024*2 + 0.75) * heads`` MiB; it matches
the calibration row RTX 4090 Llama-3-8B Q4_K_M n_ctx 8192: 5.85 GiB of device buffers)."""

VLLM_GPU_MEMORY_UTILIZATION = 0.9
"""vLLM ``--gpu-memory-utilization`` default (docs.vllm.ai engine args)."""

SGLANG_MEM_FRACTION = 0.88
"""SGLang ``--mem-fraction-static`` typical default for 24-80 GB cards (sgl-project docs,
server arguments)."""

VLLM_MAX_BATCHED_TOKENS = 2048
"""vLLM V1 ``max_num_batched_tokens`` default for ``vllm serve`` (engine args: 2048 for the
OpenAI server on non-datacenter GPUs)."""

VLLM_MAX_SEQS = 256
"""vLLM ``--max-num-seqs`` default; the sampler is profiled with this many rows of logits."""

NCCL_BUFFER_GIB = 0.33
"""NCCL/custom all-reduce buffers at TP >= 2: 358,612,992 bytes at TP=2 in AIConfigurator's
RTX 5090 system file (ai-dynamo/aiconfigurator systems/rtx_5090.yaml ``nccl_mem``)."""

CUDA_GRAPHS_GIB = 0.35
"""CUDA-graph pool of vLLM/SGLang (vLLM logs 'Graph capturing finished ... took 0.2-0.6 GiB');
club-3090 budgets 0.5 GB + more with utilization."""

APPLE_SMALL_RAM_GIB = 36.0
"""Apple GPUs may wire about 2/3 of RAM up to 36 GiB machines and 3/4 above: Metal's
``recommendedMaxWorkingSetSize`` as llama.cpp logs it (e.g. 10922.67 MB of 16 GB on M1,
147456 MB of 192 GB on M2 Ultra; ggml-org/llama.cpp discussions #2182, raise it with
``sudo sysctl iogpu.wired_limit_mb``)."""


def kv_per_token(
    shape: Shape,
    dtype_bytes: float,
    layer_share: float = 1.0,
    head_share: float = 1.0,
) -> tuple[float, float]:
    """(full-attention, windowed) cache bytes per context token of one sequence: K and V
    elements per layer x bytes per element x the share of layers and KV heads a card holds,
    times the full-attention layers and the sliding-window layers.

    Hybrid linear-attention models (Qwen3-Next, Qwen3.5) cache K and V on their full-attention
    layers only; each linear-attention layer holds a fixed state per sequence
    (``state_bytes_per_layer``, f32 whatever ``dtype_bytes``). That state is the windowed term
    with a window of one token (``shape.window`` is 1 for them): it is all there after the first
    token and never grows, so ``kv_at(full, state, n, 1) = full x n + state``.

    Full-attention layers use ``full_kv_elems_per_layer`` (Gemma 4 gives its global layers fewer,
    wider KV heads than its sliding-window layers). DeepSeek Sparse Attention (DeepSeek-V3.2,
    GLM-5) adds its indexer keys (``index_elems_per_token``) to the full term, at the KV-cache
    type like the latent; DeepSeek-V4 adds its compressed entries and indexer keys
    (``compressed_elems_per_token``) there too, beside a 128-token window on every layer and its
    fp32 compressor state (:func:`fixed_state_per_token`). Only layers that store a cache count
    (``full_kv_layers``, ``swa_kv_layers``): Gemma 4 E2B/E4B's KV-sharing layers store none.

    The one KV formula of the engine: placement sizes every card and system RAM with it, and
    :func:`kv_bytes` (the pinned figure) is this rate grown by :func:`kv_at`.
    """
    share = dtype_bytes * layer_share * head_share
    full = shape.full_kv_elems_per_layer * share * shape.full_kv_layers
    index = (shape.index_elems_per_token + shape.compressed_elems_per_token) * share
    state = fixed_state_per_token(shape) * layer_share * head_share
    return full + index, shape.kv_elems_per_layer * share * shape.swa_kv_layers + state


def fixed_state_per_token(shape: Shape) -> float:
    """Fixed per-sequence state as a windowed rate, bytes per token up to the window: the
    linear-attention layers' recurrent state (window 1: all there after the first token) and
    DeepSeek-V4's fp32 compressor state spread over its 128-token window (exact from 128
    tokens on, under it by at most that state: 11.6 MiB for V4-Flash, 17.8 MiB for V4-Pro).
    ``kv_at(full, swa + this, n, window)`` then holds the state once for ``n >= window``."""
    state = shape.state_bytes_per_layer * shape.linear_layers + shape.compressor_state_bytes
    return state / shape.window if state else 0.0


def kv_at(full_per_token: float, swa_per_token: float, tokens: float, window: int) -> float:
    """KV bytes for a window of ``tokens``: full-attention layers cache every position,
    sliding-window layers at most ``window`` of them (Gemma 2/3 ``sliding_window``; a window of
    1 makes the second term the fixed recurrent state of linear-attention layers)."""
    return full_per_token * tokens + swa_per_token * min(tokens, window)


def kv_bytes(
    shape: Shape,
    tokens: float,
    dtype_bytes: float,
    layer_share: float = 1.0,
    head_share: float = 1.0,
) -> float:
    """KV cache for ``tokens`` positions: elems/layer x bytes x (full layers x tokens + SWA
    layers x min(tokens, window)), times the share of layers and KV heads a card holds.

    Llama 3.1 70B f16: 2 x 8 x 128 x 2 B x 80 layers = 320 KiB per token. Composed of
    :func:`kv_per_token` and :func:`kv_at`, the functions every placement runs.
    """
    full, swa = kv_per_token(shape, dtype_bytes, layer_share, head_share)
    return kv_at(full, swa, tokens, shape.window)


def kv_head_share(shape: Shape, tp: int) -> float:
    """Fraction of the KV heads one tensor-parallel rank caches: max(kv_heads / TP, 1) heads,
    i.e. heads replicate when TP > kv_heads (llm-analysis; vLLM ``get_num_kv_heads``). MLA
    latents are not split by head: every rank caches the whole latent (vLLM MLA backend)."""
    if shape.is_mla or tp <= 1:
        return 1.0
    return max(shape.kv_heads / tp, 1.0) / shape.kv_heads


def llama_compute_buffer(
    shape: Shape,
    context: int,
    flash_attention: bool,
    has_output: bool,
    share: float = 1.0,
    ubatch: int = LLAMA_UBATCH,
) -> float:
    """llama.cpp compute buffer of one card: the peak of its graph stages at ``ubatch`` tokens
    a pass (``-ub``, default 512).

    Attention without flash attention materialises KQ in f32: ubatch x n_ctx x heads x 4 B;
    with flash attention only per-row partials. The output stage holds f32 logits
    (ubatch x vocab x 4 B) on the card with the output layer. ``share`` scales the FFN stage
    for row split (a card computes its rows only).
    """
    ub = ubatch
    attn = ub * shape.hidden * 4 * 4.0
    if not flash_attention:
        attn += ub * context * shape.heads * 4.0
    ffn = ub * shape.intermediate * 4 * 3.0 * share
    out = ub * (shape.vocab + shape.hidden) * 4.0 if has_output else 0.0
    return max(attn, ffn, out) + LLAMA_MISC_PER_HEAD * shape.heads


def llama_buffer_per_token(
    shape: Shape, flash_attention: bool, ubatch: int = LLAMA_UBATCH
) -> float:
    """Growth of the llama.cpp compute buffer per context token (the KQ matrix, FA off)."""
    return 0.0 if flash_attention else ubatch * shape.heads * 4.0


def vllm_activation_peak(shape: Shape, tp: int) -> float:
    """Peak activation of vLLM's profiling run, per rank: a forward pass over
    ``max_num_batched_tokens`` tokens (hidden states, QKV, gate/up outputs in 16-bit, sharded
    by TP) plus the sampler's f32 logits for ``max_num_seqs`` rows (x2 for softmax)."""
    tokens = VLLM_MAX_BATCHED_TOKENS
    per_token = 2.0 * (4 * shape.hidden + 3 * shape.intermediate / tp)
    logits = VLLM_MAX_SEQS * shape.vocab * 4.0 * 2 / tp
    return tokens * per_token + logits


def exllama_buffers(shape: Shape) -> float:
    """ExLlamaV2 scratch: a 2048-token input chunk through the FFN (16-bit) plus one row of
    f32 logits per chunk (exllamav2 ``max_input_len`` 2048 default)."""
    return 2048 * 2.0 * (3 * shape.intermediate + 4 * shape.hidden) + 2048 * shape.vocab * 4.0 / 8


def card_capacity_gib(gpu: Gpu) -> float:
    """Memory a card's GPU may use, GiB: VRAM; on a unified-memory system its sourced GPU
    memory limit (``gpu_memory_limit_gib``: DGX Spark, Strix Halo), or on Apple the macOS GPU
    working-set limit."""
    if gpu.gpu_memory_limit_gib is not None:
        return min(gpu.gpu_memory_limit_gib, gpu.vram_gib)
    if gpu.unified_memory and gpu.vendor == "apple":
        fraction = 2 / 3 if gpu.vram_gib <= APPLE_SMALL_RAM_GIB else 0.75
        return gpu.vram_gib * fraction
    return gpu.vram_gib


def card_overhead_gib(gpu: Gpu, index: int) -> float:
    """Memory outside the runtime's buffers: CUDA/ROCm context, plus the desktop on card 0 of
    a consumer card. Metal's context lives inside the working-set limit already."""
    if gpu.platform == "metal":
        return 0.0
    display = DISPLAY_RESERVE_GIB if index == 0 and gpu.segment == "consumer" else 0.0
    return CUDA_CONTEXT_GIB + display


def max_tokens(room: float, per_token: float, swa_per_token: float, window: int) -> int:
    """Largest context whose memory ``per_token * n + swa_per_token * min(n, window)`` fits in
    ``room`` bytes (closed form of the piecewise-linear KV growth)."""
    if room <= 0:
        return 0
    slope = per_token + swa_per_token
    if slope <= 0:
        return 1 << 30
    n = room / slope
    if swa_per_token > 0 and n > window:
        n = (room - swa_per_token * window) / per_token if per_token > 0 else float(1 << 30)
    return max(math.floor(n), 0)


def to_gib(n_bytes: float) -> float:
    """Bytes -> GiB."""
    return n_bytes / GIB
