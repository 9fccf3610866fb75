"""Model shape numbers the engine needs, derived once per (model, quant) from the catalog.

Parameter bookkeeping follows the Hugging Face configs in ``catalog/models``: the token
embedding is ``vocab_size x hidden_size``; the output head is a second matrix of the same shape
unless ``tie_word_embeddings``; everything else (``params_total_b`` minus those) sits in the
transformer blocks. Routed MoE experts are ``3 x hidden x moe_intermediate`` each (gate, up and
down projections: Mixtral/Qwen3-MoE/DeepSeek/gpt-oss ``config.json``).
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.schema import Model, Quant

BILLION = 1e9
GIB = float(1 << 30)
MXFP4_BITS = 4.25
"""OCP MXFP4: 32 E2M1 values and one E8M0 scale in 17 bytes (OCP MX spec v1.0, §5)."""
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
    """Token-embedding matrix (kept in host memory by llama.cpp; sharded by vLLM)."""
    output_bytes: float
    """Separate output head (zero when tied: the embedding matrix is stored once)."""
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
    output_params: float
    kv_elems_per_layer: int
    """K and V elements per token per layer: 2 x kv_heads x head_dim, or the MLA latent width."""
    full_kv_elems_per_layer: int
    """The same for a full-attention layer: equal to ``kv_elems_per_layer`` except where the
    model's global layers have their own KV shape (Gemma 4 ``global_attention``)."""
    full_layers: int
    """Layers that cache every position (neither sliding-window nor linear attention)."""
    swa_layers: int
    window: int
    """Positions a windowed layer caches: the sliding window, or 1 for a hybrid linear-attention
    model, whose fixed recurrent state is carried as a window of one token (see
    :func:`memory.kv_per_token`)."""
    index_elems_per_token: int
    """DeepSeek Sparse Attention indexer keys cached per token, all layers together
    (index_head_dim x layers with their own indexer); zero without DSA."""
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
    deepseek-ai/DeepSeek-V3).
    """
    all_experts = expert_params(model)[0]
    dense = dense_block_params(model)
    dense_bpw, expert_bpw = quant.bits_per_weight, expert_bits(model, quant)
    if model.native_dtype == "fp8":
        dense_bpw, expert_bpw = min(dense_bpw, 8.0), min(expert_bpw, 8.0)
    if model.native_dtype == "mxfp4":
        expert_bpw = min(expert_bpw, MXFP4_BITS)
    total = dense + all_experts
    if total <= 0:
        return dense_bpw
    return (dense * dense_bpw + all_experts * expert_bpw) / total


def dense_block_params(model: Model) -> float:
    """Block parameters every token multiplies: total minus embeddings, a separate output head
    and the routed experts."""
    embed = float(model.vocab_size * model.hidden_size)
    output = 0.0 if model.tie_word_embeddings else embed
    return max(model.params_total_b * BILLION - embed - output - expert_params(model)[0], 0.0)


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
    """
    if model.mla is not None:
        return model.mla.kv_lora_rank + model.mla.qk_rope_head_dim
    return 2 * model.num_kv_heads * model.head_dim


def index_elems_per_token(model: Model) -> int:
    """Indexer-key elements DeepSeek Sparse Attention caches per token: one key of
    ``index_head_dim`` on each layer with its own lightning indexer (DeepSeek-V3.2 technical
    report, §2.1: the indexer key k^I_s is shared by the indexer heads; config.json
    ``index_head_dim``). GLM-5: 128 x 78 layers = 9,984 elements beside the 576-element MLA
    latent of each layer. Zero without sparse attention."""
    sa = model.sparse_attention
    return sa.index_head_dim * sa.index_layers if sa is not None else 0


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
    """Sizes of ``model`` stored as ``quant`` (bits per weight from the quant's catalog entry).

    Tied embeddings are counted once, at the output head's type: llama.cpp quantizes a tied
    ``token_embd`` as the output tensor (``src/llama-quant.cpp``, ``!qs.has_output``).
    """
    embed_params = float(model.vocab_size * model.hidden_size)
    output_params = 0.0 if model.tie_word_embeddings else embed_params
    all_experts, active_experts = expert_params(model)
    dense_block = dense_block_params(model)
    expert_bpw = expert_bits(model, quant)
    embed_bpw = (
        quant.output_bits_per_weight
        if model.tie_word_embeddings
        else (quant.embedding_bits_per_weight)
    )
    swa_layers = model.sliding_window_layers if model.sliding_window_tokens else 0
    linear_layers = model.linear_attention.layers if model.linear_attention else 0
    window = model.sliding_window_tokens or (1 if linear_layers else 0)
    return Shape(
        n_layers=model.num_layers,
        hidden=model.hidden_size,
        heads=model.num_attention_heads,
        kv_heads=model.num_kv_heads,
        head_dim=model.head_dim,
        vocab=model.vocab_size,
        intermediate=model.intermediate_size,
        max_context=model.max_context_tokens,
        embed_bytes=embed_params * embed_bpw / 8,
        output_bytes=output_params * quant.output_bits_per_weight / 8,
        head_bytes=(output_params or embed_params) * quant.output_bits_per_weight / 8,
        dense_block_bytes=dense_block * quant.bits_per_weight / 8,
        expert_bytes=all_experts * expert_bpw / 8,
        active_expert_bytes=active_experts * expert_bpw / 8,
        num_experts=model.moe.num_experts if model.moe else 0,
        experts_per_token=model.moe.experts_per_token if model.moe else 0,
        active_block_params=dense_block + active_experts,
        output_params=embed_params if model.tie_word_embeddings else output_params,
        kv_elems_per_layer=kv_elems_per_layer(model),
        full_kv_elems_per_layer=full_kv_elems_per_layer(model),
        full_layers=model.num_layers - swa_layers - linear_layers,
        swa_layers=swa_layers,
        window=window,
        index_elems_per_token=index_elems_per_token(model),
        linear_layers=linear_layers,
        state_bytes_per_layer=recurrent_state_elems(model) * RECURRENT_STATE_BYTES,
        is_mla=model.mla is not None,
        moe=model.moe is not None,
    )
