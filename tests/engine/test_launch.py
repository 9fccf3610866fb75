"""Launch commands: real flags of each runtime (llama-server, vllm serve, sglang, ...)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import Ask

L33 = "llama-3.3-70b-instruct"


@pytest.mark.parametrize(
    ("gpus", "quant", "runtime", "kwargs", "parts"),
    [
        (
            "rtx-4090:2",
            "Q4_K_M",
            "llama-cpp",
            {},
            [
                "llama-server -m models/Llama-3.3-70B-Instruct-Q4_K_M.gguf",
                "-ngl 99",
                "-c 8192",
                "--split-mode layer",
            ],
        ),
        (
            "rtx-3090:2",
            "Q4_K_M",
            "llama-cpp",
            {"split": "tensor", "kv_cache": "q8_0", "context_tokens": 16384},
            ["--split-mode row", "-c 16384", "-ctk q8_0 -ctv q8_0", "-fa on"],
        ),
        (
            "rtx-5090+rtx-3090",
            "Q4_K_M",
            "llama-cpp",
            {},
            ["--split-mode layer", "--tensor-split 32,24"],
        ),
        ("rtx-4090", "Q4_K_M", "llama-cpp", {}, ["-ngl 4"]),  # offload: fewer layers than 80
        (
            "rtx-4090:2",
            "AWQ-INT4",
            "vllm",
            {},
            [
                "vllm serve casperhansen/llama-3.3-70b-instruct-awq",
                "--tensor-parallel-size 2",
                "--max-model-len 8192",
                "--gpu-memory-utilization 0.9",
            ],
        ),
        (
            "rtx-4090:2",
            "AWQ-INT4",
            "vllm",
            {"split": "pipeline", "kv_cache": "fp8", "concurrency": 8},
            ["--pipeline-parallel-size 2", "--kv-cache-dtype fp8", "--max-num-seqs 8"],
        ),
        (
            "h100-pcie:2",
            "FP8",
            "sglang",
            {},
            [
                "python -m sglang.launch_server --model-path meta-llama/Llama-3.3-70B-Instruct",
                "--tp 2",
                "--quantization fp8",
            ],
        ),
        (
            "h100-pcie:2",
            "FP8",
            "tensorrt-llm",
            {},
            ["trtllm-serve meta-llama/Llama-3.3-70B-Instruct", "--tp_size 2", "--max_seq_len 8192"],
        ),
        (
            "rtx-3090:2",
            "EXL2-4.0",
            "exllamav2",
            {},
            ["-m models/Llama-3.3-70B-Instruct-exl2-4.0bpw", "-gs auto", "-l 8192"],
        ),
    ],
)
def test_launch_commands(
    ask: Ask, gpus: str, quant: str, runtime: str, kwargs: dict[str, object], parts: list[str]
) -> None:
    command = ask(gpus, L33, quant, runtime, **kwargs).launch_command
    for part in parts:
        if part == "-ngl 4":
            ngl = int(command.split("-ngl ")[1].split()[0])
            assert 0 < ngl < 80
        else:
            assert part in command, command


def test_single_card_has_no_split_flags(ask: Ask) -> None:
    command = ask("rtx-4090", "llama-3.1-8b-instruct", "Q4_K_M", "llama-cpp").launch_command
    assert "--split-mode" not in command and "-ngl 99" in command
    vllm = ask("rtx-4090", "llama-3.1-8b-instruct", "AWQ-INT4", "vllm").launch_command
    assert "--tensor-parallel-size" not in vllm


def test_ollama_sets_window_and_slots(ask: Ask) -> None:
    command = ask(
        "rtx-4090", "llama-3.1-8b-instruct", "Q4_K_M", "ollama", concurrency=2, context_tokens=16384
    ).launch_command
    assert "OLLAMA_CONTEXT_LENGTH=16384" in command and "OLLAMA_NUM_PARALLEL=2" in command
    assert "ollama run hf.co/" in command and command.endswith(":Q4_K_M")


def test_awq_without_a_published_checkpoint_names_the_gap(ask: Ask) -> None:
    """vLLM detects AWQ from the checkpoint; without one in the catalog the command says so."""
    command = ask("rtx-4090:2", "qwen2.5-72b-instruct", "AWQ-INT4", "vllm").launch_command
    assert command.startswith("vllm serve <AWQ-INT4 checkpoint of Qwen/Qwen2.5-72B-Instruct>")
    assert "--quantization" not in command


def test_gguf_checkpoint_is_pulled_with_hf_flag(ask: Ask) -> None:
    command = ask("rtx-4090", "qwen3-32b", "Q4_K_M", "llama-cpp").launch_command
    assert command.startswith("llama-server -hf ggml-org/Qwen3-32B-GGUF:Q4_K_M -ngl 99")


def test_exllamav2_uses_the_model_family_prompt_format(ask: Ask) -> None:
    llama = ask("rtx-4090", "llama-3.1-8b-instruct", "EXL2-4.0", "exllamav2").launch_command
    qwen = ask("rtx-4090", "qwen3-8b", "EXL2-4.0", "exllamav2").launch_command
    assert "-mode llama3" in llama and "-mode chatml" in qwen
