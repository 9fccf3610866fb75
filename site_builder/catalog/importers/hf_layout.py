"""Where a config.json departs from one full-attention KV cache per layer: the sliding-window
fields, the ``mla:`` and ``linear_attention:`` blocks of the model schema, and the layouts the
importer does not map (their entries are written by hand from the skeleton)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from site_builder.errors import UsageError

UNMAPPED = (
    ("index_topk", "DeepSeek sparse attention"),
    ("compress_ratios", "DeepSeek-V4 compressed attention"),
    ("num_kv_shared_layers", "cross-layer KV sharing"),
    ("hidden_size_per_layer_input", "per-layer embeddings"),
    ("num_global_key_value_heads", "separate full-attention KV heads"),
    ("interleave_moe_layer_step", "interleaved MoE layers"),
)
"""config.json keys of layouts the importer cannot write, and what they are."""

LINEAR_KEYS = {
    "num_key_heads": "linear_num_key_heads",
    "num_value_heads": "linear_num_value_heads",
    "key_head_dim": "linear_key_head_dim",
    "value_head_dim": "linear_value_head_dim",
    "conv_kernel": "linear_conv_kernel_dim",
}
"""linear_attention fields and the config.json keys they come from."""


def refuse_unmapped(config: Mapping[str, Any]) -> None:
    """Stop with the fix when ``config`` has a layout the importer does not map."""
    for key, what in UNMAPPED:
        if config.get(key):
            raise UsageError(
                f"config.json has {key} ({what}), which the importer does not map: write the "
                "entry from the skeleton (`site-builder new models <id>`)"
            )


def sliding(config: Mapping[str, Any], layers: int) -> dict[str, int]:
    """sliding_window_tokens and sliding_window_layers, when config.json states a window that
    is in use: the sliding layers are those ``layer_types`` names 'sliding_attention', else all
    but every ``sliding_window_pattern``-th layer (Gemma 3; Gemma 2 alternates), else all."""
    window = config.get("sliding_window")
    if not _whole(window) or config.get("use_sliding_window") is False:
        return {}
    types = config.get("layer_types")
    pattern = config.get("sliding_window_pattern")
    if isinstance(types, list):
        count = types.count("sliding_attention")
    elif _whole(pattern) and pattern > 0:
        count = layers - layers // pattern
    else:
        count = layers - layers // 2 if config.get("model_type") == "gemma2" else layers
    return {"sliding_window_tokens": window, "sliding_window_layers": count} if count else {}


def blocks(config: Mapping[str, Any], layers: int) -> dict[str, dict[str, int]]:
    """The ``mla:`` and ``linear_attention:`` blocks ``config`` calls for."""
    found: dict[str, dict[str, int]] = {}
    if config.get("kv_lora_rank"):
        found["mla"] = {
            "kv_lora_rank": whole(config, "kv_lora_rank"),
            "qk_rope_head_dim": whole(config, "qk_rope_head_dim"),
        }
    if config.get("linear_num_key_heads"):
        linear = {field: whole(config, key) for field, key in LINEAR_KEYS.items()}
        found["linear_attention"] = {"layers": _linear_layers(config, layers), **linear}
    return found


def _linear_layers(config: Mapping[str, Any], layers: int) -> int:
    """Layers ``layer_types`` names 'linear_attention', else all but every
    ``full_attention_interval``-th (Qwen3-Next)."""
    types = config.get("layer_types")
    if isinstance(types, list):
        return types.count("linear_attention")
    return layers - layers // max(whole(config, "full_attention_interval"), 1)


def whole(config: Mapping[str, Any], key: str, default: int | None = None) -> int:
    """config.json's whole number at ``key`` (``default`` when absent)."""
    value = config.get(key, default)
    if value is None:
        raise UsageError(f"config.json has no {key!r}: is it a language model's config.json?")
    if not _whole(value):
        raise UsageError(f"config.json {key} is {value!r}; expected a whole number")
    return int(value)


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
