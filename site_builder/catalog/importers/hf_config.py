"""``site-builder new models <id> --from-config config.json``: a Hugging Face config.json as a
``catalog/models/`` entry.

Every architecture field comes from config.json under the catalog's name (num_hidden_layers ->
num_layers, num_key_value_heads -> num_kv_heads, max_position_embeddings -> max_context_tokens,
torch_dtype -> native_dtype, ...; a multimodal config's ``text_config`` is read over the top
level). Mixture-of-experts keys of Qwen-MoE (num_experts, mlp_only_layers,
decoder_sparse_step), Mixtral (num_local_experts; its experts are intermediate_size wide) and
DeepSeek (n_routed_experts, n_shared_experts, first_k_dense_replace, moe_layer_freq) fill the
``moe:`` block. params_total_b and params_active_b are counted from the shapes
(:mod:`hf_params`); a config the formula does not cover needs them from the model card.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.catalog.importers import entry_text, hf_layout, hf_params
from site_builder.catalog.importers.hf_layout import whole
from site_builder.errors import UsageError

REPO = re.compile(r"[\w.\-]+/[\w.\-]+")
"""A Hugging Face repository, as the model schema's hf_repo pattern allows it."""
DTYPES = {"bfloat16": "bf16", "float16": "fp16"}
QUANTIZED = {"fp8": "fp8", "mxfp4": "mxfp4"}
"""quantization_config quant_method of checkpoints published quantized -> native_dtype."""
FAMILIES = {
    "gemma2": "Gemma 2",
    "gemma3": "Gemma 3",
    "deepseek": "DeepSeek",
    "deepseek_v2": "DeepSeek-V2",
    "deepseek_v3": "DeepSeek-V3",
    "glm4": "GLM-4",
    "phi3": "Phi-3",
    "gpt_oss": "gpt-oss",
}
"""Family names that title case would misspell, by model_type (without _moe or _text)."""


@dataclass(frozen=True)
class ModelOptions:
    """What config.json does not say, from the command line."""

    repo: str
    license: str
    name: str | None = None
    family: str | None = None
    params_b: float | None = None
    params_active_b: float | None = None
    capabilities: tuple[str, ...] = ("chat",)


def model_text(config_json: str, options: ModelOptions) -> str:
    """The catalog entry for the model whose config.json is ``config_json``."""
    if not REPO.fullmatch(options.repo):
        raise UsageError(
            f"--repo {options.repo!r} is not a Hugging Face repository: write ORG/NAME"
        )
    config = read_config(config_json)
    hf_layout.refuse_unmapped(config)
    arch = architecture(config)
    moe = moe_block(config, arch["num_layers"])
    total, active = params(config, arch, moe, options)
    entry: dict[str, Any] = {
        "name": options.name or options.repo.split("/")[-1].replace("-", " "),
        "family": options.family or family(config),
        "hf_repo": options.repo,
        "license": options.license,
        "capabilities": list(options.capabilities),
        "params_total_b": total,
        **({"params_active_b": active} if active is not None else {}),
        **arch,
        **({"moe": moe} if moe else {}),
        **hf_layout.blocks(config, arch["num_layers"]),
        "native_dtype": native_dtype(config),
        "sources": [f"https://huggingface.co/{options.repo}/blob/main/config.json"],
    }
    return entry_text("models", entry)


def read_config(text: str) -> dict[str, Any]:
    """config.json's object, its ``text_config`` (multimodal models) read over the top level."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"config.json is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError("config.json must hold a JSON object")
    text_config = data.get("text_config")
    return {**data, **text_config} if isinstance(text_config, dict) else data


def architecture(config: Mapping[str, Any]) -> dict[str, Any]:
    """The model schema's architecture fields, in the catalog's order."""
    layers, hidden = whole(config, "num_hidden_layers"), whole(config, "hidden_size")
    heads = whole(config, "num_attention_heads")
    return {
        "num_layers": layers,
        "hidden_size": hidden,
        "intermediate_size": whole(config, "intermediate_size"),
        "num_attention_heads": heads,
        "num_kv_heads": whole(config, "num_key_value_heads", heads),
        "head_dim": head_dim(config, hidden // max(heads, 1)),
        "vocab_size": whole(config, "vocab_size"),
        "tie_word_embeddings": tied(config),
        "max_context_tokens": whole(config, "max_position_embeddings"),
        **hf_layout.sliding(config, layers),
    }


def head_dim(config: Mapping[str, Any], derived: int) -> int:
    """head_dim as stated, the query/key width of latent attention (nope + rope), else
    hidden_size / num_attention_heads."""
    if config.get("qk_nope_head_dim") and config.get("qk_rope_head_dim"):
        return whole(config, "qk_nope_head_dim") + whole(config, "qk_rope_head_dim")
    return whole(config, "head_dim") if config.get("head_dim") is not None else derived


def tied(config: Mapping[str, Any]) -> bool:
    """tie_word_embeddings; when absent, transformers' default of the model type (Gemma ties)."""
    value = config.get("tie_word_embeddings")
    if isinstance(value, bool):
        return value
    return str(config.get("model_type") or "").startswith("gemma")


