"""Memory formulas pinned to sourced figures (weights, KV cache, buffers, capacity)."""

from __future__ import annotations

import pytest

from site_builder.catalog import Catalog
from site_builder.engine import Config
from site_builder.engine import calibration as cal
from site_builder.engine import memory as mem
from site_builder.engine import placement as plc
from site_builder.engine.offload import offload_layout
from site_builder.engine.plan import plan_of
from site_builder.engine.shapes import GIB, effective_bits_per_weight, shape_of
from tests.engine.conftest import Ask

GB = 1e9

# (model, quant, expected size, unit, relative tolerance, source)
FILE_SIZES = [
    # bartowski/Meta-Llama-3.1-70B-Instruct-GGUF: Q4_K_M 42.52 GB; anchors-calculators.md §3
    ("llama-3.1-70b-instruct", "Q4_K_M", 42.5, GB, 0.01),
    # calibration CSV model column: "Q4_K_M (39.59 GiB)" for Meta-Llama-3-70B
    ("llama-3-70b", "Q4_K_M", 39.59, GIB, 0.01),
    # calibration CSV: Meta-Llama-3-8B "Q4_K_M (4.58 GiB)", "F16 (14.96 GiB)"
    ("llama-3-8b", "Q4_K_M", 4.58, GIB, 0.01),
    ("llama-3-8b", "F16", 14.96, GIB, 0.01),
    # calibration CSV: Meta-Llama-3-70B "F16 (131.42 GiB)"
    ("llama-3-70b", "F16", 131.42, GIB, 0.01),
    # ggml-org/gpt-oss-20b-GGUF gpt-oss-20b-mxfp4.gguf: 12.1 GB (experts MXFP4, rest Q8_0)
    ("gpt-oss-20b", "MXFP4", 12.1, GB, 0.03),
    # ggml-org/gpt-oss-120b-GGUF mxfp4 (3 parts): 63.4 GB
    ("gpt-oss-120b", "MXFP4", 63.4, GB, 0.03),
    # Qwen/Qwen3-30B-A3B-GGUF Qwen3-30B-A3B-Q4_K_M.gguf: 18.6 GB
    ("qwen3-30b-a3b", "Q4_K_M", 18.6, GB, 0.03),
    # unsloth/DeepSeek-V3-GGUF Q4_K_M: 404 GB
    ("deepseek-v3", "Q4_K_M", 404.0, GB, 0.03),
    # bartowski/google_gemma-3-27b-it-GGUF Q4_K_M: 16.5 GB (tied embeddings stored once)
    ("gemma-3-27b-it", "Q4_K_M", 16.5, GB, 0.03),
]


@pytest.mark.parametrize(("model", "quant", "size", "unit", "tol"), FILE_SIZES)
def test_weights_match_published_file_sizes(
    catalog: Catalog, model: str, quant: str, size: float, unit: float, tol: float
) -> None:
    shape = shape_of(catalog.models[model], catalog.quants[quant])
    assert shape.total_bytes / unit == pytest.approx(size, rel=tol)


def test_llama_31_70b_kv_is_320_kib_per_token(catalog: Catalog) -> None:
    # 2 (K,V) x 8 KV heads x 128 head_dim x 2 bytes x 80 layers = 327,680 B = 320 KiB
    # (anchors-calculators.md §3, "True fp16 KV = 320 KiB/token").
    shape = shape_of(catalog.models["llama-3.1-70b-instruct"], catalog.quants["Q4_K_M"])
    assert mem.kv_bytes(shape, 1, mem.KV_DTYPE_BYTES["f16"]) == 320 * 1024
    # 32K context: 10.0 GiB (same source).
    assert mem.kv_bytes(shape, 32768, 2.0) / GIB == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("dtype", "nbytes"),
    [("f16", 2.0), ("fp8", 1.0), ("q8_0", 34 / 32), ("q4_0", 18 / 32)],
)
def test_kv_dtype_bytes_include_block_scales(dtype: str, nbytes: float) -> None:
    # ggml-common.h: block_q8_0 = 32 int8 + one f16 scale (34 B); block_q4_0 = 16 B + scale.
    assert mem.KV_DTYPE_BYTES[dtype] == nbytes


def test_sliding_window_layers_are_capped(catalog: Catalog) -> None:
    # Gemma 3 27B: 62 layers, 52 local (window 1024), 16 KV heads x 128 (config.json).
    shape = shape_of(catalog.models["gemma-3-27b-it"], catalog.quants["Q4_K_M"])
    per_layer = 2 * 16 * 128 * 2
    expected = per_layer * (10 * 32768 + 52 * 1024)
    assert mem.kv_bytes(shape, 32768, 2.0) == expected


def test_mla_caches_the_latent(catalog: Catalog) -> None:
    # DeepSeek-V3: kv_lora_rank 512 + qk_rope_head_dim 64 = 576 elements per layer, 61 layers.
    shape = shape_of(catalog.models["deepseek-v3"], catalog.quants["Q4_K_M"])
    assert mem.kv_bytes(shape, 1, 2.0) == 576 * 2 * 61


