"""LLMs with the architecture numbers that size weights and KV cache (``catalog/models/``)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from site_builder.schema.base import Entity, Id, QuantId, Strict

Capability = Literal["chat", "reasoning", "code", "vision", "tool-use", "base"]


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
        description="GGUF repositories: every quant ID the repository publishes (llama.cpp "
        "`-hf repo:QUANT`, Ollama `hf.co/repo:QUANT`, LM Studio `lms get ...@QUANT`).",
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
    native_dtype: Literal["bf16", "fp16", "fp8", "mxfp4"] = Field(
        description="Dtype of the published weights (gpt-oss ships MXFP4 experts)."
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

    @model_validator(mode="after")
    def _one_cache_kind(self) -> Model:
        if self.global_attention is not None and not (
            self.sliding_window_tokens and self.sliding_window_layers
        ):
            raise ValueError("global_attention describes full layers beside sliding_window_*")
        sa = self.sparse_attention
        if sa is not None and (self.mla is None or sa.index_layers > self.num_layers):
            raise ValueError("sparse_attention needs mla and at most num_layers index_layers")
        la = self.linear_attention
        if la is not None:
            if la.layers >= self.num_layers:
                raise ValueError("linear_attention.layers must leave full-attention layers")
            if self.sliding_window_layers or self.sliding_window_tokens or self.mla is not None:
                raise ValueError("linear_attention cannot be combined with sliding_window_* or mla")
        return self
