"""Launch commands: real flags of each runtime (llama-server, vllm serve, sglang, ...), loading only
published checkpoints (GGUF repositories, AWQ/GPTQ/FP8/EXL2/MLX repositories, Ollama tags)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import Ask

L33 = "llama-3.3-70b-instruct"


@pytest.mark.parametrize(
    ("gpus", "model", "quant", "runtime", "command"),
    [
        (
            "rtx-4090:2",
            L33,
            "AWQ-INT4",
            "vllm",
            "vllm serve casperhansen/llama-3.3-70b-instruct-awq --tensor-parallel-size 2 "
            "--max-model-len 8192 --gpu-memory-utilization 0.9",
        ),
        (
            "rtx-4090:2",
            L33,
            "Q4_K_M",
            "ollama",
            "OLLAMA_CONTEXT_LENGTH=8192 OLLAMA_NUM_PARALLEL=1 ollama serve & "
            "ollama run llama3.3:70b",
        ),
        (
            "rtx-4090:2",
            L33,
            "Q4_K_M",
            "llama-cpp",
            "llama-server -hf bartowski/Llama-3.3-70B-Instruct-GGUF:Q4_K_M -ngl 99 -c 8192 "
            "--split-mode layer -fa on",
        ),
        (
            "apple-m2-ultra",
            L33,
            "MLX-4BIT",
            "mlx-lm",
            "mlx_lm.server --model mlx-community/Llama-3.3-70B-Instruct-4bit",
        ),
        (
            "apple-m2-ultra",
            L33,
            "MLX-4BIT",
            "lm-studio",
            "lms get https://huggingface.co/mlx-community/Llama-3.3-70B-Instruct-4bit --yes && "
            "lms load mlx-community/Llama-3.3-70B-Instruct-4bit --gpu max --context-length 8192 "
            "--yes",
        ),
        (
            "rtx-4090",
            "qwen3-8b",
            "Q4_K_M",
            "lm-studio",
            "lms get https://huggingface.co/Qwen/Qwen3-8B-GGUF@Q4_K_M --yes && "
            "lms load Qwen/Qwen3-8B-GGUF/Q4_K_M --gpu max --context-length 8192 --yes",
        ),
        (
            "rtx-4090",
            "llama-3.1-8b-instruct",
            "Q5_K_M",
            "ollama",
            "OLLAMA_CONTEXT_LENGTH=8192 OLLAMA_NUM_PARALLEL=1 ollama serve & "
            "ollama run hf.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q5_K_M",
        ),
        (
            "rtx-4090",
            "gpt-oss-20b",
            "MXFP4",
            "llama-cpp",
            "llama-server -hf ggml-org/gpt-oss-20b-GGUF:MXFP4 -ngl 99 -c 8192 -fa on",
        ),
        (
            "rtx-4090",
            "llama-3-8b",
            "F16",
            "llama-cpp",
            "hf download meta-llama/Meta-Llama-3-8B --local-dir models/Meta-Llama-3-8B && "
            "python convert_hf_to_gguf.py models/Meta-Llama-3-8B --outtype f16 "
            "--outfile models/Meta-Llama-3-8B-F16.gguf && "
            "llama-server -m models/Meta-Llama-3-8B-F16.gguf -ngl 99 -c 8192 -fa on",
        ),
        (
            "rtx-3090:2",
            "llama-3.1-70b-instruct",
            "EXL2-4.0",
            "exllamav2",
            "hf download turboderp/Llama-3.1-70B-Instruct-exl2 --revision 4.0bpw "
            "--local-dir models/Llama-3.1-70B-Instruct-exl2-4.0bpw && python examples/chat.py "
            "-m models/Llama-3.1-70B-Instruct-exl2-4.0bpw -mode llama3 -l 8192 -gs auto",
        ),
        (
            "h100-pcie:2",
            L33,
            "FP8",
            "tensorrt-llm",
            "trtllm-serve nvidia/Llama-3.3-70B-Instruct-FP8 --tp_size 2 --max_seq_len 8192",
        ),
        (
            "h100-pcie:2",
            "qwen2.5-72b-instruct",
            "FP8",
            "sglang",
            "python -m sglang.launch_server --model-path Qwen/Qwen2.5-72B-Instruct --tp 2 "
            "--context-length 8192 --quantization fp8 --mem-fraction-static 0.88",
        ),
        (
            "rtx-4090",
            "llama-3.1-8b-instruct",
            "NF4",
            "vllm",
            "vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192 "
            "--quantization bitsandbytes --gpu-memory-utilization 0.9",
        ),
    ],
)
def test_exact_launch_commands(
    ask: Ask, gpus: str, model: str, quant: str, runtime: str, command: str
) -> None:
    assert ask(gpus, model, quant, runtime).launch_command == command


@pytest.mark.parametrize(
    ("gpus", "quant", "runtime", "kwargs", "parts"),
    [
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
            {"split": "pipeline", "kv_cache": "fp8", "concurrency": 8},
            ["--pipeline-parallel-size 2", "--kv-cache-dtype fp8", "--max-num-seqs 8"],
        ),
        (
            "h100-pcie:2",
            "FP8",
            "sglang",
            {},
            ["--model-path nvidia/Llama-3.3-70B-Instruct-FP8", "--tp 2"],
        ),
    ],
)
def test_launch_flags(
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


def test_a_checkpoint_is_preferred_to_quantizing_on_load(ask: Ask) -> None:
    """A published FP8 checkpoint declares its method: no --quantization flag."""
    command = ask("rtx-4090:2", "qwen3-30b-a3b", "FP8", "vllm", split="expert").launch_command
    assert command.startswith("vllm serve Qwen/Qwen3-30B-A3B-FP8 ")
    assert "--quantization" not in command


def test_awq_without_a_published_checkpoint_is_not_offered(ask: Ask) -> None:
    """vLLM detects AWQ from the checkpoint; without a published one the quant is unsupported
    and no command is printed (never a placeholder)."""
    est = ask("rtx-4090:2", "gemma-3-27b-it", "AWQ-INT4", "vllm")
    assert est.verdict == "unsupported" and est.launch_command == ""
    assert est.reasons == ("no published AWQ-INT4 checkpoint of Gemma 3 27B IT for vLLM",)


def test_ollama_cannot_pull_a_split_gguf(ask: Ask) -> None:
    """No library tag for Q5_K_M and bartowski's 70B Q5_K_M is split: not offered on Ollama,
    while llama.cpp pulls the split files with -hf."""
    est = ask("rtx-4090:2", L33, "Q5_K_M", "ollama")
    assert est.verdict == "unsupported" and est.launch_command == ""
    assert "split into several files" in est.reasons[0]
    llama = ask("rtx-4090:2", L33, "Q5_K_M", "llama-cpp").launch_command
    assert llama.startswith("llama-server -hf bartowski/Llama-3.3-70B-Instruct-GGUF:Q5_K_M ")


def test_gguf_checkpoint_is_pulled_with_hf_flag(ask: Ask) -> None:
    """The first GGUF repository that publishes the quant wins (Qwen's own, then bartowski's)."""
    command = ask("rtx-4090", "qwen3-32b", "Q4_K_M", "llama-cpp").launch_command
    assert command.startswith("llama-server -hf Qwen/Qwen3-32B-GGUF:Q4_K_M -ngl 99")
    smaller = ask("rtx-4090", "qwen3-32b", "Q2_K", "llama-cpp").launch_command
    assert smaller.startswith("llama-server -hf bartowski/Qwen_Qwen3-32B-GGUF:Q2_K -ngl 99")


def test_exllamav2_uses_the_model_family_prompt_format(ask: Ask) -> None:
    llama = ask("rtx-4090", "llama-3.1-8b-instruct", "EXL2-4.0", "exllamav2").launch_command
    qwen = ask("rtx-4090", "qwen3-8b", "BF16", "exllamav2").launch_command
    assert "-mode llama3" in llama and "-mode chatml" in qwen
    assert "hf download Qwen/Qwen3-8B --local-dir models/Qwen3-8B &&" in qwen
