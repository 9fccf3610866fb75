"""Model shape numbers the engine needs, derived once per (model, quant) from the catalog.

Parameter bookkeeping follows the Hugging Face configs in ``catalog/models``: the token
embedding is ``vocab_size x hidden_size``; the output head is a second matrix of the same shape
unless ``tie_word_embeddings``; everything else (``params_total_b`` minus those) sits in the
transformer blocks, except a per-layer embedding table (Gemma 4 E2B/E4B), which is a lookup
like the token embedding. Routed MoE experts are ``3 x hidden x moe_intermediate`` each (gate,
up and down projections: Mixtral/Qwen3-MoE/DeepSeek/gpt-oss ``config.json``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from site_builder.schema import Model, Quant
from site_builder.schema.model import CompressedAttentionSpec

BILLION = 1e9
GIB = float(1 << 30)
MXFP4_BITS = 4.25
"""OCP MXFP4: 32 E2M1 values and one E8M0 scale in 17 bytes (OCP MX spec v1.0, §5)."""
INT4_G32_BITS = 4.5
"""Symmetric INT4 with one BF16 scale per 32 weights, no zero point: 4 + 16/32 bits
(compressed-tensors ``pack-quantized``, ``num_bits 4``, ``group_size 32``, ``symmetric``: the
``quantization_config`` of moonshotai/Kimi-K2.6 config.json)."""
NATIVE_BITS: dict[str, tuple[float, float]] = {
    "fp8": (8.0, 8.0),
    "mxfp4": (math.inf, MXFP4_BITS),
    "mxfp4-fp8": (8.0, MXFP4_BITS),
    "int4-bf16": (math.inf, INT4_G32_BITS),
}
"""Bits per weight of the released checkpoint by ``native_dtype``: (block weights other than
routed experts, routed experts); 16-bit parts are left uncapped (the quant's own 16-bit width).
gpt-oss: MXFP4 experts, BF16 rest (openai/gpt-oss-120b model card); DeepSeek-V4: MXFP4-layout
FP4 experts (``expert_dtype fp4``, one UE8M0 scale per 32) and FP8 E4M3 rest with 128x128 block
scales (deepseek-ai/DeepSeek-V4-Flash config.json ``quantization_config``, inference/model.py
``Linear``); Kimi K2.6: INT4 experts (:data:`INT4_G32_BITS`), BF16 rest."""
COMPRESSOR_STATE_BYTES = 4.0
"""Bytes per element of DeepSeek-V4's compressor state: fp32 (inference/model.py
``Compressor.kv_state``/``score_state``, ``dtype=torch.float32``)."""
RECURRENT_STATE_BYTES = 4.0
"""Bytes per element of a linear-attention layer's recurrent and convolution state: f32 whatever
the KV-cache type (Qwen3.5 config.json ``mamba_ssm_dtype: float32``; llama.cpp allocates
recurrent memory as F32, ``llama_memory_recurrent`` ``type_r``/``type_s``)."""


class Shape(NamedTuple):
    """Sizes of one model stored in one quant. Bytes are decimal bytes, params are counts."""

    n_layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    intermediate: int
    max_context: int
    embed_bytes: float
    """Lookup tables a token reads one row of: the token embedding and the per-layer embedding
    table (kept in host memory by llama.cpp; sharded by vLLM). See :func:`lookup_bytes`."""
    output_bytes: float
    """Separate output head (zero when tied: the embedding matrix is stored once), or the tied
    matrix of a model with per-layer embeddings (:func:`lookup_bytes`)."""
    head_bytes: float
    """The matrix multiplied at the output each token: the output head, or the tied embedding."""
    dense_block_bytes: float
    """Block weights that every token reads: attention, norms, dense FFN, shared experts."""
    expert_bytes: float
    """All routed-expert weights (zero for dense models)."""
    active_expert_bytes: float
    """Routed-expert weights one token reads (top-k of each MoE layer)."""
    num_experts: int
    experts_per_token: int
    active_block_params: float
    """Parameters multiplied per token in the blocks (FLOPs = 2 x this)."""
    active_expert_params: float
    """Of those, the routed experts' (top-k of each MoE layer; zero for dense models)."""
    output_params: float
    kv_elems_per_layer: int
    """K and V elements per token per layer: 2 x kv_heads x head_dim, the MLA latent width, or
    DeepSeek-V4's one entry (key = value) per windowed position."""
    full_kv_elems_per_layer: int
    """The same for a full-attention layer: equal to ``kv_elems_per_layer`` except where the
    model's global layers have their own KV shape (Gemma 4 ``global_attention``)."""
    full_layers: int
    """Layers attending to every position (neither sliding-window nor linear attention)."""
    swa_layers: int
    """Layers attending to a window of positions (sliding-window; every DeepSeek-V4 layer)."""
    window: int
    """Positions a windowed layer caches: the sliding window (DeepSeek-V4's 128), or 1 for a
    hybrid linear-attention model, whose fixed recurrent state is carried as a window of one
    token (see :func:`memory.kv_per_token`)."""
    full_kv_layers: int
    """Full-attention layers that store a cache: ``full_layers`` minus those reusing an earlier
    layer's keys and values (Gemma 4 ``num_kv_shared_layers``)."""
    swa_kv_layers: int
    """Windowed layers that store a cache (``swa_layers`` minus the KV-sharing ones)."""
    index_elems_per_token: int
    """DeepSeek Sparse Attention indexer keys cached per token, all layers together
    (index_head_dim x layers with their own indexer); zero without DSA."""
    compressed_elems_per_token: float
    """DeepSeek-V4 compressed entries and indexer keys cached per context token, all layers
    together (:func:`compressed_elems_per_token`); zero for other models."""
    compressor_state_bytes: float
    """DeepSeek-V4 fp32 compressor state of one sequence, all layers (fixed size)."""
    linear_layers: int
    """Linear-attention layers (fixed recurrent state per sequence, no KV cache)."""
    state_bytes_per_layer: float
    """Recurrent + convolution state of one linear-attention layer for one sequence, bytes."""
    is_mla: bool
    moe: bool

    @property
    def block_bytes(self) -> float:
        """All transformer-block weights."""
        return self.dense_block_bytes + self.expert_bytes

    @property
    def total_bytes(self) -> float:
        """The whole checkpoint (what a GGUF file weighs, header aside)."""
        return self.block_bytes + self.embed_bytes + self.output_bytes

    @property
    def per_layer_bytes(self) -> float:
        """Mean block weight bytes per layer."""
        return self.block_bytes / self.n_layers

    @property
    def active_bytes_per_token(self) -> float:
        """Weights one decoded token reads: dense block part, top-k experts, output head."""
        return self.dense_block_bytes + self.active_expert_bytes + self.head_bytes


