"""``recommend`` on the shipped catalog: the named answers follow their rules everywhere, and
the questions readers ask get the answers a knowledgeable person would give."""

from __future__ import annotations

import pickle
from functools import cache
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import Config, config_for_combo, estimate
from site_builder.engine.estimate import prepare
from site_builder.engine.recommend import (
    IN_VRAM,
    Recommendation,
    candidates,
    passes_floor,
    precision_class,
    recommend,
    weakness_of,
)
from site_builder.engine.workloads import WORKLOADS

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "catalog")
LOOKUPS = prepare(CATALOG)


def fast(catalog: object, config: Config) -> object:
    return estimate(CATALOG, config, LOOKUPS)


@cache
def ask(combo: str, model: str, workload: str = "chat") -> Recommendation:
    base = config_for_combo(CATALOG, combo, model=model, quant="", runtime="")
    return recommend(CATALOG, base, workload, fast)  # type: ignore[arg-type]


def test_dual_4090_llama_70b_fastest_is_tensor_parallel_and_beats_the_layer_split() -> None:
    answers = ask("dual-rtx-4090", "llama-3.3-70b-instruct").answers
    fastest = answers["fastest"]
    assert fastest.estimate.split == "tensor"
    layer = [
        c.estimate.decode_tok_s or 0.0
        for c in ask("dual-rtx-4090", "llama-3.3-70b-instruct").candidates
        if c.config.runtime == "llama-cpp"
        and c.estimate.split == "layer"
        and c.estimate.verdict in IN_VRAM
        and passes_floor(CATALOG, c.config)
    ]
    assert (fastest.estimate.decode_tok_s or 0.0) > max(layer)
    assert answers["easiest"].config.runtime in ("ollama", "llama-cpp")


def test_mac_studio_llama_70b_fastest_is_4_bit_class_on_a_macos_runtime() -> None:
    fastest = ask("mac-studio-m2-ultra", "llama-3.3-70b-instruct").answers["fastest"]
    assert 4.0 <= precision_class(CATALOG, fastest.config) <= 5.0
    assert "metal" in CATALOG.runtimes[fastest.config.runtime].platforms
    assert fastest.config.quant not in ("BF16", "F16", "Q8_0")


def test_candidates_follow_the_platform_data() -> None:
    base = config_for_combo(CATALOG, "mac-studio-m2-ultra", model="qwen3-8b", quant="", runtime="")
    runtimes = {c.runtime for c in candidates(CATALOG, base)}
    assert "mlx-lm" in runtimes and "vllm" not in runtimes and "exllamav2" not in runtimes
    base = config_for_combo(CATALOG, "dual-rtx-4090", model="qwen3-8b", quant="", runtime="")
    assert "mlx-lm" not in {c.runtime for c in candidates(CATALOG, base)}


def test_workloads_rank_by_their_metric() -> None:
    batch = ask("dual-rtx-4090", "qwen3-30b-a3b", "batch").answers["fastest"]
    assert batch.config.concurrency == WORKLOADS["batch"].concurrency
    chat = ask("dual-rtx-4090", "qwen3-30b-a3b").answers["fastest"]
    assert chat.config.concurrency == 1
    assert (batch.estimate.aggregate_decode_tok_s or 0) >= (chat.estimate.decode_tok_s or 0)


@pytest.mark.parametrize(
    ("model", "refused"),
    [("gpt-oss-120b", True), ("deepseek-v3", True), ("llama-3.3-70b-instruct", False)],
)
def test_a_runtime_refuses_families_it_does_not_implement(model: str, refused: bool) -> None:
    config = config_for_combo(
        CATALOG, "dual-rtx-4090", model=model, quant="EXL2-4.0", runtime="exllamav2"
    )
    family = CATALOG.models[model].family
    result = estimate(CATALOG, config, LOOKUPS)
    said = f"ExLlamaV2 does not implement the {family} architecture" in result.reasons
    assert said == refused
    if refused:
        assert result.verdict == "unsupported"
        assert all(
            c.runtime != "exllamav2"
            for c in [a.config for a in ask("dual-rtx-4090", model).answers.values()]
        )


