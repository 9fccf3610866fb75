"""2026 model layouts pinned to their configs and reference code: DeepSeek-V4 compressed
attention (a 128-token window on every layer, 4:1 and 128:1 compressed caches, fp32 compressor
state), Gemma 4 E2B/E4B KV sharing and per-layer embeddings, and releases whose native weights
are mixed (DeepSeek-V4: MXFP4 experts + FP8; Kimi K2.6: INT4 experts + BF16).

Sources: deepseek-ai/DeepSeek-V4-Flash@60d8d707 config.json and inference/model.py
(``Attention.kv_cache``, ``Compressor.kv_state``/``score_state``, ``Indexer.kv_cache``);
deepseek-ai/DeepSeek-V4-Pro@b5968e91 config.json; google/gemma-4-E2B-it and -E4B-it config.json
(``num_kv_shared_layers``, ``vocab_size_per_layer_input``, ``hidden_size_per_layer_input``);
moonshotai/Kimi-K2.6 config.json ``quantization_config`` (INT4, group 32, symmetric).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Config, estimate, launch
from site_builder.engine import memory as mem
from site_builder.engine.recommend import passes_floor
from site_builder.engine.shapes import (
    GIB,
    INT4_G32_BITS,
    MXFP4_BITS,
    Shape,
    compressed_elems_per_token,
    compressor_state_elems,
    dense_block_params,
    effective_bits_per_weight,
    expert_params,
    per_layer_embedding_params,
    shape_of,
)
from site_builder.schema import Model

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
KIB = 1024.0
T_1M = 1_048_576
BF16 = 2.0


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(CATALOG)


def _shape(shipped: Catalog, model: str, quant: str = "BF16") -> Shape:
    return shape_of(shipped.models[model], shipped.quants[quant])


# --- DeepSeek-V4 compressed attention ---------------------------------------------------------

# (model, CSA layers (ratio 4), HCA layers (ratio 128), window-only layers, layers)
# from compress_ratios[:num_hidden_layers] of each config.json.
V4 = [("deepseek-v4-flash", 21, 20, 2, 43), ("deepseek-v4-pro", 30, 31, 0, 61)]
CSA_STATE = 80 * KIB
"""fp32 state of a 4:1 layer: kv_state + score_state of 8 x 1024 (overlapping windows of the
512-wide entry) and 8 x 256 for the indexer's own compressor: 2 x (8,192 + 2,048) x 4 B."""
HCA_STATE = 512 * KIB
"""fp32 state of a 128:1 layer: kv_state + score_state of 128 x 512: 2 x 65,536 x 4 B."""


