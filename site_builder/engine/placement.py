"""Where weights, KV cache and buffers land on each card, per split strategy.

Every card's memory is linear in the context window (plus a sliding-window term capped at the
window), so fit verdicts and the largest context are closed-form: see :class:`CardLoad`. KV
bytes come from one formula, :func:`memory.kv_per_token` grown by :func:`memory.kv_at`, on the
cards and in system RAM alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, NamedTuple

from site_builder.engine import memory as mem
from site_builder.engine.shapes import GIB, Shape
from site_builder.schema import Gpu

MemoryStyle = Literal["llama", "ollama", "pool", "exllama", "mlx", "eager"]
"""How a runtime allocates: llama.cpp buffers; Ollama (llama.cpp, one KV per parallel slot);
a pre-reserved pool filled with KV (vLLM, SGLang, TensorRT-LLM); ExLlamaV2; MLX; eager PyTorch."""


class CardLoad(NamedTuple):
    """One card's share. Bytes. Memory at context n is ``weights + buffers +
    buffer_per_token*n + overhead + kv_copies*(kv_per_token*n + kv_swa*min(n, w))``, except for
    a pool runtime, which reserves ``pool`` and gives the rest to KV."""

    gpu: Gpu
    slug: str
    capacity: float
    weights: float
    buffers: float
    buffer_per_token: float
    overhead: float
    """CUDA context, and the desktop reserve on card 0 unless a pool runtime (then ``display``)."""
    display: float
    """Pool runtimes: the desktop reserve that must fit beside the pool."""
    kv_per_token: float
    """KV bytes per context token of one sequence, full-attention layers."""
    kv_swa_per_token: float
    """The same for sliding-window layers (capped at the window)."""
    pool: float
    read_bytes: float
    """Weights one decoded token reads on this card (dense share, top-k experts, head)."""
    expert_bytes: float
    """All routed-expert bytes on this card (batches touch more distinct experts)."""
    active_params: float
    """Block parameters multiplied per token on this card (FLOPs / 2)."""
    layer_share: float
    """Share of the attention work (layers x heads) on this card."""
    layers: int
    has_output: bool
    kv_copies: int = 1
    """Windows of KV cache allocated: Ollama reserves one per parallel slot, 1 otherwise.
    Kept apart from ``kv_per_token`` (one sequence) since a decode step of N users reads N
    sequences, not N x N windows: folding the slots into the rate made Ollama's aggregate
    throughput fall as users were added (found by the concurrency property test)."""

    def kv_at(self, tokens: float, window: int) -> float:
        """KV bytes of one sequence of ``tokens`` on this card (:func:`memory.kv_at`): what a
        decode step reads per sequence, what a pool holds per sequence."""
        return mem.kv_at(self.kv_per_token, self.kv_swa_per_token, tokens, window)

    def kv_alloc_at(self, tokens: float, window: int) -> float:
        """KV bytes allocated for a window of ``tokens``: one window per copy."""
        return self.kv_copies * self.kv_at(tokens, window)

    def total_at(self, tokens: float, window: int) -> float:
        """Bytes this card holds at a context of ``tokens`` (the pool for pool runtimes)."""
        if self.pool:
            return self.pool
        fixed = self.weights + self.buffers + self.overhead
        return fixed + self.buffer_per_token * tokens + self.kv_alloc_at(tokens, window)

    @property
    def kv_space(self) -> float:
        """Pool runtimes: bytes left for KV after weights, buffers and overhead."""
        return self.pool - self.weights - self.buffers - self.overhead


class Placement(NamedTuple):
    """The model on the cards (and in system RAM when llama.cpp offloads layers)."""

    split: str
    cards: tuple[CardLoad, ...]
    parallel: bool
    """Cards compute together on every layer (tensor/expert parallel) vs one after another."""
    gpu_layers: int
    cpu_weights: float
    """Bytes kept in system RAM: offloaded layers, the output layer and its logits when
    offloading, llama.cpp's token embedding."""
    cpu_read_bytes: float
    """Weights read from system RAM per decoded token (offloaded layers)."""
    cpu_kv_per_token: float
    """KV bytes per context token of one sequence in the offloaded full-attention layers."""
    row: bool = False
    """llama.cpp ``-sm row``: every split matrix multiplication gathers on the main card."""
    cpu_kv_swa_per_token: float = 0.0
    """The same for the offloaded sliding-window layers, capped at the window like the cards'
    share (:meth:`cpu_kv_at`). Summed into ``cpu_kv_per_token`` before, it was multiplied by
    the whole context: Gemma 3 27B F16 at 32K on one RTX 3070 needed 62.8 GiB of RAM, not
    ~50, a false no-fit."""
    kv_copies: int = 1
    """Windows of KV cache allocated (Ollama: one per parallel slot)."""
    cpu_block_bytes: float = 0.0
    """Block weights in system RAM, routed experts included: what llama.cpp copies to the GPU
    for each prompt micro-batch of 32 tokens or more (its CUDA back-end offloads such matrix
    products), the experts only as far as the micro-batch routes to them."""
    cpu_moe_layers: int = 0
    """Layers whose routed experts alone are in system RAM (llama.cpp ``--n-cpu-moe N``,
    :func:`offload.expert_offload`); 0 otherwise."""
    cpu_expert_bytes: float = 0.0
    """The routed experts among ``cpu_block_bytes``: llama.cpp copies only those a prompt
    micro-batch routes to (PR 15346)."""

    def cpu_kv_at(self, tokens: float, window: int) -> float:
        """KV bytes of one sequence of ``tokens`` in system RAM (:func:`memory.kv_at`)."""
        return mem.kv_at(self.cpu_kv_per_token, self.cpu_kv_swa_per_token, tokens, window)

    def host_at(self, tokens: float, window: int) -> float:
        """Bytes in system RAM at a context of ``tokens``: weights, logits and every KV window
        of the offloaded layers."""
        return self.cpu_weights + self.kv_copies * self.cpu_kv_at(tokens, window)


