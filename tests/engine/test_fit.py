"""Verdicts, reasons that name the card and the number, placement and the largest context."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import Estimate, config_for_combo, estimate
from site_builder.engine.placement import layer_counts
from tests.engine.conftest import Ask

L33 = "llama-3.3-70b-instruct"


def test_one_4090_cannot_hold_llama_70b_q4(ask: Ask) -> None:
    # 39.6 GiB of Q4_K_M weights on a 24 GiB card: llama.cpp keeps part of the layers in RAM.
    est = ask("rtx-4090", L33, "Q4_K_M", "llama-cpp", context_tokens=8192)
    assert est.verdict == "offload"
    assert est.reasons[0].startswith("card 1 (RTX 4090): needs ")
    assert est.reasons[0].endswith(" GiB of 24.0 GiB")
    assert est.reasons[1].startswith("partial offload: ")
    assert " of 80 layers on the GPU; " in est.reasons[1]
    assert est.gpu_layers is not None and 30 < est.gpu_layers < 60
    assert est.memory.offload_gib > 15
    assert est.decode_tok_s is not None and est.decode_tok_s < 5


def test_one_4090_vllm_cannot_offload(ask: Ask) -> None:
    est = ask("rtx-4090", L33, "AWQ-INT4", "vllm", context_tokens=8192)
    assert est.verdict == "no-fit"
    assert est.reasons == (
        "card 1 (RTX 4090): weights and buffers need 38.5 GiB of the 21.6 GiB memory pool, "
        "leaving nothing for the KV cache",
    )
    assert est.decode_tok_s is None and est.power_w is None


@pytest.mark.parametrize(
    ("quant", "runtime", "weights_gib"),
    [
        # Q4_K_M: 39.6 GiB file minus the 0.55 GiB token embedding kept in RAM, by layers.
        ("Q4_K_M", "llama-cpp", (18.5, 20.5)),
        # AWQ-INT4: 37.0 GiB (fp16 embedding and head, vocab-parallel) / 2 ranks.
        ("AWQ-INT4", "vllm", (18.3, 18.8)),
    ],
)
def test_two_4090s_fit_llama_70b(
    ask: Ask, quant: str, runtime: str, weights_gib: tuple[float, float]
) -> None:
    est = ask("rtx-4090:2", L33, quant, runtime, context_tokens=8192, interconnect="pcie-4.0-x16")
    assert est.verdict == "fits", est.reasons
    assert len(est.memory.per_gpu) == 2
    for card in est.memory.per_gpu:
        assert card.gpu == "rtx-4090"
        assert weights_gib[0] <= card.weights_gib <= weights_gib[1]
        assert card.kv_cache_gib >= 1.25  # 8,192 tokens x 320 KiB / 2 cards
        assert card.total_gib <= card.capacity_gib
    assert est.max_context >= 8192


def test_405b_does_not_fit_two_4090s(ask: Ask) -> None:
    est = ask("rtx-4090:2", "llama-3.1-405b-instruct", "Q4_K_M", "llama-cpp")
    assert est.verdict == "no-fit"
    assert any("system RAM" in r for r in est.reasons)
    assert est.decode_tok_s is None and est.prefill_tok_s is None and est.ttft_ms is None


@pytest.mark.parametrize(
    ("gpus", "model", "quant", "runtime", "kwargs", "reason"),
    [
        (
            "rtx-4090:3",
            L33,
            "AWQ-INT4",
            "vllm",
            {},
            "tensor parallel over 3 cards does not divide the 64 attention heads",
        ),
        (
            "apple-m2-ultra",
            L33,
            "AWQ-INT4",
            "vllm",
            {},
            "vLLM has no Apple Metal back-end, so it does not run on the M2 Ultra "
            "(76-core GPU, 192 GB)",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "MLX-4BIT",
            "mlx-lm",
            {},
            "MLX LM has no NVIDIA CUDA back-end, so it does not run on the RTX 4090",
        ),
        (
            "rtx-3090:2",
            L33,
            "FP8",
            "sglang",
            {},
            "FP8 needs FP8 tensor cores; card 2 (RTX 3090) has none",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "AWQ-INT4",
            "llama-cpp",
            {},
            "llama.cpp does not load AWQ-INT4 weights (AWQ format)",
        ),
        (
            "rx-7900-xtx",
            "llama-3-8b",
            "AWQ-INT4",
            "vllm",
            {},
            "vLLM has no AWQ-INT4 kernels on AMD ROCm",
        ),
        (
            "rx-7900-xtx",
            "llama-3-8b",
            "FP8",
            "vllm",
            {},
            "FP8 needs FP8 tensor cores; card 1 (RX 7900 XTX) has none",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "MLX-4BIT",
            "lm-studio",
            {},
            "LM Studio has no MLX-4BIT kernels on NVIDIA CUDA",
        ),
        (
            "rtx-4090:2",
            "llama-3-8b",
            "Q4_K_M",
            "llama-cpp",
            {"kv_cache": "fp8"},
            "llama.cpp has no FP8 KV cache; it offers 16-bit, 8-bit (q8_0) and 4-bit (q4_0)",
        ),
        (
            "rtx-4090:2",
            "llama-3-8b",
            "F16",
            "vllm",
            {"split": "expert"},
            "expert parallel needs a mixture-of-experts model; Meta Llama 3 8B is dense",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "Q4_K_M",
            "llama-cpp",
            {"context_tokens": 9000},
            "a context of 9,000 tokens exceeds the model's maximum of 8,192",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "Q4_K_M",
            "llama-cpp",
            {"context_tokens": 36000, "concurrency": 4},
            "a context of 36,000 tokens over 4 parallel sequences gives each 9,000, more than "
            "the model's maximum of 8,192",
        ),
        (
            "rtx-4090+apple-m1",
            "llama-3-8b",
            "Q4_K_M",
            "llama-cpp",
            {},
            "cards on different back-ends (NVIDIA CUDA and Apple Metal) cannot share one model",
        ),
    ],
)
def test_unsupported_says_why(
    ask: Ask,
    gpus: str,
    model: str,
    quant: str,
    runtime: str,
    kwargs: dict[str, object],
    reason: str,
) -> None:
    est = ask(gpus, model, quant, runtime, **kwargs)
    assert est.verdict == "unsupported"
    assert reason in est.reasons, est.reasons
    assert est.decode_tok_s is None and est.decode_tok_s_range is None
    assert est.max_context == 0


@pytest.mark.parametrize(
    ("runtime", "quant", "users", "verdict", "largest"),
    [
        # llama.cpp's parallel sequences split the -c window: 4 x 8,192 positions fit the
        # trained context of Llama 3 8B, and the largest window is 4 times the model's.
        ("llama-cpp", "Q4_K_M", 4, "fits", 4 * 8192),
        ("llama-cpp", "Q4_K_M", 1, "unsupported", 0),
        # vLLM's window is one sequence's (--max-model-len), whatever the concurrency.
        ("vllm", "BF16", 4, "unsupported", 0),
    ],
)
def test_parallel_sequences_share_llama_cpp_window(
    ask: Ask, runtime: str, quant: str, users: int, verdict: str, largest: int
) -> None:
    est = ask("h100-sxm", "llama-3-8b", quant, runtime, context_tokens=4 * 8192,
              concurrency=users)  # fmt: skip
    assert est.verdict == verdict, est.reasons
    assert est.max_context == largest
    if verdict == "unsupported":
        assert est.reasons == ("a context of 32,768 tokens exceeds the model's maximum of 8,192",)


def test_vllm_runs_fp8_weight_only_on_ampere(ask: Ask) -> None:
    # vLLM FP8 Marlin (W8A16) runs FP8 checkpoints on GPUs without FP8 tensor cores.
    est = ask("rtx-3090", "llama-3.1-8b-instruct", "FP8", "vllm")
    assert est.verdict in ("fits", "tight")


def test_vllm_pool_is_the_card_total(ask: Ask) -> None:
    # vLLM reserves gpu_memory_utilization (0.9) of every card and fills it with KV cache.
    est = ask("rtx-4090:2", L33, "AWQ-INT4", "vllm", context_tokens=8192)
    for card in est.memory.per_gpu:
        assert card.total_gib == pytest.approx(0.9 * card.capacity_gib, abs=0.01)
        parts = card.weights_gib + card.kv_cache_gib + card.buffers_gib + card.overhead_gib
        assert parts == pytest.approx(card.total_gib, abs=0.05)


def test_vllm_context_beyond_the_pool(ask: Ask) -> None:
    est = ask("rtx-4090:2", L33, "AWQ-INT4", "vllm", context_tokens=32768)
    assert est.verdict == "no-fit"
    assert est.reasons[0] == (
        "card 1 (RTX 4090): KV cache for 32,768 tokens needs 5.0 GiB, 1.5 GiB left in the "
        "21.6 GiB pool after 20.1 GiB of weights and buffers"
    )
    assert 4096 < est.max_context < 32768


def test_tight_when_headroom_is_small(ask: Ask) -> None:
    est = ask(
        "rtx-4090", "llama-3.1-8b-instruct", "Q4_K_M", "ollama", context_tokens=32768, concurrency=4
    )
    assert est.verdict == "tight"
    assert est.reasons == ("card 1 (RTX 4090): 23.5 GiB of 24.0 GiB, only 0.5 GiB of headroom",)


def test_max_context_is_the_largest_that_fits(ask: Ask) -> None:
    est = ask("rtx-4090:2", L33, "Q4_K_M", "llama-cpp", context_tokens=8192)
    best = est.max_context
    assert 8192 < best < 131072
    assert ask("rtx-4090:2", L33, "Q4_K_M", "llama-cpp", context_tokens=best).verdict in (
        "fits",
        "tight",
    )
    assert (
        ask("rtx-4090:2", L33, "Q4_K_M", "llama-cpp", context_tokens=best + 64).verdict == "offload"
    )


def test_max_context_is_bounded_by_the_model(ask: Ask) -> None:
    est = ask("a100-80gb-pcie", "llama-3-8b", "Q4_K_M", "llama-cpp", context_tokens=4096)
    assert est.max_context == 8192


def test_mixed_cards_share_layers_by_free_memory(ask: Ask) -> None:
    est = ask("rtx-5090+rtx-3090", L33, "Q4_K_M", "llama-cpp", interconnect="pcie-4.0-x8")
    assert est.verdict == "fits"
    big, small = est.memory.per_gpu
    assert (big.gpu, small.gpu) == ("rtx-5090", "rtx-3090")
    assert big.weights_gib > small.weights_gib
    assert "--tensor-split 32,24" in est.launch_command


def test_vllm_sizes_kv_by_the_smallest_card(ask: Ask) -> None:
    est = ask("rtx-5090+rtx-4090", "qwen3-32b", "AWQ-INT4", "vllm", interconnect="pcie-4.0-x16")
    kv = {c.kv_cache_gib for c in est.memory.per_gpu}
    assert len(kv) == 1


@pytest.mark.parametrize(
    ("n", "ratios", "counts"),
    [
        (80, (1, 1), [40, 40]),
        (80, (23.05, 23.55), [40, 40]),
        (80, (32, 24), [46, 34]),
        (32, (1, 1, 1, 1), [8, 8, 8, 8]),
        (126, (1, 0), [126, 0]),
    ],
)
def test_layer_counts_follow_llama_cpp(
    n: int, ratios: tuple[float, ...], counts: list[int]
) -> None:
    assert layer_counts(n, ratios) == counts


def test_unified_memory_offload_is_bounded_by_ram(ask: Ask) -> None:
    # A 16 GB M1 cannot hold 39.6 GiB of weights anywhere.
    assert ask("apple-m1", "llama-3-70b", "Q4_K_M", "llama-cpp").verdict == "no-fit"


SHIPPED = Path(__file__).resolve().parents[2] / "catalog"


@pytest.mark.parametrize(
    ("combo", "words"),
    [
        ("8x-mi300x", "cards linked by AMD Infinity Fabric (MI300X platform) at 448 GB/s"),
        ("dual-rtx-3090", "cards linked by NVLink 3.0 bridge (GA102) at 56.25 GB/s"),
        ("dual-rtx-4090", "cards linked by PCIe through host memory at 15.75 GB/s"),
    ],
)
def test_assumptions_name_a_fabric_and_describe_a_pcie_path(combo: str, words: str) -> None:
    catalog = load_catalog(SHIPPED)
    config = config_for_combo(
        catalog, combo, model="llama-3.1-8b-instruct", quant="BF16", runtime="vllm"
    )
    assert any(a.startswith(words) for a in estimate(catalog, config).assumptions)


def test_reasons_and_assumptions_read_as_words(ask: Ask) -> None:
    """Card names, 1-based numbers and meanings, never IDs or field names."""
    est = ask("rtx-4090:2", L33, "AWQ-INT4", "vllm", context_tokens=8192, prompt_tokens=0)
    assert est.reasons == ("cards 1 and 2 (RTX 4090) hold 21.6 GiB of 24.0 GiB each",)
    assert est.assumptions == (
        "kernel efficiency taken from published figures",
        "flash attention on; 16-bit KV cache",
        "cards linked by PCIe through host memory at 31.5 GB/s per direction",
        "0.5 GiB of card 1 reserved for a desktop",
        "a memory pool of 90% of each card, filled with KV cache",
        "prefill speed for a 512-token prompt (--prompt 0)",
    )


def _need(est: Estimate) -> float:
    """Every card's parts plus system RAM, GiB."""
    parts = (
        c.weights_gib + c.kv_cache_gib + c.buffers_gib + c.overhead_gib for c in est.memory.per_gpu
    )
    return sum(parts) + est.memory.offload_gib