def effective_bits_per_weight(model: Model, quant: Quant) -> float:
    """Mean bits per parameter of the transformer blocks of ``model`` stored as ``quant``.

    The precision that matters, embeddings and output head aside (AWQ keeps those at 16 bits,
    which would otherwise make a small model look more precise in AWQ than in Q4_K_M). Mixed
    formats differ by model: MXFP4 stores routed experts at 4.25 bits and the rest at 8.5, so
    a dense model in it is 8.5 bits and gpt-oss about 4.3. A copy never carries more than the
    released weights: gpt-oss experts were trained in MXFP4 and DeepSeek-V3 in FP8, so their
    16-bit copies count at the native width (model cards of openai/gpt-oss-120b and
    deepseek-ai/DeepSeek-V3); the caps per native dtype are :data:`NATIVE_BITS`.
    """
    all_experts = expert_params(model)[0]
    dense = dense_block_params(model)
    dense_cap, expert_cap = NATIVE_BITS.get(model.native_dtype, (math.inf, math.inf))
    dense_bpw = min(quant.bits_per_weight, dense_cap)
    expert_bpw = min(expert_bits(model, quant), expert_cap)
    total = dense + all_experts
    if total <= 0:
        return dense_bpw
    return (dense * dense_bpw + all_experts * expert_bpw) / total


def dense_block_params(model: Model) -> float:
    """Block parameters every token multiplies: total minus the token embedding, the per-layer
    embedding table, a separate output head and the routed experts."""
    embed = float(model.vocab_size * model.hidden_size) + per_layer_embedding_params(model)
    output = 0.0 if model.tie_word_embeddings else float(model.vocab_size * model.hidden_size)
    return max(model.params_total_b * BILLION - embed - output - expert_params(model)[0], 0.0)


def per_layer_embedding_params(model: Model) -> float:
    """Parameters of the per-layer embedding table: ``vocab_size_per_layer_input x num_layers x
    hidden_size_per_layer_input`` (transformers ``Gemma4TextModel.embed_tokens_per_layer``).
    Gemma 4 E2B: 262,144 x 35 x 256 = 2.349B; E4B: 262,144 x 42 x 256 = 2.819B. Zero without
    one.
    https://github.com/huggingface/transformers/blob/0246b4f3335464614ef1de66531f9131a44ec801/src/transformers/models/gemma4/modeling_gemma4.py
    """
    ple = model.per_layer_embeddings
    return float(ple.vocab_size * model.num_layers * ple.dim) if ple is not None else 0.0


