"""LLMs with the architecture numbers that size weights and KV cache (``catalog/models/``)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from annotated_types import Interval
from pydantic import Field, model_validator

from site_builder.schema.base import Entity, Id, QuantId, Strict
from site_builder.schema.price import ApiPrice

Capability = Literal["chat", "reasoning", "code", "vision", "tool-use", "base"]

NativeDtype = Literal["bf16", "fp16", "fp8", "mxfp4", "mxfp4-fp8", "int4-bf16"]
"""Precision of a published checkpoint; the mixed ones name the routed experts' type first."""


class MoeSpec(Strict):
    """Mixture-of-experts shape, from the model's config.json."""

    num_experts: int = Field(ge=2, le=1024, description="Routed experts per MoE layer.")
    experts_per_token: int = Field(ge=1, le=64, description="Routed experts active per token.")
    moe_intermediate_size: int = Field(
        ge=1, le=1_048_576, description="Hidden width of one expert's FFN (at most 1,048,576)."
    )
    shared_experts: int = Field(default=0, ge=0, le=8, description="Always-active experts.")
    dense_layers: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="Leading layers with a dense FFN instead of experts (at most 1000).",
    )


class MlaSpec(Strict):
    """Multi-head latent attention (DeepSeek): the cache stores a compressed latent per layer."""

    kv_lora_rank: int = Field(
        ge=1, le=65_536, description="Width of the compressed KV latent (at most 65,536)."
    )
    qk_rope_head_dim: int = Field(
        ge=1, le=4096, description="Width of the decoupled RoPE key (at most 4096)."
    )


class GlobalAttentionSpec(Strict):
    """KV shape of the full-attention layers when it differs from the sliding-window layers'
    (Gemma 4 config.json ``num_global_key_value_heads`` and ``global_head_dim``); num_kv_heads and
    head_dim then describe the sliding-window layers."""

    num_kv_heads: int = Field(
        ge=1,
        le=1024,
        description="KV heads of a full-attention layer (num_global_key_value_heads).",
    )
    head_dim: int = Field(
        ge=1, le=4096, description="Head width of a full-attention layer (global_head_dim)."
    )


class SparseAttentionSpec(Strict):
    """DeepSeek Sparse Attention (DeepSeek-V3.2, GLM-5): on top of the MLA latent, a lightning
    indexer caches one key of ``index_head_dim`` per token on every layer that has its own
    indexer, and each query attends only to the ``index_topk`` positions it selects
    (config.json ``index_*`` keys; DeepSeek-V3.2 technical report)."""

    index_head_dim: int = Field(
        ge=1, le=4096, description="Indexer key width cached per token (index_head_dim)."
    )
    index_layers: int = Field(
        ge=1,
        le=1000,
        description="Layers with their own indexer: every layer, unless config.json "
        "indexer_types marks some 'shared' (they reuse an earlier layer's selection).",
    )
    index_topk: int = Field(
        ge=1, le=1_048_576, description="Positions each query attends to (index_topk)."
    )


class LinearAttentionSpec(Strict):
    """Linear-attention (Gated DeltaNet) layers of a hybrid model, from config.json ``layer_types``
    and the ``linear_*`` keys (Qwen3-Next, Qwen3.5). Each such layer keeps a fixed-size recurrent
    state per sequence instead of a KV cache; only the other layers cache keys and values."""

    layers: int = Field(
        ge=1,
        le=1000,
        description="Layers whose layer_types entry is 'linear_attention' (the rest are full "
        "attention).",
    )
    num_key_heads: int = Field(ge=1, le=1024, description="linear_num_key_heads.")
    num_value_heads: int = Field(ge=1, le=1024, description="linear_num_value_heads.")
    key_head_dim: int = Field(ge=1, le=4096, description="linear_key_head_dim.")
    value_head_dim: int = Field(ge=1, le=4096, description="linear_value_head_dim.")
    conv_kernel: int = Field(
        ge=1, le=64, description="linear_conv_kernel_dim (short causal convolution width)."
    )