@pytest.mark.parametrize(("tp", "share"), [(1, 1.0), (2, 0.5), (8, 0.125), (16, 0.125)])
def test_kv_heads_split_then_replicate(catalog: Catalog, tp: int, share: float) -> None:
    # 8 KV heads: TP=16 still holds one whole head per rank (llm-analysis max(n_kv/tp, 1)).
    shape = shape_of(catalog.models["llama-3.1-70b-instruct"], catalog.quants["AWQ-INT4"])
    assert mem.kv_head_share(shape, tp) == share


def test_moe_active_params_match_config(catalog: Catalog) -> None:
    # Qwen3-30B-A3B: 3.3B active (model card); blocks + embedding + head.
    model = catalog.models["qwen3-30b-a3b"]
    shape = shape_of(model, catalog.quants["F16"])
    active = shape.active_block_params + 2 * model.vocab_size * model.hidden_size
    assert active / 1e9 == pytest.approx(model.params_active_b, rel=0.01)


@pytest.mark.parametrize(
    ("gpus", "measured"),
    [("rtx-4090", 5.85), ("rtx-4090:2", 6.55), ("rtx-4090:4", 7.80)],
)
def test_llama_cpp_device_buffers_match_calibration_rows(
    ask: Ask, gpus: str, measured: float
) -> None:
    # calibration CSV vram_used_gb rows: Llama-3-8B Q4_K_M, n_ctx 8192, flash attention off,
    # device buffers as llama.cpp printed them (weights + KV + compute, no CUDA context).
    est = ask(gpus, "llama-3-8b", "Q4_K_M", "llama-cpp", context_tokens=8192, flash_attention=False)
    used = sum(c.weights_gib + c.kv_cache_gib + c.buffers_gib for c in est.memory.per_gpu)
    assert used == pytest.approx(measured, rel=0.05)


def test_compute_buffer_heuristic(catalog: Catalog) -> None:
    # NyxKrage: (ctx/1024*2 + 0.75) * heads MiB at ubatch 512, flash attention off.
    shape = shape_of(catalog.models["llama-3-8b"], catalog.quants["Q4_K_M"])
    attention = mem.llama_compute_buffer(shape, 8192, False, False)
    assert attention / (1 << 20) == pytest.approx((8192 / 1024 * 2 + 0.75) * 32, rel=0.07)


@pytest.mark.parametrize(
    ("room", "per_token", "swa", "window"),
    [(1e9, 1e5, 0.0, 0), (1e9, 1e5, 5e5, 1024), (1e6, 0.0, 1e3, 512), (5e8, 3e4, 2e4, 4096)],
)
def test_max_tokens_closed_form(room: float, per_token: float, swa: float, window: int) -> None:
    n = mem.max_tokens(room, per_token, swa, window)

    def need(t: int) -> float:
        return per_token * t + swa * min(t, window)

    assert need(n) <= room
    if per_token > 0:
        assert need(n + 1) > room


@pytest.mark.parametrize(("slug", "fraction"), [("apple-m1", 2 / 3), ("apple-m2-ultra", 0.75)])
def test_apple_working_set_limit(catalog: Catalog, slug: str, fraction: float) -> None:
    # llama.cpp logs recommendedMaxWorkingSetSize = 10922.67 MB on a 16 GB M1, 147456 MB on a
    # 192 GB M2 Ultra (ggml-org/llama.cpp discussions #2182).
    gpu = catalog.gpus[slug]
    assert mem.card_capacity_gib(gpu) == pytest.approx(gpu.vram_gib * fraction)


@pytest.mark.parametrize(
    ("model", "quant", "low", "high"),
    [
        # a dense model's blocks are stored entirely at the quant's nominal rate
        ("llama-3.1-8b-instruct", "Q4_K_M", 4.7986, 4.7986),
        ("llama-3.1-8b-instruct", "AWQ-INT4", 4.15625, 4.15625),
        # MXFP4: experts at 4.25 bits, attention and routers at 8.5 (gpt-oss model card:
        # MoE weights are over 90% of the parameters)
        ("gpt-oss-120b", "MXFP4", 4.25, 4.4),
        ("mixtral-8x7b-instruct", "MXFP4", 4.25, 4.5),
        # without routed experts, the expert-only format is its 8.5-bit fallback
        ("llama-3.1-8b-instruct", "MXFP4", 8.5, 8.5),
    ],
)
def test_effective_bits_per_weight(
    catalog: Catalog, model: str, quant: str, low: float, high: float
) -> None:
    bits = effective_bits_per_weight(catalog.models[model], catalog.quants[quant])
    assert low - 1e-9 <= bits <= high + 1e-9


@pytest.mark.parametrize("quant", ["Q2_K", "Q4_K_M", "Q8_0"])
def test_gguf_keeps_native_mxfp4_experts(catalog: Catalog, quant: str) -> None:
    # every gpt-oss-120b GGUF is about the MXFP4 file's size (59.02 GiB MXFP4, 60.87 GiB
    # "F16" in llama-bench, community.frame.work/t/73280/26): the experts stay MXFP4
    model = catalog.models["gpt-oss-120b"]
    native = shape_of(model, catalog.quants["MXFP4"]).total_bytes
    assert shape_of(model, catalog.quants[quant]).total_bytes == pytest.approx(native, rel=0.05)


