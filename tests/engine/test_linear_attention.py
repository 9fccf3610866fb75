"""Attention kinds beyond one KV shape per layer, pinned to config.json numbers: hybrid linear
attention (Qwen3-Next, Qwen3.5: KV on the full-attention layers plus a fixed recurrent state),
DeepSeek Sparse Attention (indexer keys beside the MLA latent) and Gemma 4's global layers with
their own KV shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog.yamlsafe import Document, parse
from site_builder.engine import memory as mem
from site_builder.engine.shapes import Shape, recurrent_state_elems, shape_of
from site_builder.schema import Model, Quant

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def _data(kind: str, slug: str) -> object:
    document = parse((CATALOG / kind / f"{slug}.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, Document)
    return document.data


def _model(slug: str) -> Model:
    return Model.model_validate(_data("models", slug))


def _shape(slug: str) -> Shape:
    return shape_of(_model(slug), Quant.model_validate(_data("quants", "Q4_K_M")))


# (model, linear layers, full layers, state elements per linear layer, KV elements per full layer)
# State: num_value_heads x 128 x 128 (delta-rule matrix per value head) + (kernel 4 - 1) x conv_dim,
# conv_dim = 2 x 16 key heads x 128 + num_value_heads x 128 (config.json linear_* keys).
# KV: 2 x num_key_value_heads x head_dim 256 on every 4th layer (full_attention_interval 4).
HYBRIDS = [
    # Qwen3-Next-80B-A3B: 32 value heads -> 524,288 + 3 x 8,192 = 548,864; 2 KV heads
    ("qwen3-next-80b-a3b-instruct", 36, 12, 548_864, 1_024),
    # Qwen3.5-35B-A3B: same linear shape, 40 layers
    ("qwen3.5-35b-a3b", 30, 10, 548_864, 1_024),
    # Qwen3.5-27B: 48 value heads -> 786,432 + 3 x 10,240 = 817,152; 4 KV heads
    ("qwen3.5-27b", 48, 16, 817_152, 2_048),
    # Qwen3.5-397B-A17B: 64 value heads -> 1,048,576 + 3 x 12,288 = 1,085,440; 2 KV heads
    ("qwen3.5-397b-a17b", 45, 15, 1_085_440, 1_024),
]


@pytest.mark.parametrize(("slug", "linear", "full", "state", "kv"), HYBRIDS)
def test_hybrid_shape_counts_state_and_kv_layers(
    slug: str, linear: int, full: int, state: int, kv: int
) -> None:
    shape = _shape(slug)
    assert recurrent_state_elems(_model(slug)) == state
    assert (shape.linear_layers, shape.full_layers, shape.swa_layers) == (linear, full, 0)
    assert shape.kv_elems_per_layer == kv
    assert shape.window == 1


@pytest.mark.parametrize(("slug", "linear", "full", "state", "kv"), HYBRIDS)
@pytest.mark.parametrize("tokens", [1, 4096, 262_144])
def test_hybrid_cache_is_kv_on_full_layers_plus_fixed_f32_state(
    slug: str, linear: int, full: int, state: int, kv: int, tokens: int
) -> None:
    shape = _shape(slug)
    # f16 KV grows with the context; the f32 state does not, and ignores the KV-cache type.
    expected = kv * 2.0 * full * tokens + state * 4.0 * linear
    assert mem.kv_bytes(shape, tokens, 2.0) == expected
    q8 = kv * mem.KV_DTYPE_BYTES["q8_0"] * full * tokens + state * 4.0 * linear
    assert mem.kv_bytes(shape, tokens, mem.KV_DTYPE_BYTES["q8_0"]) == pytest.approx(q8)


def test_qwen3_next_state_is_about_75_mib_per_sequence() -> None:
    # 36 layers x 548,864 f32 elements = 79,036,416 B = 75.4 MiB, whatever the context.
    shape = _shape("qwen3-next-80b-a3b-instruct")
    assert shape.state_bytes_per_layer * shape.linear_layers == 79_036_416


def test_largest_context_counts_the_state_once() -> None:
    # room = state + per_token x n: max_tokens gives n back (window 1 holds the state).
    per_token, state = 12 * 1024 * 2.0, 79_036_416.0
    room = state + per_token * 100_000
    assert mem.max_tokens(room, per_token, state, 1) == 100_000


def test_models_without_linear_attention_keep_their_shape() -> None:
    shape = _shape("qwen3-30b-a3b")
    assert (shape.linear_layers, shape.state_bytes_per_layer, shape.window) == (0, 0.0, 0)
    assert shape.full_layers == 48


# DeepSeek Sparse Attention: (model, MLA latent per layer, layers, indexer key, indexer layers)
# config.json: kv_lora_rank 512 + qk_rope_head_dim 64 per layer; index_head_dim 128 on every
# layer with its own indexer (GLM-5.2 indexer_types: 21 'full', 57 'shared').
SPARSE = [
    ("deepseek-v3.2", 576, 61, 128, 61),
    ("glm-5", 576, 78, 128, 78),
    ("glm-5.2", 576, 78, 128, 21),
]


@pytest.mark.parametrize(("slug", "latent", "layers", "index_dim", "index_layers"), SPARSE)
@pytest.mark.parametrize("tokens", [1, 8192, 163_840])
def test_sparse_attention_caches_latent_plus_indexer_keys(
    slug: str, latent: int, layers: int, index_dim: int, index_layers: int, tokens: int
) -> None:
    shape = _shape(slug)
    assert shape.index_elems_per_token == index_dim * index_layers
    expected = (latent * layers + index_dim * index_layers) * 2.0 * tokens
    assert mem.kv_bytes(shape, tokens, 2.0) == expected


def test_glm5_indexer_adds_about_22_percent_to_the_latent() -> None:
    # 128 x 78 = 9,984 indexer elements beside 576 x 78 = 44,928 latent elements per token.
    shape = _shape("glm-5")
    assert shape.index_elems_per_token / (shape.kv_elems_per_layer * shape.n_layers) == (
        pytest.approx(9_984 / 44_928)
    )


# Gemma 4: (model, sliding layers, local KV heads x dim, full layers, global KV heads x dim)
# from config.json layer_types, num_key_value_heads/head_dim and num_global_key_value_heads/
# global_head_dim; window 1024.
GEMMA4 = [
    ("gemma-4-31b-it", 50, 16 * 256, 10, 4 * 512),
    ("gemma-4-26b-a4b-it", 25, 8 * 256, 5, 2 * 512),
]


@pytest.mark.parametrize(("slug", "swa", "local", "full", "glob"), GEMMA4)
@pytest.mark.parametrize("tokens", [512, 1024, 131_072])
def test_global_layers_cache_their_own_kv_shape(
    slug: str, swa: int, local: int, full: int, glob: int, tokens: int
) -> None:
    shape = _shape(slug)
    assert (shape.swa_layers, shape.full_layers, shape.window) == (swa, full, 1024)
    expected = 2 * glob * 2.0 * full * tokens + 2 * local * 2.0 * swa * min(tokens, 1024)
    assert mem.kv_bytes(shape, tokens, 2.0) == expected


def test_gemma3_full_layers_keep_the_single_kv_shape() -> None:
    # Gemma 3 27B declares no global_attention: every layer caches 2 x 16 x 128.
    shape = _shape("gemma-3-27b-it")
    assert shape.full_kv_elems_per_layer == shape.kv_elems_per_layer == 4096