def expert_bits(model: Model, quant: Quant) -> float:
    """Bits per routed-expert weight. Models released with MXFP4 experts (gpt-oss) keep them
    in MXFP4 in every GGUF file: llama.cpp re-quantizes only the other tensors, so all
    gpt-oss-120b GGUFs weigh about the same (llama-bench: ggml-org MXFP4 59.02 GiB, unsloth
    "F16" 60.87 GiB; community.frame.work/t/73280/26)."""
    bits = quant.expert_bits_per_weight or quant.bits_per_weight
    if model.native_dtype == "mxfp4" and quant.format == "gguf":
        return MXFP4_BITS
    return bits


def expert_params(model: Model) -> tuple[float, float]:
    """Routed-expert parameters (all, active per token): layers x experts x 3 x h x moe_inter."""
    moe = model.moe
    if moe is None:
        return 0.0, 0.0
    one = 3.0 * model.hidden_size * moe.moe_intermediate_size
    layers = model.num_layers - moe.dense_layers
    return layers * moe.num_experts * one, layers * moe.experts_per_token * one


def kv_elems_per_layer(model: Model) -> int:
    """KV elements cached per token per layer.

    GQA/MQA: ``2 * num_kv_heads * head_dim`` (K and V). DeepSeek MLA caches one latent of
    ``kv_lora_rank + qk_rope_head_dim`` per layer (DeepSeek-V2 paper, arXiv 2405.04434 §2.1).
    DeepSeek-V4 caches one ``entry_dim`` entry per windowed position that serves as key and value
    (inference/model.py ``Attention.kv_cache`` of ``head_dim``; 512).
    """
    if model.mla is not None:
        return model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
    if model.compressed_attention is not None:
        return model.compressed_attention.entry_dim
    return 2 * model.num_kv_heads * model.head_dim


def index_elems_per_token(model: Model) -> int:
    """Indexer-key elements DeepSeek Sparse Attention caches per token: one key of
    ``index_head_dim`` on each layer with its own lightning indexer (DeepSeek-V3.2 technical
    report, §2.1: the indexer key k^I_s is shared by the indexer heads; config.json
    ``index_head_dim``). GLM-5: 128 x 78 layers = 9,984 elements beside the 576-element MLA
    latent of each layer. Zero without sparse attention."""
    sa = model.sparse_attention
    return sa.index_head_dim * sa.index_layers if sa is not None else 0


def compressed_elems_per_token(model: Model) -> float:
    """Elements DeepSeek-V4 adds to its cache per context token, all layers together.

    A layer with compress ratio r > 0 caches ``floor(T / r)`` entries of ``entry_dim``; a layer
    whose ratio is ``index_ratio`` (CSA) also ``floor(T / r)`` indexer keys of
    ``index_head_dim`` (inference/model.py ``Attention.kv_cache`` of ``window_size +
    max_seq_len // compress_ratio`` rows; ``Indexer.kv_cache`` of ``max_seq_len //
    compress_ratio`` rows). Per token: sum of ``entry_dim / r`` + ``index_head_dim / r`` on the
    indexed layers (the floor is dropped: at most one entry per layer). DeepSeek-V4-Flash,
    21 CSA (r = 4) and 20 HCA (r = 128) layers: 21 x (128 + 32) + 20 x 4 = 3,440 elements
    (6,880 B in BF16); V4-Pro, 30 CSA and 31 HCA: 4,924 (9,848 B). Zero for other models.
    https://huggingface.co/deepseek-ai/DeepSeek-V4-Flash/blob/60d8d70770c6776ff598c94bb586a859a38244f1/inference/model.py
    """
    ca = model.compressed_attention
    return sum(_layer_compressed_elems(ca, r) for r in ca.compress_ratios) if ca else 0.0


def _layer_compressed_elems(ca: CompressedAttentionSpec, ratio: int) -> float:
    """Compressed entry (plus indexer key on an indexed layer) elements per token of one layer."""
    if ratio == 0:
        return 0.0
    index = ca.index_head_dim if ratio == ca.index_ratio else 0
    return (ca.entry_dim + index) / ratio