def test_gemma_offload_caps_sliding_window_kv_in_system_ram(ask: Ask) -> None:
    # Regression: gemma-3-27b-it F16 on one RTX 3070 offloads at 16K; at 32K the sliding-window
    # KV of the offloaded layers was counted for the whole window (62.8 GiB of system RAM, a
    # false no-fit reported with the GPU-only memory: the need fell from 61.6 to 57.3 GiB).
    short = ask("rtx-3070", "gemma-3-27b-it", "F16", "llama-cpp", context_tokens=16384)
    longer = ask("rtx-3070", "gemma-3-27b-it", "F16", "llama-cpp", context_tokens=32768)
    assert (short.verdict, longer.verdict) == ("offload", "offload")
    assert _need(longer) >= _need(short)
    # 54 of 62 layers in RAM: 54 x 0.769 GiB of F16 blocks, head and token embedding
    # (2.63 GiB each), 0.5 GiB of f32 logits, and 54/62 of the KV cache, whose 52 local layers
    # hold 1,024 positions: 2 x 16 x 128 x 2 B x (10 x 32,768 + 52 x 1,024) x 54/62 = 2.53 GiB.
    assert longer.gpu_layers == 8
    assert longer.memory.offload_gib == pytest.approx(49.81, abs=0.01)
    for card in longer.memory.per_gpu:
        assert card.total_gib <= card.capacity_gib