def _v4_bytes(csa: int, hca: int, layers: int, tokens: int, dtype: float) -> float:
    """floor(T/4) x (512 + 128) on CSA layers + floor(T/128) x 512 on HCA layers + a window of
    min(T, 128) x 512 on every layer, at ``dtype``; plus the fp32 compressor state."""
    compressed = csa * (tokens // 4) * (512 + 128) + hca * (tokens // 128) * 512
    window = layers * min(tokens, 128) * 512
    return (compressed + window) * dtype + csa * CSA_STATE + hca * HCA_STATE


@pytest.mark.parametrize(("slug", "csa", "hca", "window_only", "layers"), V4)
def test_v4_shape_is_a_window_on_every_layer(
    shipped: Catalog, slug: str, csa: int, hca: int, window_only: int, layers: int
) -> None:
    ca = shipped.models[slug].compressed_attention
    assert ca is not None
    ratios = ca.compress_ratios
    assert (ratios.count(4), ratios.count(128), ratios.count(0)) == (csa, hca, window_only)
    shape = _shape(shipped, slug)
    # no layer caches every position as K/V: one 512-wide entry (K = V) per windowed position
    assert (shape.full_kv_layers, shape.swa_kv_layers, shape.window) == (0, layers, 128)
    assert shape.kv_elems_per_layer == 512


@pytest.mark.parametrize(
    ("slug", "elems", "bf16_per_token"),
    [
        # 21 x (512/4 + 128/4) + 20 x 512/128 = 3,440 elements; x 2 B = 6,880 B
        ("deepseek-v4-flash", 3_440, 6_880),
        # 30 x 160 + 31 x 4 = 4,924 elements; x 2 B = 9,848 B
        ("deepseek-v4-pro", 4_924, 9_848),
    ],
)
def test_v4_cache_grows_by_compressed_entries_only(
    shipped: Catalog, slug: str, elems: int, bf16_per_token: int
) -> None:
    assert compressed_elems_per_token(shipped.models[slug]) == elems
    full, _ = mem.kv_per_token(_shape(shipped, slug), BF16)
    assert full == bf16_per_token


@pytest.mark.parametrize(
    ("slug", "state_bytes"),
    [
        # 21 x 80 KiB + 20 x 512 KiB = 11,920 KiB
        ("deepseek-v4-flash", 21 * CSA_STATE + 20 * HCA_STATE),
        # 30 x 80 KiB + 31 x 512 KiB = 18,272 KiB
        ("deepseek-v4-pro", 30 * CSA_STATE + 31 * HCA_STATE),
    ],
)
def test_v4_compressor_state_is_fixed_fp32(shipped: Catalog, slug: str, state_bytes: float) -> None:
    assert compressor_state_elems(shipped.models[slug]) * 4 == state_bytes
    assert _shape(shipped, slug).compressor_state_bytes == state_bytes


@pytest.mark.parametrize(("slug", "csa", "hca", "window_only", "layers"), V4)
@pytest.mark.parametrize("tokens", [128, 4096, 131_072, T_1M])
@pytest.mark.parametrize("dtype", [BF16, mem.KV_DTYPE_BYTES["fp8"]])
def test_v4_cache_matches_the_reference_allocation(
    shipped: Catalog,
    slug: str,
    csa: int,
    hca: int,
    window_only: int,
    layers: int,
    tokens: int,
    dtype: float,
) -> None:
    # Exact at these lengths (multiples of 128: the floors drop nothing; the window is full).
    expected = _v4_bytes(csa, hca, layers, tokens, dtype)
    assert mem.kv_bytes(_shape(shipped, slug), tokens, dtype) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("slug", "gib"),
    [
        # 6,880 B x 1,048,576 = 6.72 GiB, + 5.4 MiB window + 11.6 MiB state
        ("deepseek-v4-flash", 6.72),
        # 9,848 B x 1,048,576 = 9.62 GiB, + 7.6 MiB window + 17.8 MiB state
        ("deepseek-v4-pro", 9.62),
    ],
)
def test_v4_one_million_tokens(shipped: Catalog, slug: str, gib: float) -> None:
    shape = _shape(shipped, slug)
    assert mem.kv_bytes(shape, T_1M, BF16) / GIB == pytest.approx(gib, rel=0.005)


def test_v4_fp8_cache_halves_the_entries_not_the_state(shipped: Catalog) -> None:
    shape = _shape(shipped, "deepseek-v4-flash")
    state = shape.compressor_state_bytes
    bf16 = mem.kv_bytes(shape, T_1M, BF16) - state
    fp8 = mem.kv_bytes(shape, T_1M, 1.0) - state
    assert fp8 == pytest.approx(bf16 / 2, rel=1e-12)


def test_v4_largest_context_holds_the_state_once(shipped: Catalog) -> None:
    # room = 1M tokens of cache exactly: the closed form gives 1M back
    shape = _shape(shipped, "deepseek-v4-pro")
    full, windowed = mem.kv_per_token(shape, BF16)
    room = mem.kv_bytes(shape, T_1M, BF16)
    assert abs(mem.max_tokens(room, full, windowed, shape.window) - T_1M) <= 1


def test_v4_estimate_reports_the_pinned_cache(shipped: Catalog) -> None:
    # 8x H200, vLLM, the released MXFP4/FP8 weights: one KV head, replicated on every rank.
    est = estimate(
        shipped,
        Config(gpus=(("h200", 8),), model="deepseek-v4-flash", quant="MXFP4", runtime="vllm"),
    )
    assert est.verdict == "fits"
    assert est.max_context == T_1M


# --- Gemma 4 E2B / E4B: KV sharing and per-layer embeddings -----------------------------------

# (model, full layers, sliding layers, full caching, sliding caching, local KV, global KV, GiB
# of 16-bit cache at 131,072 tokens)
GEMMA = [
    # 7 full + 28 sliding; the last 20 (4 full, 16 sliding) share: 3 + 12 cache.
    # 2 x 1 x 512 x 2 B x 3 x 131,072 + 2 x 1 x 256 x 2 B x 12 x 512 = 0.756 GiB
    ("gemma-4-e2b-it", 7, 28, 3, 12, 2 * 1 * 256, 2 * 1 * 512, 0.756),
    # 7 full + 35 sliding; the last 18 (3 full, 15 sliding) share: 4 + 20 cache.
    # 2 x 2 x 512 x 2 B x 4 x 131,072 + 2 x 2 x 256 x 2 B x 20 x 512 = 2.02 GiB
    ("gemma-4-e4b-it", 7, 35, 4, 20, 2 * 2 * 256, 2 * 2 * 512, 2.02),
]


