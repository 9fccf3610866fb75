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
        "vllm-ferrum-rtx4090-1x-rtx-4090-llama-3.1-8b-instruct-bf16",
        "ttft_ms",
        44.62,
        id="vllm-ttft-248-token-prompt-rtx-4090",
        # vLLM 0.20.0, Llama 3.1 8B Instruct BF16, 248-token prompt, one request at a time,
        # median TTFT of repeat 2 of 3 (the median repeat; the others 50.64 and 44.37 ms):
        # sizzlecar/ferrum-infer-rs@35d186c bench/v0.2-cuda/results/vllm__M1__c1__r2.json
        # (`vllm bench serve` through vLLM's HTTP server).
    ),
    pytest.param(
        "vllm-ferrum-rtx4090-1x-rtx-4090-llama-3.1-8b-instruct-gptq-int4-2",
        "ttft_ms",
        38.53,
        id="vllm-ttft-212-token-prompt-gptq-rtx-4090",
        # vLLM 0.20.1, Llama 3.1 8B Instruct GPTQ-INT4 (gptq_marlin), 212-token prompt, one
        # request at a time, the median repeat (the others 41.41 and 37.33 ms): the same
        # repository at the same commit, docs/bench/cuda-rtx4090-2026-05-07/results/
        # vllm__M2__c1__r3.json. The sweep's BF16 run of the same prompts follows.
    ),
    pytest.param(
        "vllm-ferrum-rtx4090-1x-rtx-4090-llama-3.1-8b-instruct-bf16-2",
        "ttft_ms",
        46.93,
        id="vllm-ttft-212-token-prompt-rtx-4090",
        # vLLM 0.20.1, same model, card and client, 212-token prompt, the median repeat (the
        # others 48.45 and 46.21 ms): the same repository at the same commit,
        # docs/bench/cuda-rtx4090-2026-05-07/results/vllm__M1__c1__r2.json.
        marks=pytest.mark.xfail(
            strict=True,
            reason=(
                "not met yet: the published range (33-44 ms) ends 6 % below it: these "
                "212-token runs read slower than the 248-token runs of the other sweep, which "
                "a prefill that grows with the prompt cannot follow"
            ),
        ),
    ),
    pytest.param(
        "vllm-ferrum-rtx4090-1x-rtx-4090-qwen3-30b-a3b-gptq-int4",
        "ttft_ms",
        58.33,
        id="moe-prefill-qwen3-30b-a3b-rtx-4090-vllm",
        # vLLM 0.20.0, Qwen3-30B-A3B GPTQ-Int4 on one RTX 4090, 196-token prompt, one request at
        # a time, median TTFT of repeat 1 of 3 (the others 57.27 and 58.96 ms):
        # sizzlecar/ferrum-infer-rs@35d186c bench/v0.2-cuda/results/vllm__M3__c1__r1.json.
        # A 196-token prompt gives each of the 128 experts about 12 tokens: the routed experts'
        # products run far below their long-batch rate (calibration.EXPERT_HALF_TOKENS).
    ),
    pytest.param(
        "sanity-sglang-datacrunch-dsr1-h200-8x-h200-deepseek-r1-fp8",
        "decode_tok_s",
        47.67,
        id="deepseek-r1-single-stream-8x-h200-sglang",
        # SGLang (lmsysorg/sglang:latest of 2025-01-31), DeepSeek-R1 FP8 on 8x H200, tensor
        # parallel 8, one request, 128 prompt and 256 generated tokens:
        # datacrunch-research/blogs@f5752e8 deepseek-r1-deployment/deepseek-r1-deployment.md.
        marks=pytest.mark.xfail(
            strict=True,
            reason=(
                "kept as the record of an early build: the engine gives about 2.6x this "
                "January-2025 SGLang image's single-stream speed, while SGLang 0.5.12 on the same "
                "cards runs each of 4 streams at the engine's rate (the case below); the "
                "catalog's outlier_reason says so"
            ),
        ),
    ),
    pytest.param(
        "inferencex-dsr1-h200-sglang-8x-h200-deepseek-r1-fp8",
        "aggregate_decode_tok_s",
        412.37,
        id="deepseek-r1-4-streams-8x-h200-sglang-0.5.12",
        # SGLang 0.5.12 (lmsysorg/sglang:v0.5.12-cu130), DeepSeek-R1-0528 FP8 on 8x H200,
        # tensor parallel 8, no expert parallelism or speculative decoding, 4 concurrent
        # requests of about 1k in / 1k out: 4 x 1000 / mean TPOT 9.7 ms, SemiAnalysis InferenceX
        # (run 25980019087 at SemiAnalysisAI/InferenceX@aa2df95, published 2026-05-17), quoted
        # in SemiAnalysisAI/InferenceX pull 3288. The lowest concurrency the sweep publishes on
        # H200: each stream's 103 tok/s is the single-stream sanity figure at 4 streams.
    ),
    pytest.param(
        "inferencex-dsr1-b200-sglang-8x-b200-deepseek-r1-fp8",
        "decode_tok_s",
        139.28,
        id="deepseek-r1-single-stream-8x-b200-sglang-0.5.12",
        # The same sweep's single stream on the next GPU generation: SGLang 0.5.12, DeepSeek-R1-0528
        # FP8 on 8x B200, tensor parallel 8, FP8 KV cache, one request of about 1k in / 1k out,
        # 1000 / mean TPOT 7.18 ms (InferenceX, published 2026-05-22, the 1-request point run at
        # SemiAnalysisAI/InferenceX@6a4fe2a), quoted in SemiAnalysisAI/InferenceX pull 3363.
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
    # the catalog holds the cited figure (once)
    [result] = [r for r in bench.results if r.metric == metric and r.value == measured]
    est = estimate(CATALOG, result_config(bench, result, CATALOG))
    found = band(est, metric)
    assert found is not None
    low, high = found
    assert low <= measured <= high, (low, high)
