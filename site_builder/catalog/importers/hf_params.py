"""Parameter counts from the shapes in a Hugging Face config.json.

Covered: decoders built only from standard blocks (:data:`TRAITS` lists the ``model_type``s),
that is grouped-query attention, a gated MLP (SwiGLU or GeGLU: gate, up and down projections),
RMSNorm, the token embedding and the output head, and for mixture-of-experts models routed and
shared experts of that MLP shape behind a linear router. With h = hidden_size, a =
num_attention_heads, k = num_key_value_heads, d = head_dim, i = intermediate_size, e =
moe_intermediate_size, E routed experts (top_k active), s shared experts and V = vocab_size::

    attention  = h*a*d (q) + 2*h*k*d (k, v) + a*d*h (o)
                 + a*d + 2*k*d biases on q, k, v and + h on o where the model has them
                 + 2*d where q and k have their own RMSNorm (Qwen3, Gemma 3)
    norms      = 2*h per layer (input, post-attention; Gemma 2 and 3: 4*h) + h final norm
    dense MLP  = 3*h*i                     MoE layer = (E + s)*3*h*e + h*E router (+ E bias)
    total      = layers*(attention + norms) + dense layers*MLP + MoE layers*MoE layer
                 + V*h embedding + V*h output head (unless tie_word_embeddings) + h
    active     = total with top_k instead of E routed experts per MoE layer

Sources: transformers' ``modeling_llama.py`` (LlamaAttention: q/k/v/o ``Linear`` with
``bias=config.attention_bias``; LlamaMLP; LlamaDecoderLayer's two RMSNorms; LlamaModel.norm),
``modeling_qwen2.py`` (q, k, v biases, none on o), ``modeling_qwen3.py`` (q_norm, k_norm),
``modeling_gemma2.py``/``modeling_gemma3.py`` (pre/post feed-forward norms),
``modeling_mixtral.py`` and ``modeling_qwen3_moe.py`` (router ``Linear(h, E, bias=False)``,
experts), DeepSeek-MoE ``modeling_deepseek.py`` (DeepseekMoE shared experts of width
``moe_intermediate_size * n_shared_experts``) and ``modeling_glm4_moe.py`` (router
``e_score_correction_bias``; its multi-token-prediction layer is not loaded, so not counted).
Checked against the catalog: Llama 3.3 70B 70.554, Qwen3-30B-A3B 30.532 total / 3.353 active
(tests/catalog/test_importers.py pins both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Traits:
    """What a model type's blocks hold beyond the Llama layout."""

    norms: int = 2
    qk_norm: bool = False
    qkv_bias: bool = False
    """q, k and v biases whatever attention_bias says (Qwen2)."""
    o_bias: bool = True
    """attention_bias also puts a bias on the output projection."""
    router_bias: bool = False


TRAITS = {
    "llama": Traits(),
    "mistral": Traits(),
    "mixtral": Traits(),
    "phi3": Traits(),
    "qwen2": Traits(qkv_bias=True, o_bias=False),
    "qwen3": Traits(qk_norm=True),
    "qwen3_moe": Traits(qk_norm=True),
    "gemma": Traits(),
    "gemma2": Traits(norms=4),
    "gemma3_text": Traits(norms=4, qk_norm=True),
    "deepseek": Traits(),
    "glm4_moe": Traits(o_bias=False, router_bias=True),
}
"""Model types whose every weight the formula counts."""

NOT_COVERED = (
    ("kv_lora_rank", "multi-head latent attention (kv_lora_rank)"),
    ("linear_num_key_heads", "linear attention (linear_* keys)"),
    ("vision_config", "a vision encoder (vision_config)"),
)


@dataclass(frozen=True)
class Shape:
    """The config.json numbers the formula reads (catalog field names)."""

    layers: int
    hidden: int
    intermediate: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    tied: bool
    traits: Traits
    attention_bias: bool = False
    experts: int = 0
    top_k: int = 0
    expert_width: int = 0
    shared: int = 0
    dense_layers: int = 0


def not_covered(config: Mapping[str, Any]) -> str | None:
    """What in ``config`` the formula does not count, or None when it counts every weight."""
    for key, what in NOT_COVERED:
        if config.get(key):
            return what
    model_type = config.get("model_type")
    if model_type not in TRAITS:
        return f"model_type {model_type!r}"
    return None


def traits(config: Mapping[str, Any]) -> Traits:
    """The traits of ``config``'s model type (GLM-4 MoE states its q/k norms in use_qk_norm)."""
    found = TRAITS[str(config.get("model_type"))]
    return replace(found, qk_norm=True) if config.get("use_qk_norm") is True else found


def total(shape: Shape, active: bool = False) -> int:
    """Parameters of the model (``active``: those one token uses)."""
    moe_layers = shape.layers - shape.dense_layers if shape.experts else 0
    ffn = (shape.layers - moe_layers) * _mlp(shape.hidden, shape.intermediate)
    ffn += moe_layers * _moe_layer(shape, active)
    per_layer = _attention(shape) + shape.traits.norms * shape.hidden
    embeddings = shape.vocab * shape.hidden * (1 if shape.tied else 2)
    return shape.layers * per_layer + ffn + embeddings + shape.hidden


def billions(count: int) -> float:
    """A parameter count in billions, to the catalog's three decimals."""
    return round(count / 1e9, 3)


def _attention(shape: Shape) -> int:
    q = shape.heads * shape.head_dim
    kv = shape.kv_heads * shape.head_dim
    traits = shape.traits
    bias = q + 2 * kv if traits.qkv_bias or shape.attention_bias else 0
    bias += shape.hidden if shape.attention_bias and traits.o_bias else 0
    norms = 2 * shape.head_dim if traits.qk_norm else 0
    return shape.hidden * (2 * q + 2 * kv) + bias + norms


def _mlp(hidden: int, width: int) -> int:
    return 3 * hidden * width


def _moe_layer(shape: Shape, active: bool) -> int:
    routed = shape.top_k if active else shape.experts
    router = shape.hidden * shape.experts + (shape.experts if shape.traits.router_bias else 0)
    return (routed + shape.shared) * _mlp(shape.hidden, shape.expert_width) + router