def layer_counts(n_layers: int, ratios: Sequence[float]) -> list[int]:
    """llama.cpp's layer assignment: layer ``il`` goes to the first device whose cumulative
    split exceeds ``il / n_layers`` (src/llama-model.cpp ``load_tensors``)."""
    total = sum(ratios) or 1.0
    counts, cum, prev = [], 0.0, 0
    for ratio in ratios:
        cum += ratio / total
        upto = min(n_layers, math.ceil(n_layers * cum - 1e-9))
        counts.append(max(upto - prev, 0))
        prev = max(prev, upto)
    counts[-1] += n_layers - sum(counts)
    return counts


def usable(gpu: Gpu, index: int) -> tuple[float, float]:
    """(capacity, overhead) of one card in bytes."""
    return mem.card_capacity_gib(gpu) * GIB, mem.card_overhead_gib(gpu, index) * GIB


def card_load(
    req: Request,
    i: int,
    weights: float,
    buffers: tuple[float, float],
    kv: tuple[float, float],
    read_bytes: float,
    share: float,
    layer_share: float,
    layers: int,
    has_output: bool,
) -> CardLoad:
    """Card ``i``'s load with its capacity, overhead and pool filled in. ``buffers`` and ``kv``
    are (fixed, per token) and (full, sliding-window) bytes; ``share`` of the block weights."""
    capacity, overhead = req.caps[i]
    display = pool = 0.0
    if req.style == "pool":
        display = max(overhead - mem.CUDA_CONTEXT_GIB * GIB, 0.0)
        overhead -= display
        pool = capacity * req.pool_fraction
    s = req.shape
    return CardLoad(
        req.gpus[i],
        req.slugs[i],
        capacity,
        weights,
        buffers[0],
        buffers[1],
        overhead,
        display,
        kv[0],
        kv[1],
        pool,
        read_bytes,
        share * s.expert_bytes,
        share * s.active_block_params,
        layer_share,
        layers,
        has_output,
        req.slots,
    )


class Request(NamedTuple):
    """What placement needs to know about the configuration."""

    gpus: tuple[Gpu, ...]
    slugs: tuple[str, ...]
    shape: Shape
    style: MemoryStyle
    kv_bytes: float
    """Bytes per KV element."""
    flash_attention: bool
    slots: int
    """KV copies: Ollama allocates one window per parallel request (``CardLoad.kv_copies``)."""
    tensor_split: tuple[float, ...] | None
    pool_fraction: float
    caps: tuple[tuple[float, float], ...]
    """(capacity, overhead) bytes of each card (see ``usable``)."""
    ubatch: int = mem.LLAMA_UBATCH
    """llama.cpp prompt tokens a pass (``-ub``): its compute buffer and logits scale with it."""


def kv_of(req: Request, layer_share: float, head_share: float) -> tuple[float, float]:
    """(full-attention, sliding-window) KV bytes per context token of one sequence on one card
    (or in system RAM): :func:`memory.kv_per_token`. Ollama allocates ``req.slots`` of them
    (``kv_copies``); a decode step reads one per sequence it serves."""
    return mem.kv_per_token(req.shape, req.kv_bytes, layer_share, head_share)


def card_buffers(
    req: Request, layers_share: float, has_output: bool, tp: int
) -> tuple[float, float]:
    """(fixed, per-context-token) runtime buffers of one card."""
    s, style = req.shape, req.style
    if style in ("llama", "ollama"):
        fixed = mem.llama_compute_buffer(s, 0, req.flash_attention, has_output, ubatch=req.ubatch)
        per_token = mem.llama_buffer_per_token(s, req.flash_attention, req.ubatch)
        return fixed, per_token if layers_share else 0.0
    if style == "pool":
        extra = (mem.NCCL_BUFFER_GIB if tp > 1 else 0.0) + mem.CUDA_GRAPHS_GIB
        return mem.vllm_activation_peak(s, tp) + extra * GIB, 0.0
    if style == "exllama":
        return mem.exllama_buffers(s) * max(layers_share, 1.0 / max(tp, 1)), 0.0
    if style == "mlx":
        return mem.llama_compute_buffer(s, 0, True, has_output), 0.0
    return mem.vllm_activation_peak(s, tp), 0.0


