"""Old cards and the kernels that run on them: llama.cpp (b6451, the catalog's build) replays a
decode step as one CUDA graph only from Ampere on, so older cards launch every kernel of the step
on their own (``decode.launches_s``); and kernels that compute in FP16 (ExLlamaV2) run at a
Pascal GP102's 1/64-rate FP16. Each pinned to a measured Pascal run. On the shipped catalog: the
engine tests' fixture snapshot has no Pascal or Volta card."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import estimate
from site_builder.engine.calibration import LLAMA_CPP_CUDA
from site_builder.engine.decode import SpeedInputs, launches_s
from site_builder.engine.links import Link
from site_builder.engine.shapes import shape_of
from site_builder.engine.support import cuda_graphs
from tests.engine.conftest import config

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(CATALOG)


def test_a_step_without_cuda_graphs_pays_each_kernel_launch(shipped: Catalog) -> None:
    """gpt-oss-20b: 24 MoE layers x 30 kernels x 4 us = 2.88 ms per decode step."""
    shape = shape_of(shipped.models["gpt-oss-20b"], shipped.quants["MXFP4"])
    link = Link("single", 0.0)
    sp = SpeedInputs(shape, LLAMA_CPP_CUDA, link, False, True, 60.0, (10.0,), 512, False)
    assert launches_s(sp) == pytest.approx(24 * 30 * 4e-6)


@pytest.mark.parametrize(
    ("gpus", "runtime", "graphs"),
    [
        ("tesla-p100-16gb", "llama-cpp", False),  # Pascal, 6.0
        ("v100-16gb-pcie", "ollama", False),  # Volta: graphs only from PR 25749, after b6451
        ("rtx-3090", "llama-cpp", True),  # Ampere
        ("rtx-4090+tesla-p40", "llama-cpp", False),  # one old card turns them off
        ("v100-16gb-pcie", "vllm", True),  # no limit recorded for vLLM
        ("apple-m4-max", "llama-cpp", True),  # not a CUDA card
    ],
)
def test_cuda_graphs_follow_the_runtime_threshold(
    shipped: Catalog, gpus: str, runtime: str, graphs: bool
) -> None:
    cards = tuple(shipped.gpus[slug] for slug in gpus.split("+"))
    assert cuda_graphs(shipped.runtimes[runtime], cards) is graphs


def test_moe_decode_on_pascal_matches_its_measurement(shipped: Catalog) -> None:
    """llama.cpp b9234 on one Tesla P100 16GB, gpt-oss-20b MXFP4, tg128 from an empty cache:
    68.64 tok/s (kyuz0/nvidia-p100-ai-toolboxes @74ff2e5, the catalog's
    llamacpp-kyuz0-nvidia-p100-74ff2e5-1x-tesla-p100-16gb-gpt-oss-20b-mxfp4). Without the
    launch cost the physical model gave 113 tok/s (+65 %); the published figure is within
    15 % now."""
    found = config(
        "tesla-p100-16gb", "gpt-oss-20b", "MXFP4", "llama-cpp", prompt_tokens=0, gen_tokens=128
    )
    est = estimate(shipped, found)
    assert est.decode_tok_s == pytest.approx(68.64, rel=0.15)


def test_the_estimate_says_when_it_charges_launches(shipped: Catalog) -> None:
    note = (
        "no CUDA graphs on cards older than compute capability 8.0: "
        "every kernel launched on its own"
    )
    old = estimate(shipped, config("tesla-p40", "llama-3.1-8b-instruct", "Q4_K_M", "llama-cpp"))
    new = estimate(shipped, config("rtx-3090", "llama-3.1-8b-instruct", "Q4_K_M", "llama-cpp"))
    assert note in old.assumptions
    assert note not in new.assumptions


def test_half_precision_kernels_run_at_the_cards_fp16_rate(shipped: Catalog) -> None:
    """ExLlamaV2 computes in FP16, which a Tesla P40 (GP102) runs at 1/64 of its FP32 rate, so
    decode is bound by arithmetic: CodeLlama-34B at 4.0 bpw measured 1.19 tok/s
    (turboderp-org/exllamav2 issue 40, 2023-09-17). The catalog has no CodeLlama-34B: a 32.8B
    model at 4 bits, scaled by active parameters (33.7 / 32.8), stands in, within 15 %; llama.cpp
    (FP32 and INT8 kernels) on the same card is many times faster."""
    exl = estimate(shipped, config("tesla-p40", "qwen2.5-32b-instruct", "GPTQ-INT4", "exllamav2"))
    assert exl.decode_tok_s is not None
    assert exl.decode_tok_s == pytest.approx(1.19 * 33.7 / 32.8, rel=0.15)
    gguf = estimate(shipped, config("tesla-p40", "qwen2.5-32b-instruct", "Q4_K_M", "llama-cpp"))
    assert gguf.decode_tok_s is not None and gguf.decode_tok_s > 5 * exl.decode_tok_s