@pytest.mark.parametrize(
    ("slug", "full", "swa", "full_kv", "swa_kv", "local", "glob", "gib"), GEMMA
)
def test_kv_sharing_layers_cache_nothing(
    shipped: Catalog,
    slug: str,
    full: int,
    swa: int,
    full_kv: int,
    swa_kv: int,
    local: int,
    glob: int,
    gib: float,
) -> None:
    shape = _shape(shipped, slug)
    # every layer still attends (prefill FLOPs), only the non-shared ones store a cache
    assert (shape.full_layers, shape.swa_layers) == (full, swa)
    assert (shape.full_kv_layers, shape.swa_kv_layers) == (full_kv, swa_kv)
    tokens = 131_072
    expected = glob * BF16 * full_kv * tokens + local * BF16 * swa_kv * 512
    assert mem.kv_bytes(shape, tokens, BF16) == expected
    assert expected / GIB == pytest.approx(gib, rel=0.005)


@pytest.mark.parametrize(
    ("slug", "params"),
    [
        ("gemma-4-e2b-it", 262_144 * 35 * 256),  # 2,348,810,240
        ("gemma-4-e4b-it", 262_144 * 42 * 256),  # 2,818,572,288
    ],
)
def test_per_layer_embeddings_are_a_lookup_table(shipped: Catalog, slug: str, params: int) -> None:
    model = shipped.models[slug]
    assert per_layer_embedding_params(model) == params
    embed = model.vocab_size * model.hidden_size
    # out of the blocks: params_total_b = tied embedding + table + block weights
    block = model.params_total_b * 1e9 - embed - params
    assert dense_block_params(model) == pytest.approx(block, rel=1e-12)
    bf16 = _shape(shipped, slug)
    # in the weights, not in what a token reads: its blocks and the tied head
    assert bf16.total_bytes == pytest.approx(model.params_total_b * 1e9 * 2, rel=1e-3)
    assert bf16.active_bytes_per_token == pytest.approx((block + embed) * 2, rel=1e-3)


def test_per_layer_table_takes_the_token_embedding_type(shipped: Catalog) -> None:
    # Gemma 4 E2B Q4_K_M: token_embd and per_layer_token_embd both Q6_K (tied embeddings take
    # the output type): 2,348,810,240 x 6.5625 / 8 = 1,926.8 MB.
    shape = _shape(shipped, "gemma-4-e2b-it", "Q4_K_M")
    assert shape.embed_bytes / 1e6 == pytest.approx(1926.8, abs=0.1)


def test_llama_cpp_keeps_the_per_layer_table_in_system_ram(shipped: Catalog) -> None:
    # llama.cpp places per_layer_token_embd with the input layer (LLM_TENSOR_LAYER_INPUT), in
    # host memory like token_embd: the card holds the blocks and the (tied) output head.
    model, quant = "gemma-4-e2b-it", "Q4_K_M"
    shape = _shape(shipped, model, quant)
    est = estimate(
        shipped, Config(gpus=(("rtx-3060", 1),), model=model, quant=quant, runtime="llama-cpp")
    )
    memory = est.to_json()["memory"]
    gpu = (shape.block_bytes + shape.head_bytes) / GIB
    assert memory["per_gpu"][0]["weights_gib"] == pytest.approx(gpu, abs=0.005)
    assert memory["offload_gib"] == pytest.approx(shape.embed_bytes / GIB, abs=0.005)


@pytest.mark.parametrize("runtime", ["vllm", "transformers"])
def test_one_card_runtimes_hold_every_table(shipped: Catalog, runtime: str) -> None:
    # BF16 safetensors on one card: blocks, tied embedding and the per-layer table, 4.629B x 2 B
    est = estimate(
        shipped,
        Config(gpus=(("rtx-3060", 1),), model="gemma-4-e2b-it", quant="BF16", runtime=runtime),
    )
    weights = est.to_json()["memory"]["per_gpu"][0]["weights_gib"]
    assert weights == pytest.approx(4.629e9 * 2 / GIB, rel=0.01)


# --- Mixed-precision releases -----------------------------------------------------------------


def test_kimi_k26_released_weights_are_int4_experts_and_bf16(shipped: Catalog) -> None:
    model = shipped.models["kimi-k2.6"]
    experts = expert_params(model)[0]  # 60 x 384 x 3 x 7168 x 2048 = 1,014.7B
    rest = dense_block_params(model)
    lookup = 2 * model.vocab_size * model.hidden_size
    expected = experts * INT4_G32_BITS / 8 + (rest + lookup) * 2
    shape = _shape(shipped, "kimi-k2.6", "INT4-MOE")
    assert shape.total_bytes == pytest.approx(expected, rel=1e-9)
    # about 594 GB (553 GiB), not the 2.05 TB a 16-bit release would weigh
    assert shape.total_bytes / 1e9 == pytest.approx(594, rel=0.01)
    assert _shape(shipped, "kimi-k2.6").total_bytes / 1e9 == pytest.approx(2053, rel=0.01)