@pytest.mark.parametrize(
    ("combo", "model", "verdict", "weakness"),
    [
        # the catalog lists no GGUF or MLX checkpoint of DeepSeek-V3.2 and its own weights are
        # FP8, which no macOS runtime loads: the verdict names support, not size
        (
            "mac-studio-m3-ultra-512gb",
            "deepseek-v3.2",
            "unsupported",
            "not supported: no runtime on this hardware loads any published checkpoint of "
            "DeepSeek-V3.2 (671B)",
        ),
        ("single-rtx-3060", "deepseek-v3", "no-fit", "does not fit: "),
    ],
)
def test_when_nothing_runs_the_verdict_says_whether_it_is_size_or_support(
    combo: str, model: str, verdict: str, weakness: str
) -> None:
    found = ask(combo, model)
    assert found.headline is None
    assert found.verdict == verdict
    assert found.bare().verdict == verdict
    assert pickle.loads(pickle.dumps(found)).verdict == verdict
    assert weakness_of(found.headline, found.reason, found.verdict).startswith(weakness)


@pytest.mark.parametrize(
    ("combo", "model", "reason"),
    [
        # DeepSeek-V4-Flash's own MXFP4 release is all a runtime here loads: the need is that
        # file's, not the model's at any precision
        (
            "macbook-pro-m4-max-128gb",
            "deepseek-v4-flash",
            "card 1 (M4 Max, 40-core GPU, 128 GB): needs 144.7 GiB of 96.0 GiB; MXFP4 is the "
            "least precise quant a runtime here loads",
        ),
        # no GGUF below Q4_K_M of MiniMax-M2.5 in the catalog, where a 3-bit one might fit
        (
            "macbook-pro-m4-max-128gb",
            "minimax-m2.5",
            "card 1 (M4 Max, 40-core GPU, 128 GB): needs 129.9 GiB of 96.0 GiB; Q4_K_M is the "
            "least precise quant a runtime here loads",
        ),
        # its least precise published quant is the one that does not fit: nothing to add
        (
            "single-rtx-4090",
            "llama-3.1-405b-instruct",
            "card 1 (RTX 4090): needs 105.1 GiB of 24.0 GiB",
        ),
    ],
)
def test_a_need_for_memory_names_the_checkpoint_when_smaller_ones_are_missing(
    combo: str, model: str, reason: str
) -> None:
    assert ask(combo, model).reason == reason


@pytest.mark.parametrize(
    ("combo", "model", "setup"),
    [
        # the GGUF checkpoints of 2026 models: a 512 GB Mac Studio runs Qwen3.5 397B and
        # Qwen3-Coder 480B in llama.cpp, two RTX 3090s GLM-4.5-Air and Llama 4 Scout with
        # their experts partly in system RAM
        ("mac-studio-m3-ultra-512gb", "qwen3.5-397b-a17b", ("llama-cpp", "Q5_K_M")),
        ("mac-studio-m3-ultra-512gb", "qwen3-coder-480b-a35b-instruct", ("llama-cpp", "Q4_K_M")),
        ("dual-rtx-3090", "glm-4.5-air", ("llama-cpp", "Q4_K_M")),
        ("dual-rtx-3090", "llama-4-scout-17b-16e-instruct", ("llama-cpp", "Q4_K_M")),
    ],
)
def test_published_ggufs_of_large_models_run(
    combo: str, model: str, setup: tuple[str, str]
) -> None:
    found = ask(combo, model)
    top = found.headline  # the fastest in VRAM, else the fastest offload
    assert top is not None, found.reason
    assert (top.config.runtime, top.config.quant) == setup


@pytest.mark.parametrize(
    ("combo", "model", "quant", "verdict"),
    [
        # LM Studio runs an MLX checkpoint on its MLX engine, which keeps no layers in system
        # RAM: GLM-5 in MLX 4-bit (390.4 GiB) does not fit the 384 GiB a 512 GB Mac gives the GPU
        ("mac-studio-m3-ultra-512gb", "glm-5", "MLX-4BIT", "no-fit"),
        # on its llama.cpp engine a GGUF spills layers to RAM (GLM-4.5-Air in Q8_0 on 128 GB)
        ("macbook-pro-m4-max-128gb", "glm-4.5-air", "Q8_0", "offload"),
    ],
)
def test_lm_studio_offloads_only_gguf(combo: str, model: str, quant: str, verdict: str) -> None:
    base = config_for_combo(CATALOG, combo, model=model, quant=quant, runtime="lm-studio")
    assert fast(CATALOG, base).verdict == verdict  # type: ignore[attr-defined]


def test_a_model_that_runs_keeps_the_default_verdict() -> None:
    assert ask("dual-rtx-4090", "llama-3.3-70b-instruct").verdict == "no-fit"
