"""Runtimes that have a card's back-end but not the card: vLLM needs CUDA compute capability
7.0+ (no Pascal) and lists the AMD targets of its ROCm build (no MI50)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import estimate
from site_builder.engine.support import hardware_problems
from tests.engine.conftest import config

ROOT = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(ROOT)


def test_compute_capability_below_the_minimum_is_refused(catalog: Catalog) -> None:
    vllm = catalog.runtimes["vllm"].model_copy(update={"min_compute_capability": "7.0"})
    pascal = catalog.gpus["rtx-3090"].model_copy(
        update={"name": "NVIDIA Tesla P40", "compute_capability": "6.1"}
    )
    ampere = catalog.gpus["rtx-3090"].model_copy(update={"compute_capability": "8.6"})
    assert hardware_problems(vllm, (pascal, pascal)) == [
        "vLLM needs CUDA compute capability 7.0 or newer; the Tesla P40 has 6.1"
    ]
    assert hardware_problems(vllm, (ampere,)) == []
    # "10.0" sorts after "7.0" as a version, not as text
    blackwell = ampere.model_copy(update={"compute_capability": "10.0"})
    assert hardware_problems(vllm, (blackwell,)) == []
    # no stated minimum, or no stated capability: nothing is refused
    assert hardware_problems(catalog.runtimes["llama-cpp"], (pascal,)) == []
    unknown = catalog.gpus["rtx-3090"].model_copy(update={"compute_capability": None})
    assert hardware_problems(vllm, (unknown,)) == []


def test_rocm_targets_outside_the_list_are_refused(catalog: Catalog) -> None:
    vllm = catalog.runtimes["vllm"].model_copy(update={"rocm_gfx_targets": ["gfx942", "gfx1100"]})
    mi50 = catalog.gpus["mi300x"].model_copy(
        update={"name": "AMD Instinct MI50 32GB", "gfx_target": "gfx906"}
    )
    mi300 = catalog.gpus["mi300x"].model_copy(update={"gfx_target": "gfx942"})
    assert hardware_problems(vllm, (mi50,)) == [
        "vLLM's ROCm build does not support the MI50 32GB (gfx906)"
    ]
    assert hardware_problems(vllm, (mi300,)) == []


def test_shipped_vllm_refuses_pascal_but_llama_cpp_runs_it(shipped: Catalog) -> None:
    if "tesla-p40" not in shipped.gpus:
        pytest.skip("no Pascal card in the catalog")
    assert shipped.gpus["tesla-p40"].compute_capability == "6.1"
    model = "llama-3.1-8b-instruct"
    refused = estimate(shipped, config("tesla-p40", model, "AWQ-INT4", "vllm"))
    assert refused.verdict == "unsupported"
    assert any("compute capability 7.0" in r for r in refused.reasons), refused.reasons
    runs = estimate(shipped, config("tesla-p40", model, "Q4_K_M", "llama-cpp"))
    assert runs.verdict != "unsupported", runs.reasons