Ratio = Annotated[int, Interval(ge=0, le=1_048_576)]
"""Positions folded into one compressed KV entry (0: the layer caches its window only)."""


class CompressedAttentionSpec(Strict):
    """DeepSeek-V4 hybrid attention (config.json ``sliding_window``, ``compress_ratios``,
    ``index_*``; inference/model.py ``Attention``, ``Compressor``, ``Indexer``). Every layer caches
    its last ``window_tokens`` positions, one ``entry_dim``-wide entry each that serves as key and
    value (one KV head). A layer with compress ratio r > 0 also caches one entry per r positions;
    layers whose ratio is ``index_ratio`` (compressed sparse attention, CSA) add one
    ``index_head_dim``-wide indexer key per compressed entry and attend to the ``index_topk``
    entries the indexer selects, the others (heavily compressed attention, HCA) read every
    compressed entry. The compressors keep a fixed fp32 state per sequence."""

    window_tokens: int = Field(
        ge=1,
        le=1_048_576,
        description="Positions every layer caches uncompressed (sliding_window; at most "
        "1,048,576).",
    )
    entry_dim: int = Field(
        ge=1,
        le=4096,
        description="Elements of one cached entry, shared by key and value (head_dim with "
        "num_key_value_heads 1; at most 4096).",
    )
    compress_ratios: list[Ratio] = Field(
        min_length=1,
        max_length=1000,
        description="Compress ratio of each layer, one entry per num_layers (the first "
        "num_hidden_layers entries of compress_ratios; the last one belongs to the MTP block): "
        "0 caches the window only, r caches one entry per r positions (each 0 to 1,048,576).",
    )
    index_ratio: int = Field(
        ge=1,
        le=1_048_576,
        description="Compress ratio of the layers with a lightning indexer and overlapping "
        "compression windows (DeepSeek-V4: 4; inference/model.py builds an Indexer when "
        "compress_ratio == 4).",
    )
    index_head_dim: int = Field(
        ge=1,
        le=4096,
        description="Indexer key elements cached per compressed entry of an indexed layer "
        "(index_head_dim; at most 4096).",
    )
    index_topk: int = Field(
        ge=1,
        le=1_048_576,
        description="Compressed entries each query of an indexed layer attends to (index_topk).",
    )


class KvSharingSpec(Strict):
    """Cross-layer KV sharing (Gemma 3n, Gemma 4 E2B/E4B: config.json ``num_kv_shared_layers``):
    the last ``shared_layers`` layers compute no keys or values; each attends over the cache of
    the last earlier layer of its attention type, so it caches nothing (llama.cpp
    ``n_layer_kv_from_start = n_layer - n_kv_shared_layers``)."""

    shared_layers: int = Field(
        ge=1,
        le=1000,
        description="Last layers that reuse an earlier layer's keys and values "
        "(num_kv_shared_layers; at most 1000).",
    )
    shared_sliding_layers: int = Field(
        ge=0,
        le=1000,
        description="How many of those are sliding-window layers (layer_types); the rest are "
        "full-attention layers (at most 1000).",
    )


class PerLayerEmbeddingSpec(Strict):
    """Per-layer embeddings (Gemma 3n, Gemma 4 E2B/E4B): a second token-indexed table that
    gives every layer its own ``dim``-wide input per token, ``vocab_size x num_layers x dim``
    parameters. A lookup like the token embedding: a token reads one row, not the table."""

    vocab_size: int = Field(
        ge=1000,
        le=4_000_000,
        description="Rows of the table (vocab_size_per_layer_input; at most 4,000,000).",
    )
    dim: int = Field(
        ge=1,
        le=65_536,
        description="Elements per layer and token (hidden_size_per_layer_input; at most 65,536).",
    )


