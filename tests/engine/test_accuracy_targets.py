"""The engine's cross-validated accuracy on the shipped catalog, as `site-builder accuracy --json`
prints it (leave-one-GPU-out), held to the targets of the engine-truth issue. Targets the data or
the engine do not meet yet are listed as strict expected failures, so meeting one turns them
into a failure that asks to promote it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from site_builder.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validation() -> dict[tuple[str, str], dict[str, Any]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["accuracy", "--catalog", str(ROOT / "catalog"), "--json"]) == 0
    rows = json.loads(out.getvalue())["validation"]
    return {(r["runtime"], r["metric"]): r for r in rows if r["scheme"] == "leave-one-gpu-out"}


TARGETS = [
    ("llama-cpp", "decode_tok_s", "median", 10.0),
    ("mlx-lm", "decode_tok_s", "median", 10.0),
    ("mlx-lm", "decode_tok_s", "p90", 25.0),
    ("llama-cpp", "prefill_tok_s", "median", 20.0),
    ("llama-cpp", "decode_tok_s", "p90", 25.0),
    # Met by a small margin (18.1 %): 20 of the 24 results are llama-batched-bench runs of
    # gpt-oss on one M2 Ultra at build b6123, whose long-context decode is slower than the
    # engine's (their own single-stream rows slow 2.1x as much from 0 to 32K tokens); held
    # out, they take the Metal MoE decode factor of the other Apple chips.
    ("llama-cpp", "aggregate_decode_tok_s", "median", 20.0),
    ("llama-cpp", "vram_used_gib", "median", 10.0),
    ("mlx-lm", "vram_used_gib", "median", 10.0),
    ("vllm", "decode_tok_s", "median", 10.0),
    ("vllm", "decode_tok_s", "p90", 25.0),
    ("vllm", "ttft_ms", "median", 25.0),
    # Output throughput of serving runs (prefill included): the "aggregate decode"
    # targets for the runtimes whose benchmarks report it.
    ("vllm", "output_tok_s", "median", 20.0),
    # SemiAnalysis InferenceX's SGLang 0.5.12 sweeps of DeepSeek-R1 on 8x H200 and 8x B200.
    ("sglang", "aggregate_decode_tok_s", "median", 20.0),
    ("tensorrt-llm", "output_tok_s", "median", 20.0),
    # Met since each run is predicted at its measured mean concurrency where the source prints
    # it (Result.mean_concurrency): the cookbook's five-round runs hold 85-92 % of their cap.
    ("sglang", "output_tok_s", "median", 20.0),
]


@pytest.mark.parametrize(("runtime", "metric", "stat", "limit"), TARGETS)
def test_cross_validated_error_meets_the_target(
    validation: dict[tuple[str, str], dict[str, Any]],
    runtime: str,
    metric: str,
    stat: str,
    limit: float,
) -> None:
    row = validation[(runtime, metric)]
    value = row["median_abs_pct"] if stat == "median" else row["p90_abs_pct"]
    assert value <= limit, row


APPLIES_FROM = {"ttft_ms": 10, "aggregate_decode_tok_s": 10, "output_tok_s": 10, "decode_tok_s": 1}
"""The issue's targets apply to TTFT and aggregate decode from 10 measurements of a runtime."""
SPREAD = {"llama-cpp", "vllm", "mlx-lm"}
"""Runtimes whose decode the issue holds to a median and a p90."""


def test_every_target_that_applies_is_listed(
    validation: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """A runtime that gains enough measurements of a metric gains its target here."""
    listed = {tuple(p.values[:3]) if hasattr(p, "values") else p[:3] for p in TARGETS}
    for (runtime, metric), row in validation.items():
        needs = APPLIES_FROM.get(metric)
        if (
            needs is None
            or row["n"] < needs
            or (metric == "decode_tok_s" and runtime not in SPREAD)
        ):
            continue
        assert (runtime, metric, "median") in listed, (runtime, metric, row["n"])