@pytest.mark.parametrize(
    ("model", "richer", "poorer"),
    [
        # an upcast copy of MXFP4-trained experts holds no more than the MXFP4 file
        ("gpt-oss-120b", "MXFP4", "FP8"),
        ("gpt-oss-120b", "BF16", "MXFP4"),
        # DeepSeek-V3 was released in FP8: BF16 adds nothing over FP8
        ("deepseek-v3", "FP8", "Q6_K"),
    ],
)
def test_precision_is_capped_at_the_released_weights(
    catalog: Catalog, model: str, richer: str, poorer: str
) -> None:
    spec = catalog.models[model]
    assert effective_bits_per_weight(spec, catalog.quants[richer]) > effective_bits_per_weight(
        spec, catalog.quants[poorer]
    )
    bf16 = effective_bits_per_weight(spec, catalog.quants["BF16"])
    # gpt-oss: BF16 attention, MXFP4 experts (over 90% of the weights); DeepSeek-V3: FP8
    assert bf16 < 4.5 if spec.native_dtype == "mxfp4" else bf16 == 8.0


# The KV formula that runs: estimate() sizes every card and system RAM with
# memory.kv_per_token / memory.kv_at, which kv_bytes composes; these pin what estimate reports
# to the same sourced figures, so a change to the formula on either path fails here.


def test_estimate_reports_320_kib_per_token_for_llama_31_70b(ask: Ask) -> None:
    # 32K on one A100 80GB, Q4_K_M: 10.0 GiB of f16 KV (320 KiB x 32,768).
    est = ask(
        "a100-80gb-pcie", "llama-3.1-70b-instruct", "Q4_K_M", "llama-cpp", context_tokens=32768
    )
    assert est.verdict in ("fits", "tight")
    assert est.memory.per_gpu[0].kv_cache_gib == pytest.approx(10.0, rel=1e-12)


def test_layer_split_cards_share_the_pinned_kv(ask: Ask) -> None:
    # 2 x 4090, 8K: 2.5 GiB in all, each card caching its layers' share.
    est = ask("rtx-4090:2", "llama-3.1-70b-instruct", "Q4_K_M", "llama-cpp", context_tokens=8192)
    assert est.verdict in ("fits", "tight")
    assert sum(c.kv_cache_gib for c in est.memory.per_gpu) == pytest.approx(2.5, rel=1e-12)


def test_estimate_caps_sliding_window_kv(ask: Ask, catalog: Catalog) -> None:
    # Gemma 3 27B at 32K: 2 x 16 x 128 x 2 B x (10 x 32,768 + 52 x 1,024) bytes.
    est = ask("rtx-4090", "gemma-3-27b-it", "Q4_K_M", "llama-cpp", context_tokens=32768)
    expected = 2 * 16 * 128 * 2 * (10 * 32768 + 52 * 1024)
    assert est.memory.per_gpu[0].kv_cache_gib * GIB == pytest.approx(expected, rel=1e-12)
    shape = shape_of(catalog.models["gemma-3-27b-it"], catalog.quants["Q4_K_M"])
    assert mem.kv_bytes(shape, 32768, 2.0) == expected


def test_offloaded_layers_cache_the_pinned_kv_in_ram(catalog: Catalog) -> None:
    # The cards' share plus system RAM's share is the whole pinned KV cache, sliding-window
    # layers capped at 1,024 positions in RAM as on the cards.
    config = Config(
        gpus=(("rtx-3070", 1),),
        model="gemma-3-27b-it",
        quant="F16",
        runtime="llama-cpp",
        context_tokens=32768,
    )
    plan = plan_of(catalog, config, cal.DEFAULT_TABLE)
    layout = offload_layout(plan.request, 32768)
    pl = plc.layer_split(plan.request, layout.counts, output_on_gpu=False)
    window = plan.shape.window
    on_cards = sum(c.kv_alloc_at(32768, window) for c in pl.cards)
    in_ram = pl.cpu_kv_at(32768, window)
    assert on_cards + in_ram == pytest.approx(mem.kv_bytes(plan.shape, 32768, 2.0), rel=1e-12)
    offloaded = (plan.shape.n_layers - pl.gpu_layers) / plan.shape.n_layers
    assert in_ram == pytest.approx(mem.kv_bytes(plan.shape, 32768, 2.0, offloaded), rel=1e-12)
    assert layout.host_bytes == pytest.approx(pl.host_at(32768, window), rel=1e-12)


def test_ollama_allocates_one_window_per_slot(ask: Ask) -> None:
    # OLLAMA_NUM_PARALLEL=4: four 8K windows of 128 KiB per token (Llama 3.1 8B f16 KV).
    est = ask("rtx-4090", "llama-3.1-8b-instruct", "Q4_K_M", "ollama", concurrency=4)
    assert est.memory.per_gpu[0].kv_cache_gib == pytest.approx(4 * 8192 * 128 / (1 << 20))