class Checkpoint(Strict):
    """A published copy of the model that a runtime loads as it is: a GGUF repository holding one
    file (or one set of split files) per quant, or a repository (or one branch of it) holding one
    quantized safetensors checkpoint (AWQ, GPTQ, FP8, EXL2, MLX)."""

    format: Literal["gguf", "safetensors", "mlx"] = Field(
        default="safetensors",
        description="File format of the repository: 'gguf' for llama.cpp, Ollama and LM Studio; "
        "'safetensors' for vLLM, SGLang, TensorRT-LLM, ExLlamaV2, MLX LM and Transformers; "
        "'mlx' for an MLX conversion of a quant other runtimes load from the original weights "
        "(gpt-oss in MXFP4: MLX LM dequantizes the original MXFP4 experts to 16 bits, so it "
        "needs mlx-community's MXFP4 conversion).",
    )
    quant: QuantId | None = Field(
        default=None,
        description="Quant ID of a single-checkpoint repository (e.g. 'AWQ-INT4', 'FP8', "
        "'EXL2-4.0', 'MLX-4BIT').",
    )
    quants: list[QuantId] = Field(
        default_factory=list,
        description="GGUF repositories: the quant IDs the repository publishes as far as its "
        "sources confirm them (its file list, or the file names other projects download from "
        "it; it may publish more), each loaded by llama.cpp `-hf repo:QUANT`, Ollama "
        "`hf.co/repo:QUANT`, LM Studio `lms get ...@QUANT`.",
    )
    split_quants: list[QuantId] = Field(
        default_factory=list,
        description="GGUF quants published as several files (`-00001-of-0000N.gguf`): llama.cpp "
        "and LM Studio load them, Ollama cannot pull them (ollama/ollama#5245).",
    )
    repo: str = Field(
        pattern=r"^[\w.\-]+/[\w.\-]+$",
        description="Hugging Face repository holding the checkpoint.",
    )
    revision: str | None = Field(
        default=None,
        pattern=r"^[\w.\-]+$",
        description="Branch holding the checkpoint when it is not the default one (ExLlamaV2 "
        "repositories keep one bits-per-weight per branch, e.g. '4.0bpw').",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Checkpoint:
        if self.format == "gguf":
            if self.quant is not None or not self.quants:
                raise ValueError("a GGUF checkpoint lists its quants in 'quants' (not 'quant')")
            if not set(self.split_quants) <= set(self.quants):
                raise ValueError("split_quants must be quants the repository publishes")
        elif self.quant is None or self.quants or self.split_quants:
            raise ValueError(
                "a safetensors or MLX checkpoint names its one quant in 'quant' (GGUF "
                "repositories set format: gguf and list 'quants')"
            )
        return self

    def covers(self, quant: str) -> bool:
        """The checkpoint publishes ``quant``."""
        return quant == self.quant or quant in self.quants


OLLAMA_TAG = r"^[a-z0-9][a-z0-9._\-]*:[A-Za-z0-9._\-]+$"


class Model(Entity):
    """An open-weight model, described by its Hugging Face config."""

    name: str = Field(min_length=1, description="Display name, e.g. 'Llama 3.3 70B Instruct'.")
    family: str = Field(min_length=1, description="Model family, e.g. 'Llama 3'.")
    hf_repo: str = Field(
        pattern=r"^[\w.\-]+/[\w.\-]+$", description="Hugging Face repository of the weights."
    )
    license: str = Field(min_length=1, description="Weights licence as named by the publisher.")
    release_date: datetime.date | None = Field(default=None, description="Publication date.")
    capabilities: list[Capability] = Field(
        min_length=1, description="What the model is tuned for (chat, reasoning, code, ...)."
    )
    base_model: Id | None = Field(
        default=None, description="Model ID this one is distilled or fine-tuned from."
    )
    params_total_b: float = Field(gt=0, le=5000, description="Total parameters, billions.")
    params_active_b: float | None = Field(
        default=None,
        gt=0,
        le=5000,
        description="Parameters used per token (MoE), billions; absent for dense models.",
    )
    num_layers: int = Field(ge=1, le=1000, description="Transformer blocks (num_hidden_layers).")
    hidden_size: int = Field(
        ge=64, le=65_536, description="Residual width (hidden_size; at most 65,536)."
    )
    intermediate_size: int = Field(
        ge=1,
        le=1_048_576,
        description="Dense FFN width (intermediate_size; at most 1,048,576).",
    )
    num_attention_heads: int = Field(
        ge=1, le=1024, description="Query heads (num_attention_heads; at most 1024)."
    )
    num_kv_heads: int = Field(
        ge=1, le=1024, description="Key/value heads (num_key_value_heads; at most 1024)."
    )
    head_dim: int = Field(
        ge=1, le=4096, description="Per-head width (head_dim, explicit or derived; at most 4096)."
    )
    vocab_size: int = Field(
        ge=1000,
        le=4_000_000,
        description="Vocabulary size (rows of the embedding; at most 4,000,000).",
    )
    tie_word_embeddings: bool = Field(description="Output head shares the embedding matrix.")
    max_context_tokens: int = Field(
        ge=512,
        le=100_000_000,
        description="Longest context the model supports (at most 100,000,000).",
    )
    sliding_window_tokens: int | None = Field(
        default=None,
        ge=1,
        le=100_000_000,
        description="Window of the sliding-window (local) attention layers (at most 100,000,000).",
    )
    sliding_window_layers: int = Field(
        default=0,
        ge=0,
        le=1000,
        description="How many layers use sliding-window attention (at most 1000).",
    )
    moe: MoeSpec | None = Field(default=None, description="Expert layout; absent for dense models.")
    mla: MlaSpec | None = Field(default=None, description="Latent-attention layout (DeepSeek).")
    global_attention: GlobalAttentionSpec | None = Field(
        default=None,
        description="Full-attention layers' KV shape when it differs from the sliding-window "
        "layers' (Gemma 4); needs sliding_window_*.",
    )
    sparse_attention: SparseAttentionSpec | None = Field(
        default=None,
        description="DeepSeek Sparse Attention indexer (DeepSeek-V3.2, GLM-5); needs mla.",
    )
    linear_attention: LinearAttentionSpec | None = Field(
        default=None,
        description="Linear-attention layers of a hybrid model (Qwen3-Next, Qwen3.5); absent when "
        "every layer caches keys and values.",
    )
    compressed_attention: CompressedAttentionSpec | None = Field(
        default=None,
        description="DeepSeek-V4 compressed attention (sliding window on every layer, "
        "compressed caches on the others); replaces num_kv_heads x head_dim as the KV shape.",
    )
    kv_sharing: KvSharingSpec | None = Field(
        default=None,
        description="Last layers that reuse an earlier layer's KV cache (Gemma 4 E2B/E4B "
        "num_kv_shared_layers); absent when every layer caches its own.",
    )
    per_layer_embeddings: PerLayerEmbeddingSpec | None = Field(
        default=None,
        description="Per-layer embedding table (Gemma 4 E2B/E4B), counted in params_total_b.",
    )
    native_dtype: NativeDtype = Field(
        description="Dtype of the published weights: bf16, fp16, fp8; mxfp4 (MXFP4 routed "
        "experts, BF16 rest: gpt-oss); mxfp4-fp8 (MXFP4 routed experts, FP8 rest: "
        "DeepSeek-V4); int4-bf16 (INT4 routed experts in groups of 32, BF16 rest: Kimi K2.6)."
    )
    checkpoints: list[Checkpoint] = Field(
        default_factory=list,
        description="Published checkpoints (GGUF repositories, AWQ/GPTQ/FP8/EXL2/MLX "
        "repositories). Launch commands load them; a quant that needs a checkpoint and has none "
        "here is not offered for that runtime. The first entry that covers a quant wins.",
    )
    ollama_tags: dict[QuantId, Annotated[str, Field(pattern=OLLAMA_TAG)]] = Field(
        default_factory=dict,
        description="Ollama library tags by quant ID, e.g. {'Q4_K_M': 'llama3.3:70b'} "
        "(`ollama run` followed by the tag). Quants without a tag are pulled from a GGUF "
        "checkpoint with `ollama run hf.co/` followed by the GGUF repository and the quant.",
    )
    notes: str | None = Field(
        default=None, description="Caveats about the figures above (context limits, variants)."
    )
    api_prices: list[ApiPrice] = Field(
        default_factory=list,
        description="Dated prices of this model's tokens on hosted APIs (the same model, not a "
        "smaller variant), for the own-versus-API comparison.",
    )

    @model_validator(mode="after")
    def _one_cache_kind(self) -> Model:
        for check in CACHE_CHECKS:
            problem = check(self)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def sliding_layers(self) -> int:
        """Layers with sliding-window attention (none without a window)."""
        return self.sliding_window_layers if self.sliding_window_tokens else 0


def _global_problem(model: Model) -> str | None:
    if model.global_attention is not None and not (
        model.sliding_window_tokens and model.sliding_window_layers
    ):
        return "global_attention describes full layers beside sliding_window_*"
    return None


def _sparse_problem(model: Model) -> str | None:
    sa = model.sparse_attention
    if sa is not None and (model.mla is None or sa.index_layers > model.num_layers):
        return "sparse_attention needs mla and at most num_layers index_layers"
    return None


def _linear_problem(model: Model) -> str | None:
    la = model.linear_attention
    if la is None:
        return None
    if la.layers >= model.num_layers:
        return "linear_attention.layers must leave full-attention layers"
    if model.sliding_window_layers or model.sliding_window_tokens or model.mla is not None:
        return "linear_attention cannot be combined with sliding_window_* or mla"
    return None


def _compressed_problem(model: Model) -> str | None:
    ca = model.compressed_attention
    if ca is None:
        return None
    if len(ca.compress_ratios) != model.num_layers:
        return "compressed_attention.compress_ratios needs one entry per layer (num_layers)"
    others = (model.mla, model.sparse_attention, model.linear_attention, model.global_attention)
    if any(o is not None for o in others) or model.sliding_window_tokens:
        return (
            "compressed_attention cannot be combined with mla, sparse_attention, "
            "linear_attention, global_attention or sliding_window_*"
        )
    return None


def _sharing_problem(model: Model) -> str | None:
    ks = model.kv_sharing
    if ks is None:
        return None
    if model.linear_attention is not None or model.compressed_attention is not None:
        return "kv_sharing cannot be combined with linear_attention or compressed_attention"
    shared_full = ks.shared_layers - ks.shared_sliding_layers
    full = model.num_layers - model.sliding_layers
    if shared_full < 0 or ks.shared_sliding_layers > model.sliding_layers:
        return "kv_sharing.shared_sliding_layers exceeds shared_layers or the sliding layers"
    if (shared_full and shared_full >= full) or (
        ks.shared_sliding_layers and ks.shared_sliding_layers >= model.sliding_layers
    ):
        return "kv_sharing must leave a layer of each shared kind that caches keys and values"
    return None


def _embedding_problem(model: Model) -> str | None:
    ple = model.per_layer_embeddings
    if ple is not None and ple.vocab_size * model.num_layers * ple.dim > model.params_total_b * 1e9:
        return "per_layer_embeddings holds more parameters than params_total_b"
    return None


CACHE_CHECKS = (
    _global_problem,
    _sparse_problem,
    _linear_problem,
    _compressed_problem,
    _sharing_problem,
    _embedding_problem,
)
"""Cross-field rules of a model's cache and embedding layout, each returning its problem."""