def compressor_state_elems(model: Model) -> int:
    """fp32 elements of DeepSeek-V4's compressor state for one sequence, all layers together.

    Each compressor keeps ``kv_state`` and ``score_state`` of ``c x r`` rows by ``c x dim``
    (``c`` = 2 with overlapping windows, on the indexed layers: ``Compressor.overlap =
    compress_ratio == 4``); an indexed layer has a second, overlapping compressor for its
    indexer keys (``index_head_dim``). Per layer: r = 4, 2 x 8 x 1,024 + 2 x 8 x 256 = 20,480
    elements (80 KiB); r = 128, 2 x 128 x 512 = 131,072 (512 KiB). Fixed, whatever the context.
    https://huggingface.co/deepseek-ai/DeepSeek-V4-Flash/blob/60d8d70770c6776ff598c94bb586a859a38244f1/inference/model.py
    """
    ca = model.compressed_attention
    return sum(_layer_state_elems(ca, r) for r in ca.compress_ratios) if ca else 0


def _layer_state_elems(ca: CompressedAttentionSpec, ratio: int) -> int:
    """Compressor state elements of one layer (zero on a window-only layer)."""
    if ratio == 0:
        return 0
    if ratio != ca.index_ratio:
        return 2 * ratio * ca.entry_dim
    return 2 * (2 * ratio) * (2 * ca.entry_dim) + 2 * (2 * ratio) * (2 * ca.index_head_dim)


def cache_layers(model: Model) -> tuple[int, int]:
    """(full-attention, sliding-window) layers that store a KV cache: the model's layers of each
    kind minus the last ``kv_sharing`` layers, which reuse an earlier layer's cache
    (transformers Gemma 4 ``first_kv_shared_layer_idx = num_hidden_layers -
    num_kv_shared_layers``; llama.cpp ``n_layer_kv_from_start``, which sizes its cache).
    Gemma 4 E2B: 7 full and 28 sliding layers, the last 20 (4 full, 16 sliding) shared: 3 and 12.
    DeepSeek-V4 caches a window on every layer and no full-length K/V (its compressed entries
    are :func:`compressed_elems_per_token`).
    https://github.com/huggingface/transformers/blob/0246b4f3335464614ef1de66531f9131a44ec801/src/transformers/models/gemma4/modeling_gemma4.py
    """
    full, swa = compute_layers(model)
    ks = model.kv_sharing
    if ks is None:
        return full, swa
    return full - (ks.shared_layers - ks.shared_sliding_layers), swa - ks.shared_sliding_layers


def compute_layers(model: Model) -> tuple[int, int]:
    """(full-attention, windowed) layers by attention kind; linear-attention layers are
    neither, and every DeepSeek-V4 layer is windowed."""
    if model.compressed_attention is not None:
        return 0, model.num_layers
    linear = model.linear_attention.layers if model.linear_attention else 0
    return model.num_layers - model.sliding_layers - linear, model.sliding_layers


def window_of(model: Model) -> int:
    """Positions a windowed layer caches: the sliding window, DeepSeek-V4's window, or 1 for a
    hybrid linear-attention model (its fixed state rides the windowed term)."""
    if model.compressed_attention is not None:
        return model.compressed_attention.window_tokens
    linear = model.linear_attention is not None
    return model.sliding_window_tokens or (1 if linear else 0)


def lookup_bytes(model: Model, quant: Quant) -> tuple[float, float]:
    """(``embed_bytes``, ``output_bytes``): the lookup tables, and a separate output head.

    The token embedding counts at the quant's embedding type, at the output type when tied
    (llama.cpp quantizes a tied ``token_embd`` as the output tensor, ``src/llama-quant.cpp``,
    ``!qs.has_output``). The per-layer embedding table joins it at the same type (Gemma 4 E2B
    Q4_K_M GGUFs store ``per_layer_token_embd`` in Q6_K like ``token_embd``: 2.349B x 6.5625
    bits = 1.93 GB): llama.cpp places it with the input layer in host memory like
    ``token_embd`` (``LLM_TENSOR_LAYER_INPUT``, src/llama-arch.cpp), and a token reads one row.

    A tied model with per-layer embeddings carries its tied matrix as ``output_bytes`` (it is
    also the head): placement adds ``embed_bytes`` on the first card only beside a separate
    head, so the per-layer table is then counted on every card layout; llama.cpp's host copy
    of the tied ``token_embd`` is left out of system RAM (0.3-0.8 GB for Gemma 4 E2B/E4B).
    https://github.com/ggml-org/llama.cpp/blob/00395eb285c7c6821ff372e3ca41dae9da33c2c7/src/llama-arch.cpp
    """
    tied = model.tie_word_embeddings
    bits = quant.output_bits_per_weight if tied else quant.embedding_bits_per_weight
    embed = float(model.vocab_size * model.hidden_size) * bits / 8
    ple = per_layer_embedding_params(model) * bits / 8
    if not tied:
        return embed + ple, model.vocab_size * model.hidden_size * quant.output_bits_per_weight / 8
    return (ple, embed) if ple else (embed, 0.0)


