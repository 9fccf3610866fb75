"""The exact launch command of a configuration, per runtime (flags as each project documents).

llama.cpp: tools/server/README.md (``-m``, ``-ngl``, ``-c``, ``-sm``, ``-ts``, ``-fa``, ``-ctk``,
``-ctv``, ``-np``); vLLM: docs engine args (``--tensor-parallel-size``, ``--max-model-len``,
``--quantization``, ``--kv-cache-dtype``, ``--gpu-memory-utilization``); SGLang: server
arguments (``--tp``, ``--context-length``, ``--mem-fraction-static``); TensorRT-LLM:
``trtllm-serve`` (``--tp_size``, ``--max_seq_len``); ExLlamaV2: examples/chat.py (``-gs``,
``-l``, ``-cq4``/``-cq8``); Ollama: ``OLLAMA_CONTEXT_LENGTH``/``OLLAMA_NUM_PARALLEL`` and
``hf.co/`` GGUF pulls; MLX: ``mlx_lm.server``; LM Studio: ``lms load``.
"""

from __future__ import annotations

from typing import NamedTuple

from site_builder.schema import Model


class LaunchSpec(NamedTuple):
    """What a launch command depends on."""

    runtime: str
    model: Model
    quant: str
    quant_format: str
    split: str
    n_cards: int
    context: int
    kv_cache: str
    flash_attention: bool
    tensor_split: tuple[float, ...] | None
    concurrency: int
    gpu_layers: int | None
    """llama.cpp ``-ngl`` when layers are offloaded; None = all (99)."""
    pool_fraction: float


def repo_name(model: Model) -> str:
    """``meta-llama/Llama-3.3-70B-Instruct`` -> ``Llama-3.3-70B-Instruct``."""
    return model.hf_repo.split("/", 1)[1]


def gguf_file(model: Model, quant: str) -> str:
    """The conventional GGUF file name, e.g. ``Llama-3.3-70B-Instruct-Q4_K_M.gguf``."""
    return f"models/{repo_name(model)}-{quant}.gguf"


def checkpoint(model: Model, quant: str) -> str | None:
    """The catalog's published checkpoint repository for ``quant``, if it lists one."""
    return next((c.repo for c in model.checkpoints if c.quant == quant), None)


def served_repo(model: Model, quant: str, quant_format: str) -> str:
    """What a safetensors runtime loads: the quantized checkpoint, the published weights for
    16-bit, FP8 (quantized on load) and native MXFP4, or a named placeholder to fill in."""
    found = checkpoint(model, quant)
    if found is not None:
        return found
    if quant_format in ("float", "fp8", "nf4") or model.native_dtype == quant_format:
        return model.hf_repo
    return f"<{quant} checkpoint of {model.hf_repo}>"


def _gguf_source(model: Model, quant: str) -> list[str]:
    found = checkpoint(model, quant)
    return ["-hf", f"{found}:{quant}"] if found else ["-m", gguf_file(model, quant)]


def _ratio(values: tuple[float, ...]) -> str:
    return ",".join(f"{v:g}" for v in values)


def llama_cpp(spec: LaunchSpec) -> str:
    """``llama-server`` with all layers (or ``-ngl``) on the GPUs and the split mode."""
    ngl = spec.gpu_layers if spec.gpu_layers is not None else 99
    parts = ["llama-server", *_gguf_source(spec.model, spec.quant), "-ngl", str(ngl)]
    parts += ["-c", str(spec.context)]
    if spec.n_cards > 1:
        parts += ["--split-mode", "row" if spec.split == "tensor" else "layer"]
        if spec.tensor_split:
            parts += ["--tensor-split", _ratio(spec.tensor_split)]
    parts += ["-fa", "on" if spec.flash_attention else "off"]
    if spec.kv_cache != "f16":
        parts += ["-ctk", spec.kv_cache, "-ctv", spec.kv_cache]
    if spec.concurrency > 1:
        parts += ["-np", str(spec.concurrency)]
    return " ".join(parts)


def vllm(spec: LaunchSpec) -> str:
    """``vllm serve`` with the parallel layout, window, quantization and KV dtype."""
    parts = ["vllm", "serve", served_repo(spec.model, spec.quant, spec.quant_format)]
    if spec.n_cards > 1:
        flag = "--pipeline-parallel-size" if spec.split == "pipeline" else "--tensor-parallel-size"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts.append("--enable-expert-parallel")
    parts += ["--max-model-len", str(spec.context)]
    # AWQ/GPTQ/MXFP4 checkpoints declare their method and vLLM picks the fast (Marlin) kernel;
    # passing --quantization awq would force the slower one. FP8 and NF4 quantize on load.
    on_load = {"fp8": "fp8", "nf4": "bitsandbytes"}
    if spec.quant_format in on_load and checkpoint(spec.model, spec.quant) is None:
        parts += ["--quantization", on_load[spec.quant_format]]
    if spec.kv_cache == "fp8":
        parts += ["--kv-cache-dtype", "fp8"]
    parts += ["--gpu-memory-utilization", f"{spec.pool_fraction:g}"]
    if spec.concurrency > 1:
        parts += ["--max-num-seqs", str(spec.concurrency)]
    return " ".join(parts)


