"""Data checks on the shipped spec catalog (gpus, interconnects, models, quants, runtimes).

These read only the five spec folders, so they hold even while combos/stacks/benchmarks are being
edited. They pin the IDs PRODUCT.md promises and a few sizes that follow from the catalog numbers.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from site_builder.catalog.yamlsafe import Document, parse
from site_builder.schema import KINDS

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
SPEC_KINDS = ("gpus", "interconnects", "models", "quants", "runtimes")

REQUIRED: dict[str, list[str]] = {
    "gpus": [
        "rtx-3070",
        "rtx-3080",
        "rtx-3080-ti",
        "rtx-3090",
        "rtx-3090-ti",
        "rtx-4070-ti",
        "rtx-4070-ti-super",
        "rtx-4080",
        "rtx-4090",
        "rtx-5070-ti",
        "rtx-5080",
        "rtx-5090",
        "rtx-a6000",
        "rtx-4000-ada",
        "rtx-5000-ada",
        "rtx-6000-ada",
        "a40",
        "l40s",
        "a100-40gb-pcie",
        "a100-80gb-pcie",
        "a100-80gb-sxm",
        "h100-pcie",
        "h100-sxm",
        "h200",
        "mi300x",
        "rx-7900-xtx",
        "apple-m1",
        "apple-m1-max",
        "apple-m2-ultra",
        "apple-m3-max",
        "apple-m4-max",
        "dgx-spark",
    ],
    "models": [
        "llama-3-8b",
        "llama-3-70b",
        "llama-3.1-8b-instruct",
        "llama-3.1-70b-instruct",
        "llama-3.3-70b-instruct",
        "llama-3.1-405b-instruct",
        "qwen2.5-7b-instruct",
        "qwen2.5-14b-instruct",
        "qwen2.5-32b-instruct",
        "qwen2.5-72b-instruct",
        "qwq-32b",
        "qwen3-8b",
        "qwen3-32b",
        "qwen3-30b-a3b",
        "qwen3-235b-a22b",
        "mixtral-8x7b-instruct",
        "mixtral-8x22b-instruct",
        "deepseek-r1-distill-llama-70b",
        "deepseek-r1-distill-qwen-32b",
        "gemma-3-27b-it",
        "mistral-small-24b-instruct",
        "phi-4",
        "gpt-oss-20b",
        "gpt-oss-120b",
        "deepseek-v3",
    ],
    "quants": [
        "F16",
        "BF16",
        "Q8_0",
        "Q6_K",
        "Q5_K_M",
        "Q5_K_S",
        "Q4_K_M",
        "Q4_K_S",
        "Q4_0",
        "Q3_K_M",
        "Q3_K_L",
        "Q2_K",
        "IQ4_XS",
        "IQ3_XXS",
        "IQ2_XXS",
        "IQ1_S",
        "AWQ-INT4",
        "GPTQ-INT4",
        "GPTQ-INT8",
        "FP8",
        "MXFP4",
        "EXL2-4.0",
        "NF4",
        "MLX-4BIT",
    ],
    "runtimes": [
        "llama-cpp",
        "vllm",
        "sglang",
        "exllamav2",
        "ollama",
        "tensorrt-llm",
        "lm-studio",
        "mlx-lm",
        "transformers",
    ],
    "interconnects": [
        "pcie-3.0-x8",
        "pcie-3.0-x16",
        "pcie-4.0-x4",
        "pcie-4.0-x8",
        "pcie-4.0-x16",
        "pcie-5.0-x8",
        "pcie-5.0-x16",
        "nvlink-3.0-bridge",
        "nvlink-a100",
        "nvlink-h100",
        "unified-memory",
    ],
}


@cache
def entities(kind: str) -> dict[str, Any]:
    """Validate every file of one spec folder on its own and return slug -> entity."""
    out: dict[str, Any] = {}
    for path in sorted((CATALOG / kind).glob("*.yaml")):
        document = parse(path.read_text(encoding="utf-8"))
        assert isinstance(document, Document), f"{path}: {document}"
        out[path.stem] = KINDS[kind].model_validate(document.data)
    return out


@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_every_product_id_exists(kind: str) -> None:
    missing = sorted(set(REQUIRED[kind]) - set(entities(kind)))
    assert not missing, f"{kind}: missing {missing}"


@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_files_start_with_schema_modeline(kind: str) -> None:
    for path in (CATALOG / kind).glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json", path


def _file_gb(model_id: str, quant_id: str) -> float:
    """Weights file size in decimal GB from catalog numbers (dense model, untied embeddings)."""
    model, quant = entities("models")[model_id], entities("quants")[quant_id]
    vocab_rows = model.vocab_size * model.hidden_size
    blocks = model.params_total_b * 1e9 - 2 * vocab_rows
    bits = blocks * quant.bits_per_weight + vocab_rows * (
        quant.embedding_bits_per_weight + quant.output_bits_per_weight
    )
    return float(bits / 8 / 1e9)


def test_llama_31_70b_q4_k_m_matches_derived_size() -> None:
    # shared/reference/quants.yaml: derived_llama31_70b_size_gb 42.51 (llama-quant.cpp rules)
    assert _file_gb("llama-3.1-70b-instruct", "Q4_K_M") == pytest.approx(42.51, rel=0.01)


def test_llama_31_8b_q4_k_m_matches_readme_size() -> None:
    # llama.cpp tools/quantize/README.md: Llama-3.1-8B Q4_K_M 4.58 GiB
    gib = _file_gb("llama-3.1-8b-instruct", "Q4_K_M") * 1e9 / 2**30
    assert gib == pytest.approx(4.58, rel=0.01)


def test_references_between_spec_kinds_resolve() -> None:
    links = entities("interconnects")
    for slug, gpu in entities("gpus").items():
        assert gpu.nvlink is None or gpu.nvlink in links, slug
    for slug, runtime in entities("runtimes").items():
        assert runtime.based_on is None or runtime.based_on in entities("runtimes"), slug
        assert runtime.default_split in runtime.split_modes, slug
    for slug, model in entities("models").items():
        assert model.base_model is None or model.base_model in entities("models"), slug


def test_gpu_figures_are_consistent() -> None:
    for slug, gpu in entities("gpus").items():
        assert gpu.unified_memory == (gpu.segment == "soc"), slug
        if gpu.architecture == "ampere":
            assert gpu.fp8_tflops is None, f"{slug}: Ampere has no FP8 tensor path"
        if gpu.fp16_acc16_tflops is not None:
            assert gpu.fp16_acc16_tflops >= gpu.fp16_tflops, slug
        if gpu.segment == "consumer" and gpu.vendor == "nvidia":
            assert gpu.fp16_acc16_tflops == pytest.approx(2 * gpu.fp16_tflops, rel=0.01), slug


def test_models_are_internally_consistent() -> None:
    for slug, model in entities("models").items():
        assert model.num_attention_heads % model.num_kv_heads == 0, slug
        assert model.sliding_window_layers <= model.num_layers, slug
        assert (model.moe is None) == (model.params_active_b is None), slug
        if model.params_active_b is not None:
            assert model.params_active_b < model.params_total_b, slug


def test_interconnect_bandwidth_is_per_direction() -> None:
    links = entities("interconnects")
    assert links["pcie-4.0-x16"].bandwidth_gb_s == pytest.approx(31.5)
    assert links["pcie-5.0-x16"].bandwidth_gb_s == pytest.approx(63.0)
    assert links["nvlink-3.0-bridge"].bandwidth_gb_s == pytest.approx(56.25)
    assert links["nvlink-a100"].bandwidth_gb_s == pytest.approx(300)
    assert links["nvlink-h100"].bandwidth_gb_s == pytest.approx(450)