def recurrent_state_elems(model: Model) -> int:
    """State elements one linear-attention (Gated DeltaNet) layer keeps per sequence.

    ``num_value_heads x key_head_dim x value_head_dim`` (the delta-rule state matrix of each value
    head) plus ``(conv_kernel - 1) x conv_dim`` for the causal convolution, with
    ``conv_dim = 2 x num_key_heads x key_head_dim + num_value_heads x value_head_dim`` (q, k and v
    are convolved together): transformers ``Qwen3NextGatedDeltaNet`` (``conv_dim``,
    ``recurrent_state`` of shape [heads_v, head_k_dim, head_v_dim]) and llama.cpp's recurrent
    cache, which keeps the last ``d_conv - 1`` inputs. Qwen3-Next-80B-A3B (16 key / 32 value
    heads of 128, kernel 4): 32 x 128 x 128 + 3 x 8192 = 548,864 elements. Zero without
    linear attention.
    """
    la = model.linear_attention
    if la is None:
        return 0
    conv_dim = 2 * la.num_key_heads * la.key_head_dim + la.num_value_heads * la.value_head_dim
    state = la.num_value_heads * la.key_head_dim * la.value_head_dim
    return state + (la.conv_kernel - 1) * conv_dim


def full_kv_elems_per_layer(model: Model) -> int:
    """KV elements a full-attention layer caches per token: ``2 x num_kv_heads x head_dim`` of
    ``global_attention`` when the model declares one (Gemma 4 31B: 2 x 4 x 512 = 4096, against
    2 x 16 x 256 = 8192 on its sliding-window layers; config.json ``num_global_key_value_heads``,
    ``global_head_dim``), else :func:`kv_elems_per_layer`. K and V are both counted although
    Gemma 4 derives V from K (``attention_k_eq_v``): the transformers cache stores both."""
    ga = model.global_attention
    if ga is None:
        return kv_elems_per_layer(model)
    return 2 * ga.num_kv_heads * ga.head_dim


def shape_of(model: Model, quant: Quant) -> Shape:
    """Sizes of ``model`` stored as ``quant`` (bits per weight from the quant's catalog entry)."""
    embed_params = float(model.vocab_size * model.hidden_size)
    output_params = 0.0 if model.tie_word_embeddings else embed_params
    all_experts, active_experts = expert_params(model)
    dense_block = dense_block_params(model)
    expert_bpw = expert_bits(model, quant)
    embed_bytes, output_bytes = lookup_bytes(model, quant)
    full_layers, swa_layers = compute_layers(model)
    full_kv_layers, swa_kv_layers = cache_layers(model)
    linear_layers = model.linear_attention.layers if model.linear_attention else 0
    return Shape(
        n_layers=model.num_layers,
        hidden=model.hidden_size,
        heads=model.num_attention_heads,
        kv_heads=model.num_kv_heads,
        head_dim=model.head_dim,
        vocab=model.vocab_size,
        intermediate=model.intermediate_size,
        max_context=model.max_context_tokens,
        embed_bytes=embed_bytes,
        output_bytes=output_bytes,
        head_bytes=(output_params or embed_params) * quant.output_bits_per_weight / 8,
        dense_block_bytes=dense_block * quant.bits_per_weight / 8,
        expert_bytes=all_experts * expert_bpw / 8,
        active_expert_bytes=active_experts * expert_bpw / 8,
        num_experts=model.moe.num_experts if model.moe else 0,
        experts_per_token=model.moe.experts_per_token if model.moe else 0,
        active_block_params=dense_block + active_experts,
        active_expert_params=active_experts,
        output_params=embed_params if model.tie_word_embeddings else output_params,
        kv_elems_per_layer=kv_elems_per_layer(model),
        full_kv_elems_per_layer=full_kv_elems_per_layer(model),
        full_layers=full_layers,
        swa_layers=swa_layers,
        window=window_of(model),
        full_kv_layers=full_kv_layers,
        swa_kv_layers=swa_kv_layers,
        index_elems_per_token=index_elems_per_token(model),
        compressed_elems_per_token=compressed_elems_per_token(model),
        compressor_state_bytes=compressor_state_elems(model) * COMPRESSOR_STATE_BYTES,
        linear_layers=linear_layers,
        state_bytes_per_layer=recurrent_state_elems(model) * RECURRENT_STATE_BYTES,
        is_mla=model.mla is not None,
        moe=model.moe is not None,
    )