def moe_block(config: Mapping[str, Any], layers: int) -> dict[str, int] | None:
    """The ``moe:`` block, or None for a dense model (fewer than two routed experts)."""
    key = next(
        (k for k in ("num_experts", "num_local_experts", "n_routed_experts") if config.get(k)), None
    )
    if key is None or whole(config, key) < 2:
        return None
    width = whole(config, "moe_intermediate_size", config.get("intermediate_size"))
    return {
        "num_experts": whole(config, key),
        "experts_per_token": whole(config, "num_experts_per_tok"),
        "moe_intermediate_size": width,
        "shared_experts": shared_experts(config, width),
        "dense_layers": layers - sparse_layers(config, layers),
    }


def shared_experts(config: Mapping[str, Any], width: int) -> int:
    """n_shared_experts, or the shared expert's width in routed-expert widths (Qwen-MoE)."""
    if config.get("n_shared_experts"):
        return whole(config, "n_shared_experts")
    shared_width = whole(config, "shared_expert_intermediate_size", 0)
    if shared_width % max(width, 1):
        raise UsageError(
            f"config.json shared_expert_intermediate_size {shared_width} is not a whole number "
            f"of experts ({width} wide): write the entry from the skeleton"
        )
    return shared_width // max(width, 1)


def sparse_layers(config: Mapping[str, Any], layers: int) -> int:
    """Layers with experts: DeepSeek's from first_k_dense_replace every moe_layer_freq-th,
    Qwen-MoE's every decoder_sparse_step-th outside mlp_only_layers (Mixtral: all)."""
    if "first_k_dense_replace" in config:
        first, step = whole(config, "first_k_dense_replace"), whole(config, "moe_layer_freq", 1)
        return sum(1 for i in range(first, layers) if i % max(step, 1) == 0)
    listed = config.get("mlp_only_layers")
    dense = {i for i in listed if isinstance(i, int)} if isinstance(listed, list) else set()
    step = max(whole(config, "decoder_sparse_step", 1), 1)
    return sum(1 for i in range(layers) if i not in dense and (i + 1) % step == 0)


def params(
    config: Mapping[str, Any],
    arch: Mapping[str, Any],
    moe: Mapping[str, int] | None,
    options: ModelOptions,
) -> tuple[float, float | None]:
    """params_total_b and (MoE) params_active_b: counted, or from --params-b and
    --params-active-b, which win over the count when given."""
    missing = hf_params.not_covered(config)
    _check_given(missing, moe is not None, options)
    counted = (None, None) if missing else _count(_shape(config, arch, moe))
    total = _given(options.params_b, counted[0])
    return total, _given(options.params_active_b, counted[1]) if moe else None


def _check_given(missing: str | None, is_moe: bool, options: ModelOptions) -> None:
    """Stop when a count the formula cannot make was not given, or one makes no sense."""
    if not is_moe and options.params_active_b is not None:
        raise UsageError("--params-active-b is for mixture-of-experts models; this one is dense")
    given = {"--params-b": options.params_b, "--params-active-b": options.params_active_b}
    absent = [flag for flag, value in given.items() if value is None]
    absent = absent if is_moe else [flag for flag in absent if flag == "--params-b"]
    if missing is not None and absent:
        raise UsageError(
            f"the parameter formula does not cover {missing}: pass {' and '.join(absent)} "
            "(billions, from the model card)"
        )


def _given(value: float | None, counted: int | None) -> float:
    if value is not None:
        return value
    assert counted is not None  # _check_given stopped an uncounted config without the value
    return hf_params.billions(counted)


def _count(shape: hf_params.Shape) -> tuple[int, int]:
    return hf_params.total(shape), hf_params.total(shape, active=True)


def _shape(
    config: Mapping[str, Any], arch: Mapping[str, Any], moe: Mapping[str, int] | None
) -> hf_params.Shape:
    moe = moe or {}
    return hf_params.Shape(
        layers=arch["num_layers"],
        hidden=arch["hidden_size"],
        intermediate=arch["intermediate_size"],
        heads=arch["num_attention_heads"],
        kv_heads=arch["num_kv_heads"],
        head_dim=arch["head_dim"],
        vocab=arch["vocab_size"],
        tied=arch["tie_word_embeddings"],
        traits=hf_params.traits(config),
        attention_bias=config.get("attention_bias") is True,
        experts=moe.get("num_experts", 0),
        top_k=moe.get("experts_per_token", 0),
        expert_width=moe.get("moe_intermediate_size", 0),
        shared=moe.get("shared_experts", 0),
        dense_layers=moe.get("dense_layers", 0),
    )


def native_dtype(config: Mapping[str, Any]) -> str:
    """bf16 or fp16 from torch_dtype (``dtype`` in newer transformers), fp8 or mxfp4 from a
    quantization_config the checkpoint is published in."""
    quantization = config.get("quantization_config")
    if isinstance(quantization, dict):
        method = quantization.get("quant_method")
        if method not in QUANTIZED:
            raise UsageError(
                f"config.json describes a {method!r}-quantized checkpoint: import the config.json "
                "of the original repository"
            )
        return QUANTIZED[method]
    dtype = config.get("torch_dtype", config.get("dtype"))
    if dtype not in DTYPES:
        raise UsageError(
            f"config.json torch_dtype {dtype!r} is not a native_dtype the catalog models "
            "(bfloat16, float16, or an fp8/mxfp4 quantization_config)"
        )
    return DTYPES[dtype]


def family(config: Mapping[str, Any]) -> str:
    """The family named after model_type: qwen3_moe -> Qwen3, gemma3_text -> Gemma 3."""
    base = str(config.get("model_type") or "").removesuffix("_moe").removesuffix("_text")
    return FAMILIES.get(base) or base.replace("_", " ").title()
