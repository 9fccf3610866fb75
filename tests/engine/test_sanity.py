"""Sanity figures the engine once got badly wrong, each held within the range the pages show
around it, against a cited measurement: the leave-one-GPU-out band where the runtime, back-end,
metric and model kind are calibrated, else the runtime's own band (published, or the residuals
of its constants' fit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import estimate
from site_builder.engine.accuracy import result_config
from site_builder.engine.evidence import band

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT / "catalog")

CASES = [
    pytest.param(
        "sanity-vllm-ferrum-rtx4090-1330a73-1x-rtx-4090-qwen3-30b-a3b-gptq-int4",
        "ttft_ms",
        88.14,
        id="vllm-ttft-256-token-prompt-rtx-4090",
        # vLLM 0.20.2, Qwen3-30B-A3B GPTQ-Int4, 256-token prompt, one request at a time:
        # sizzlecar/ferrum-infer-rs@1330a73 docs/bench/cuda-rtx4090-2026-05-30-m3-80pct-confirmed/
        # vllm0202/c1_n5.json (median TTFT over 5 x 128 requests).
    ),
    pytest.param(
        "mlx-lm-benchmarks-md-1x-apple-m4-max-qwen3-30b-a3b-mlx-6bit",
        "decode_tok_s",
        94.14,
        id="moe-decode-m4-max-mlx",
        # mlx-lm 0.28.2, Qwen3-30B-A3B 6-bit on an M4 Max (40-core GPU, 64 GB), 128 generated
        # tokens: ml-explore/mlx-lm@a4c6470 mlx_lm/BENCHMARKS.md (Awni Hannun).
    ),
    pytest.param(
        "llamacpp-metal-pr-15616-1x-apple-m2-ultra-qwen3-30b-a3b-q8-0",
        "decode_tok_s",
        76.31,
        id="moe-decode-m2-ultra-llama-cpp",
        # llama.cpp (master of 2025-08-27), Qwen3-Coder-30B-A3B Q8_0 on an M2 Ultra, tg128:
        # ggml-org/llama.cpp pull 15616 (ggerganov).
    ),
]


@pytest.mark.parametrize(("benchmark", "metric", "measured"), CASES)
def test_the_engine_range_holds_the_cited_measurement(
    benchmark: str, metric: str, measured: float
) -> None:
    bench = CATALOG.benchmarks[benchmark]
    [result] = [r for r in bench.results if r.metric == metric]
    assert result.value == measured  # the catalog holds the cited figure
    est = estimate(CATALOG, result_config(bench, result, CATALOG))
    found = band(est, metric)
    assert found is not None
    low, high = found
    assert low <= measured <= high, (low, high)