@pytest.mark.parametrize(
    ("slug", "quant", "dense_bits", "expert_bits"),
    [
        # a 16-bit copy holds no more than the release: MXFP4 experts, FP8 rest
        ("deepseek-v4-flash", "BF16", 8.0, MXFP4_BITS),
        ("deepseek-v4-pro", "MXFP4", 8.0, MXFP4_BITS),
        # INT4 experts (4 + 16/32 bits), BF16 rest (uncapped)
        ("kimi-k2.6", "BF16", 16.0003, INT4_G32_BITS),
        ("kimi-k2.6", "INT4-MOE", 16.0, INT4_G32_BITS),
    ],
)
def test_precision_is_capped_at_the_mixed_release(
    shipped: Catalog, slug: str, quant: str, dense_bits: float, expert_bits: float
) -> None:
    model = shipped.models[slug]
    dense, experts = dense_block_params(model), expert_params(model)[0]
    expected = (dense * dense_bits + experts * expert_bits) / (dense + experts)
    found = effective_bits_per_weight(model, shipped.quants[quant])
    assert found == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("slug", "quant"), [("kimi-k2.6", "INT4-MOE"), ("deepseek-v4-pro", "MXFP4")]
)
def test_the_release_passes_the_quality_floor(shipped: Catalog, slug: str, quant: str) -> None:
    config = Config(gpus=(("h200", 8),), model=slug, quant=quant, runtime="vllm")
    assert passes_floor(shipped, config)


@pytest.mark.parametrize(
    ("slug", "quant", "fmt", "loads"),
    [
        ("kimi-k2.6", "INT4-MOE", "awq", "moonshotai/Kimi-K2.6"),  # the published checkpoint
        ("kimi-k2.6", "BF16", "float", None),  # no 16-bit weights are published
        ("kimi-k2.6", "FP8", "fp8", None),  # INT4 weights are not re-quantized on load
        ("deepseek-v4-pro", "MXFP4", "mxfp4", "deepseek-ai/DeepSeek-V4-Pro"),
        ("deepseek-v4-pro", "FP8", "fp8", None),  # the release is FP4 experts, not all-FP8
        ("gpt-oss-120b", "FP8", "fp8", None),  # vLLM refuses --quantization fp8 on MXFP4
        ("llama-3.1-8b-instruct", "NF4", "nf4", "meta-llama/Llama-3.1-8B-Instruct"),  # on load
    ],
)
def test_vllm_loads_what_the_release_is(
    shipped: Catalog, slug: str, quant: str, fmt: str, loads: str | None
) -> None:
    src = launch.source("vllm", shipped.models[slug], quant, fmt)
    assert (src.repo if src else None) == loads


# --- schema rules ----------------------------------------------------------------------------


def _data(shipped: Catalog, slug: str, change: dict[str, object]) -> dict[str, object]:
    """The shipped model's fields with ``change`` applied."""
    return {**shipped.models[slug].model_dump(exclude_none=True), **change}


@pytest.mark.parametrize(
    ("slug", "change", "message"),
    [
        (
            "deepseek-v4-flash",
            {"num_layers": 42},
            "compress_ratios needs one entry per layer",
        ),
        (
            "deepseek-v4-flash",
            {"sliding_window_tokens": 128, "sliding_window_layers": 43},
            "compressed_attention cannot be combined",
        ),
        (
            "gemma-4-e2b-it",
            {"kv_sharing": {"shared_layers": 20, "shared_sliding_layers": 21}},
            "exceeds shared_layers",
        ),
        (
            "gemma-4-e2b-it",
            {"kv_sharing": {"shared_layers": 34, "shared_sliding_layers": 27}},
            "must leave a layer of each shared kind",
        ),
        (
            "gemma-4-e2b-it",
            {"params_total_b": 2.0},
            "per_layer_embeddings holds more parameters",
        ),
    ],
)
def test_schema_refuses_inconsistent_layouts(
    shipped: Catalog, slug: str, change: dict[str, object], message: str
) -> None:
    Model.model_validate(_data(shipped, slug, {}), strict=False)
    with pytest.raises(ValidationError, match=message):
        Model.model_validate(_data(shipped, slug, change), strict=False)
