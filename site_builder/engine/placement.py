"""Where weights, KV cache and buffers land on each card, per split strategy.

Every card's memory is linear in the context window (plus a sliding-window term capped at the
window), so fit verdicts and the largest context are closed-form: see :class:`CardLoad`.
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
    """One card's share. Bytes. Memory at context n is
    ``weights + buffers + buffer_per_token*n + overhead + kv_per_token*n + kv_swa*min(n, w)``,
    except for a pool runtime, which reserves ``pool`` and gives the rest to KV."""

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
    kv_swa_per_token: float
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

    def kv_at(self, tokens: float, window: int) -> float:
        """KV bytes for a window of ``tokens``."""
        return self.kv_per_token * tokens + self.kv_swa_per_token * min(tokens, window)

    def total_at(self, tokens: float, window: int) -> float:
        """Bytes this card holds at a context of ``tokens`` (the pool for pool runtimes)."""
        if self.pool:
            return self.pool
        fixed = self.weights + self.buffers + self.overhead
        return fixed + self.buffer_per_token * tokens + self.kv_at(tokens, window)

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
    row: bool = False
    """llama.cpp ``-sm row``: every split matrix multiplication gathers on the main card."""


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


def _card(
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
    """KV copies: Ollama allocates one window per parallel request."""
    tensor_split: tuple[float, ...] | None
    pool_fraction: float
    caps: tuple[tuple[float, float], ...]
    """(capacity, overhead) bytes of each card (see ``usable``)."""


def _kv_per_token(req: Request, layer_share: float, head_share: float) -> tuple[float, float]:
    """(full-attention, sliding-window) KV bytes per context token on one card."""
    s = req.shape
    elems = s.kv_elems_per_layer * req.kv_bytes * layer_share * head_share * req.slots
    return elems * s.full_layers, elems * s.swa_layers


def _buffers(req: Request, layers_share: float, has_output: bool, tp: int) -> tuple[float, float]:
    """(fixed, per-context-token) runtime buffers of one card."""
    s, style = req.shape, req.style
    if style in ("llama", "ollama"):
        fixed = mem.llama_compute_buffer(s, 0, req.flash_attention, has_output)
        return fixed, mem.llama_buffer_per_token(s, req.flash_attention) if layers_share else 0.0
    if style == "pool":
        extra = (mem.NCCL_BUFFER_GIB if tp > 1 else 0.0) + mem.CUDA_GRAPHS_GIB
        return mem.vllm_activation_peak(s, tp) + extra * GIB, 0.0
    if style == "exllama":
        return mem.exllama_buffers(s) * max(layers_share, 1.0 / max(tp, 1)), 0.0
    if style == "mlx":
        return mem.llama_compute_buffer(s, 0, True, has_output), 0.0
    return mem.vllm_activation_peak(s, tp), 0.0


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
    embed_on_gpu = req.style not in ("llama", "ollama")
    dense_read = s.dense_block_bytes + s.active_expert_bytes
    cards = []
    for i, n in enumerate(counts):
        share = n / s.n_layers
        has_output = i == last and output_on_gpu
        head = s.head_bytes if has_output else 0.0
        weights = share * s.block_bytes + head
        if embed_on_gpu and i == 0 and (s.output_bytes or not has_output):
            weights += s.embed_bytes
        buffers = _buffers(req, share, has_output, 1)
        kv = _kv_per_token(req, share, 1.0)
        read = share * dense_read + head
        cards.append(_card(req, i, weights, buffers, kv, read, share, share, n, has_output))
    off_share = offloaded / s.n_layers
    cpu_kv, cpu_swa = _kv_per_token(req, off_share, 1.0)
    cpu_head = 0.0 if output_on_gpu else s.head_bytes
    logits = 0.0 if output_on_gpu else mem.LLAMA_UBATCH * s.vocab * 4.0
    return Placement(
        "layer",
        tuple(cards),
        False,
        sum(counts),
        off_share * s.block_bytes + cpu_head + logits + (0.0 if embed_on_gpu else s.embed_bytes),
        off_share * dense_read + cpu_head,
        cpu_kv + cpu_swa,
    )


def tensor_split(req: Request, split: str = "tensor") -> Placement:
    """Every card holds 1/N of every weight matrix (vLLM/SGLang/TensorRT-LLM tensor parallel,
    ExLlamaV2 TP; expert parallel shards experts the same way). KV heads are split with
    replication when KV heads < N. llama.cpp ``-sm row`` instead splits rows by the
    tensor-split ratio and keeps KV, attention and the output on the main card (``-mg``)."""
    s, n = req.shape, len(req.gpus)
    if req.style in ("llama", "ollama"):
        return row_split(req)
    kv = _kv_per_token(req, 1.0, mem.kv_head_share(s, n))
    buffers = _buffers(req, 1.0, True, n)
    weights = (s.block_bytes + s.embed_bytes + s.output_bytes) / n
    read = (s.dense_block_bytes + s.active_expert_bytes + s.head_bytes) / n
    cards = tuple(
        _card(req, i, weights, buffers, kv, read, 1.0 / n, 1.0 / n, s.n_layers, True)
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
        kv = _kv_per_token(req, 1.0, 1.0) if main else (0.0, 0.0)
        buffers = _buffers(req, 1.0 if main else 0.0, main, 1)
        read = share * (s.dense_block_bytes + s.active_expert_bytes) + head
        layer_share = 1.0 if main else 0.0
        weights = share * s.block_bytes + head
        cards.append(
            _card(req, i, weights, buffers, kv, read, share, layer_share, s.n_layers, main)
        )
    return Placement("tensor", tuple(cards), True, s.n_layers, s.embed_bytes, 0.0, 0.0, True)


def offload_counts(req: Request, context: int) -> list[int]:
    """Layers per card when the model does not fit: each card takes as many whole layers
    (weights + their KV at ``context``) as its free memory holds, in card order (llama.cpp
    ``-ngl`` below the layer count; the output layer then stays in system RAM)."""
    s = req.shape
    per_layer_kv = sum(_kv_per_token(req, 1.0 / s.n_layers, 1.0)) * context
    per_layer = s.per_layer_bytes + per_layer_kv
    counts, left = [], s.n_layers
    buffers, per_token = _buffers(req, 1.0, False, 1)
    for capacity, overhead in req.caps:
        room = capacity - overhead - buffers - per_token * context
        fit = max(int(room // per_layer), 0) if per_layer > 0 else left
        counts.append(min(fit, left))
        left -= counts[-1]
    return counts


def offload_max_context(req: Request, host_room: float) -> int:
    """Largest window llama.cpp can run when it may keep layers in system RAM: all cards' free
    memory plus ``host_room`` must hold the weights, the whole KV cache and the compute
    buffers (whole-layer granularity ignored)."""
    s = req.shape
    buffers, per_token = _buffers(req, 1.0, False, 1)
    room = host_room - s.total_bytes
    room += sum(capacity - overhead - buffers for capacity, overhead in req.caps)
    kv, kv_swa = _kv_per_token(req, 1.0, 1.0)
    return mem.max_tokens(room, kv + per_token * len(req.caps), kv_swa, s.window)