def unplaced(split: str) -> Placement:
    """No placement: the runtime cannot run the configuration, so nothing is on any card."""
    return Placement(split, (), False, 0, 0.0, 0.0, 0.0)


def layer_split(
    req: Request, counts: Sequence[int] | None = None, output_on_gpu: bool = True
) -> Placement:
    """Contiguous blocks of layers per card (llama.cpp ``-sm layer``, vLLM pipeline, ExLlamaV2
    ``--gpu-split``). Without explicit counts, layers follow the tensor-split ratio or free
    memory, as llama.cpp does by default. The output layer sits on the last card; llama.cpp
    keeps the token embedding in system RAM. ``counts`` summing below ``n_layers`` means the
    remaining layers are offloaded to system RAM (llama.cpp ``-ngl``); with partial offload
    the output layer and its f32 logits stay in system RAM too."""
    s = req.shape
    if counts is None:
        if req.style == "pool":
            ratios: Sequence[float] = [1.0] * len(req.gpus)
        else:
            ratios = req.tensor_split or [c - o for c, o in req.caps]
        counts = layer_counts(s.n_layers, ratios)
    offloaded = s.n_layers - sum(counts)
    output_on_gpu = output_on_gpu and offloaded == 0
    last = max((i for i, c in enumerate(counts) if c), default=len(counts) - 1)
    embed_on_gpu = not embed_in_host(req)
    dense_read = s.dense_block_bytes + s.active_expert_bytes
    cards = []
    for i, n in enumerate(counts):
        share = n / s.n_layers
        has_output = i == last and output_on_gpu
        head = s.head_bytes if has_output else 0.0
        weights = share * s.block_bytes + head
        if embed_on_gpu and i == 0 and (s.output_bytes or not has_output):
            weights += s.embed_bytes
        buffers = card_buffers(req, share, has_output, 1)
        kv = kv_of(req, share, 1.0)
        read = share * dense_read + head
        cards.append(card_load(req, i, weights, buffers, kv, read, share, share, n, has_output))
    off_share = offloaded / s.n_layers
    cpu_kv, cpu_swa = kv_of(req, off_share, 1.0)
    cpu_head = 0.0 if output_on_gpu else s.head_bytes
    logits = 0.0 if output_on_gpu else req.ubatch * s.vocab * 4.0
    return Placement(
        "layer",
        tuple(cards),
        False,
        sum(counts),
        off_share * s.block_bytes + cpu_head + logits + (0.0 if embed_on_gpu else s.embed_bytes),
        off_share * dense_read + cpu_head,
        cpu_kv,
        cpu_kv_swa_per_token=cpu_swa,
        kv_copies=req.slots,
        cpu_block_bytes=off_share * s.block_bytes,
        cpu_expert_bytes=off_share * s.expert_bytes,
    )


def tensor_split(req: Request, split: str = "tensor") -> Placement:
    """Every card holds 1/N of every weight matrix (vLLM/SGLang/TensorRT-LLM tensor parallel,
    ExLlamaV2 TP; expert parallel shards experts the same way). KV heads are split with
    replication when KV heads < N. llama.cpp ``-sm row`` instead splits rows by the
    tensor-split ratio and keeps KV, attention and the output on the main card (``-mg``)."""
    s, n = req.shape, len(req.gpus)
    if req.style in ("llama", "ollama"):
        return row_split(req)
    kv = kv_of(req, 1.0, mem.kv_head_share(s, n))
    buffers = card_buffers(req, 1.0, True, n)
    weights = (s.block_bytes + s.embed_bytes + s.output_bytes) / n
    read = (s.dense_block_bytes + s.active_expert_bytes + s.head_bytes) / n
    cards = tuple(
        card_load(req, i, weights, buffers, kv, read, 1.0 / n, 1.0 / n, s.n_layers, True)
        for i in range(n)
    )
    return Placement(split, cards, True, s.n_layers, 0.0, 0.0, 0.0)


def row_split(req: Request) -> Placement:
    """llama.cpp ``-sm row``: weight rows split by the tensor-split ratio (free memory by
    default); KV cache, attention and the output layer on the main card 0."""
    s = req.shape
    ratios = req.tensor_split or [c - o for c, o in req.caps]
    total = sum(ratios)
    cards = []
    for i, ratio in enumerate(ratios):
        share, main = ratio / total, i == 0
        head = s.head_bytes if main else 0.0
        kv = kv_of(req, 1.0, 1.0) if main else (0.0, 0.0)
        buffers = card_buffers(req, 1.0 if main else 0.0, main, 1)
        read = share * (s.dense_block_bytes + s.active_expert_bytes) + head
        layer_share = 1.0 if main else 0.0
        weights = share * s.block_bytes + head
        cards.append(
            card_load(req, i, weights, buffers, kv, read, share, layer_share, s.n_layers, main)
        )
    return Placement("tensor", tuple(cards), True, s.n_layers, s.embed_bytes, 0.0, 0.0, True)


def embed_in_host(req: Request) -> bool:
    """llama.cpp (and Ollama) keep the token embedding in system RAM."""
    return req.style in ("llama", "ollama")