def test_a_failed_offload_reports_the_offload_layout(ask: Ask) -> None:
    # Llama 3.3 70B Q8_0 on one 4090: offload at 32K, not enough system RAM at 64K. The no-fit
    # shows what was tried (layers on the card, the rest in RAM), so the need keeps growing.
    runs = ask("rtx-4090", L33, "Q8_0", "llama-cpp", context_tokens=32768)
    fails = ask("rtx-4090", L33, "Q8_0", "llama-cpp", context_tokens=65536)
    assert (runs.verdict, fails.verdict) == ("offload", "no-fit")
    assert any("system RAM" in r for r in fails.reasons)
    assert fails.gpu_layers is not None and 0 < fails.gpu_layers < 80
    assert fails.memory.per_gpu[0].total_gib <= fails.memory.per_gpu[0].capacity_gib
    assert fails.memory.offload_gib > 60
    assert _need(fails) >= _need(runs)
    # the largest context that runs at all, below the one asked for
    assert fails.max_context == runs.max_context < 65536


@pytest.mark.parametrize(
    ("model", "quant", "gpu", "expected"),
    [
        # Whole-layer offload with the compute buffers: 38,712, not the 42,665 a pooled
        # memory estimate advertised.
        (L33, "Q8_0", "rtx-4090", 38712),
        # Sliding-window KV capped in RAM too: the model's whole 131,072-token window runs.
        ("gemma-3-27b-it", "F16", "rtx-3070", 131072),
    ],
)
def test_offload_max_context_runs(
    ask: Ask, model: str, quant: str, gpu: str, expected: int
) -> None:
    est = ask(gpu, model, quant, "llama-cpp", context_tokens=8192)
    assert est.verdict == "offload"
    assert est.max_context == expected
    assert ask(gpu, model, quant, "llama-cpp", context_tokens=expected).verdict == "offload"
    beyond = ask(gpu, model, quant, "llama-cpp", context_tokens=expected + 1).verdict
    assert beyond in ("no-fit", "unsupported")