def sglang(spec: LaunchSpec) -> str:
    """``python -m sglang.launch_server``."""
    repo = served_repo(spec.model, spec.quant, spec.quant_format)
    parts = ["python", "-m", "sglang.launch_server", "--model-path", repo]
    if spec.n_cards > 1:
        flag = "--pp-size" if spec.split == "pipeline" else "--tp"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts += ["--ep-size", str(spec.n_cards)]
    parts += ["--context-length", str(spec.context)]
    if spec.quant_format == "fp8" and checkpoint(spec.model, spec.quant) is None:
        parts += ["--quantization", "fp8"]
    if spec.kv_cache == "fp8":
        parts += ["--kv-cache-dtype", "fp8_e5m2"]
    parts += ["--mem-fraction-static", f"{spec.pool_fraction:g}"]
    return " ".join(parts)


def tensorrt_llm(spec: LaunchSpec) -> str:
    """``trtllm-serve`` (PyTorch backend) with TP/PP size and sequence length."""
    parts = ["trtllm-serve", served_repo(spec.model, spec.quant, spec.quant_format)]
    if spec.n_cards > 1:
        flag = "--pp_size" if spec.split == "pipeline" else "--tp_size"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts += ["--ep_size", str(spec.n_cards)]
    parts += ["--max_seq_len", str(spec.context)]
    return " ".join(parts)


def exllamav2(spec: LaunchSpec) -> str:
    """ExLlamaV2's chat example with an EXL2 folder, auto split or TP, window and cache mode."""
    bpw = spec.quant.removeprefix("EXL2-")
    folder = f"models/{repo_name(spec.model)}-exl2-{bpw}bpw"
    mode = _chat_mode(spec.model)
    parts = ["python", "examples/chat.py", "-m", folder, "-mode", mode, "-l", str(spec.context)]
    if spec.n_cards > 1:
        parts += ["-tp"] if spec.split == "tensor" else ["-gs", "auto"]
    cache = {"q8_0": "-cq8", "q4_0": "-cq4"}
    if spec.kv_cache in cache:
        parts.append(cache[spec.kv_cache])
    return " ".join(parts)


def _chat_mode(model: Model) -> str:
    """ExLlamaV2 chat.py prompt format: Llama 3 chat tokens, Gemma's, or ChatML (Qwen, Phi)."""
    if model.family.startswith("Llama 3"):
        return "llama3"
    if model.family.startswith("Gemma"):
        return "gemma"
    return "chatml"


def ollama(spec: LaunchSpec) -> str:
    """Ollama with the window and parallel slots set for the server, pulling the GGUF."""
    env = [f"OLLAMA_CONTEXT_LENGTH={spec.context}", f"OLLAMA_NUM_PARALLEL={spec.concurrency}"]
    if spec.flash_attention:
        env.append("OLLAMA_FLASH_ATTENTION=1")
    if spec.kv_cache != "f16":
        env.append(f"OLLAMA_KV_CACHE_TYPE={spec.kv_cache}")
    repo = checkpoint(spec.model, spec.quant) or f"<GGUF repo of {spec.model.hf_repo}>"
    tag = f"hf.co/{repo}:{spec.quant}"
    return " ".join([*env, "ollama", "serve", "&", "ollama", "run", tag])


def mlx_lm(spec: LaunchSpec) -> str:
    """``mlx_lm.server`` with an mlx-community conversion."""
    suffix = "4bit" if spec.quant_format == "mlx" else "bf16"
    return f"mlx_lm.server --model mlx-community/{repo_name(spec.model)}-{suffix}"


def lm_studio(spec: LaunchSpec) -> str:
    """``lms load`` with full GPU offload and the window."""
    return f"lms load {spec.model.hf_repo} --gpu max --context-length {spec.context}"


def transformers(spec: LaunchSpec) -> str:
    """``transformers serve`` (device_map auto spreads layers over the cards)."""
    return f"transformers serve --force-model {spec.model.hf_repo} --device auto"


COMMANDS = {
    "llama-cpp": llama_cpp,
    "vllm": vllm,
    "sglang": sglang,
    "tensorrt-llm": tensorrt_llm,
    "exllamav2": exllamav2,
    "ollama": ollama,
    "mlx-lm": mlx_lm,
    "lm-studio": lm_studio,
    "transformers": transformers,
}


def command(spec: LaunchSpec) -> str:
    """The launch command for ``spec.runtime`` (llama.cpp's for unknown runtimes built on it)."""
    return COMMANDS.get(spec.runtime, llama_cpp)(spec)
