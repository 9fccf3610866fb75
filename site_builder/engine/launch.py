"""The exact launch command of a configuration, per runtime (flags as each project documents),
loading only published checkpoints (``Model.checkpoints``, ``Model.ollama_tags``).

llama.cpp: tools/server/README.md (``-hf repo:QUANT``, ``-m``, ``-ngl``, ``-c``, ``-sm``, ``-ts``,
``-fa``, ``-ctk``, ``-ctv``, ``-np``) and ``convert_hf_to_gguf.py --outtype``; vLLM: docs engine
args (``--tensor-parallel-size``, ``--max-model-len``, ``--quantization``, ``--kv-cache-dtype``,
``--gpu-memory-utilization``, ``--revision``); SGLang: server arguments (``--tp``,
``--context-length``, ``--mem-fraction-static``); TensorRT-LLM: ``trtllm-serve`` (``--tp_size``,
``--max_seq_len``); ExLlamaV2: examples/chat.py (``-gs``, ``-l``, ``-cq4``/``-cq8``) after
``hf download --revision``; Ollama: ``OLLAMA_CONTEXT_LENGTH``/``OLLAMA_NUM_PARALLEL``, library
tags and ``hf.co/repo:QUANT`` GGUF pulls (docs/import, Hugging Face "Use Ollama with any GGUF");
MLX: ``mlx_lm.server --model``; LM Studio: ``lms get <url>@QUANT`` and ``lms load``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from site_builder.engine.memory import LLAMA_NBATCH
from site_builder.schema import Model
from site_builder.schema.model import Checkpoint


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
    source: Source | None
    """What the runtime loads (:func:`source`); None: nothing published fits."""
    machines: int = 1
    """Machines the model spans (their cards are counted in ``n_cards``)."""
    cpu_moe_layers: int = 0
    """llama.cpp ``--n-cpu-moe N``: layers whose routed experts stay in system RAM."""
    ubatch: int | None = None
    """llama.cpp ``-ub N`` (prompt tokens a pass); None = its default."""


LLAMA_FAMILY = ("llama-cpp", "ollama", "lm-studio")
"""Runtimes that load GGUF files (llama.cpp and the runtimes built on it)."""

QUANTIZE_ON_LOAD = {"vllm": ("fp8", "nf4"), "sglang": ("fp8",)}
"""Formats a runtime produces from the published 16-bit weights while loading them (vLLM
``--quantization fp8`` / ``bitsandbytes``, SGLang ``--quantization fp8``)."""

SourceKind = Literal["gguf", "weights", "convert", "ollama"]


class Source(NamedTuple):
    """What a launch command loads."""

    kind: SourceKind
    """``gguf``: a GGUF repository; ``weights``: a safetensors repository; ``convert``: the
    published 16-bit weights, converted to GGUF by llama.cpp's converter; ``ollama``: a tag of
    the Ollama library."""
    repo: str
    """Hugging Face repository (the Ollama tag for ``ollama``)."""
    tag: str | None = None
    """GGUF quant tag (``-hf repo:TAG``); None for other sources."""
    revision: str | None = None
    """Branch of the repository, when not the default one."""
    on_load: bool = False
    """The runtime quantizes the published weights while loading them."""


def repo_name(repo: str) -> str:
    """``meta-llama/Llama-3.3-70B-Instruct`` -> ``Llama-3.3-70B-Instruct``."""
    return repo.split("/", 1)[1]


RELEASED_FORMAT = {"mxfp4-fp8": "mxfp4"}
"""The quant format a mixed-precision release loads as, when it is not the dtype's own name:
DeepSeek-V4's MXFP4 experts and FP8 rest run as MXFP4 (vLLM and SGLang read the published
checkpoint). Kimi K2.6's INT4 experts (``int4-bf16``) are listed as a checkpoint instead."""


def native(model: Model, quant_format: str) -> bool:
    """The published weights are already in ``quant_format`` (16-bit, FP8 or MXFP4)."""
    if quant_format == "float":
        return model.native_dtype in ("bf16", "fp16")
    return RELEASED_FORMAT.get(model.native_dtype, model.native_dtype) == quant_format


def quantizes_on_load(runtime: str, model: Model, quant_format: str) -> bool:
    """``runtime`` produces ``quant_format`` from the published weights while loading them:
    only from 16-bit weights (vLLM ``--quantization fp8``/``bitsandbytes`` and SGLang
    ``--quantization fp8`` quantize BF16/FP16 checkpoints; an FP8, MXFP4 or INT4 release
    already carries its own quantization)."""
    return quant_format in QUANTIZE_ON_LOAD.get(runtime, ()) and native(model, "float")


def checkpoint(model: Model, quant: str, file_format: str = "safetensors") -> Checkpoint | None:
    """The catalog's first published checkpoint of ``quant`` in ``file_format``, if any."""
    return next((c for c in model.checkpoints if c.format == file_format and c.covers(quant)), None)


def _gguf(found: Checkpoint, quant: str) -> Source:
    """The GGUF repository and its quant tag, always named: the catalog lists the quants its
    sources confirm, so a repository listed with one may hold others (ggml-org's Qwen3.8 27B
    repository, listed with Q8_0, where a bare ``-hf`` would fetch its default file)."""
    return Source("gguf", found.repo, quant)


def source(runtime: str, model: Model, quant: str, quant_format: str) -> Source | None:
    """What ``runtime`` loads for ``quant``: a published checkpoint (an Ollama library tag, a GGUF
    repository, a safetensors repository), the published weights when they already are in that
    format or the runtime produces it while loading (FP8, NF4) or converts them itself (llama.cpp
    16-bit GGUF), or None when nothing published fits."""
    gguf = checkpoint(model, quant, "gguf")
    if runtime == "ollama":
        tag = model.ollama_tags.get(quant)
        if tag is not None:
            return Source("ollama", tag)
        return _gguf(gguf, quant) if gguf and quant not in gguf.split_quants else None
    if runtime in LLAMA_FAMILY or runtime not in COMMANDS:
        if runtime == "lm-studio" and quant_format == "mlx":
            found = checkpoint(model, quant)
            return Source("weights", found.repo, revision=found.revision) if found else None
        if gguf is not None:
            return _gguf(gguf, quant)
        if runtime != "lm-studio" and quant_format == "float" and native(model, quant_format):
            return Source("convert", model.hf_repo)
        return None
    if runtime == "mlx-lm" and quant_format == "mxfp4":
        # MLX LM dequantizes the original MXFP4 experts to 16 bits while loading: it runs
        # MXFP4 only from an MLX conversion (mlx_lm/models/gpt_oss.py, sanitize).
        mlx = checkpoint(model, quant, "mlx")
        return Source("weights", mlx.repo, revision=mlx.revision) if mlx else None
    found = checkpoint(model, quant)
    if found is not None:
        return Source("weights", found.repo, revision=found.revision)
    if native(model, quant_format):
        return Source("weights", model.hf_repo)
    if quantizes_on_load(runtime, model, quant_format):
        return Source("weights", model.hf_repo, on_load=True)
    return None


def missing_checkpoint(
    runtime: str, runtime_name: str, model: Model, quant: str, found: Source | None
) -> str | None:
    """Why ``runtime`` is not offered ``quant`` of ``model`` when ``found`` (its
    :func:`source`) is None (nothing published that it loads), in reader language; None when it
    has something to load."""
    if found is not None:
        return None
    gguf = checkpoint(model, quant, "gguf")
    if runtime == "ollama" and gguf is not None:
        return (
            f"Ollama's library has no {quant} tag of {model.name}, and the published {quant} "
            f"GGUF ({gguf.repo}) is split into several files, which Ollama cannot pull"
        )
    return f"no published {quant} checkpoint of {model.name} for {runtime_name}"


def _ratio(values: tuple[float, ...]) -> str:
    return ",".join(f"{v:g}" for v in values)


def _download(src: Source, folder: str) -> str:
    """``hf download`` of a repository (and branch) into ``folder``."""
    revision = f" --revision {src.revision}" if src.revision else ""
    return f"hf download {src.repo}{revision} --local-dir {folder}"


def _gguf_ref(src: Source) -> str:
    """``repo:QUANT`` as llama.cpp's ``-hf`` and Ollama's ``hf.co/`` take it."""
    return f"{src.repo}:{src.tag}" if src.tag else src.repo


def llama_cpp(spec: LaunchSpec) -> str:
    """``llama-server`` pulling the GGUF with ``-hf repo:QUANT`` (16-bit weights without a
    published GGUF are converted with llama.cpp's ``convert_hf_to_gguf.py`` first), all layers
    (or ``-ngl``) on the GPUs, the routed experts of the first N layers in system RAM
    (``--n-cpu-moe N``) when they are offloaded, and the split mode."""
    src = spec.source
    if src is None:
        return ""
    prefix = ""
    if src.kind == "convert":
        folder = f"models/{repo_name(src.repo)}"
        gguf = f"{folder}-{spec.quant}.gguf"
        prefix = (
            f"{_download(src, folder)} && python convert_hf_to_gguf.py {folder} "
            f"--outtype {spec.quant.lower()} --outfile {gguf} && "
        )
        model = ["-m", gguf]
    else:
        model = ["-hf", _gguf_ref(src)]
    ngl = spec.gpu_layers if spec.gpu_layers is not None else 99
    parts = ["llama-server", *model, "-ngl", str(ngl)]
    if spec.cpu_moe_layers:
        parts += ["--n-cpu-moe", str(spec.cpu_moe_layers)]
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
    if spec.ubatch and spec.ubatch > LLAMA_NBATCH:
        parts += ["-b", str(spec.ubatch)]  # a pass never holds more than the logical batch
    if spec.ubatch:
        parts += ["-ub", str(spec.ubatch)]
    return prefix + " ".join(parts)


def _repo_arg(src: Source) -> list[str]:
    """The repository, and its branch for runtimes that take ``--revision``."""
    return [src.repo, "--revision", src.revision] if src.revision else [src.repo]


def vllm(spec: LaunchSpec) -> str:
    """``vllm serve`` with the parallel layout, window, quantization and KV dtype."""
    src = spec.source
    if src is None:
        return ""
    parts = ["vllm", "serve", *_repo_arg(src)]
    if spec.n_cards > 1:
        flag = "--pipeline-parallel-size" if spec.split == "pipeline" else "--tensor-parallel-size"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts.append("--enable-expert-parallel")
    parts += ["--max-model-len", str(spec.context)]
    # AWQ/GPTQ/FP8/MXFP4 checkpoints declare their method and vLLM picks the fast (Marlin)
    # kernel; passing --quantization awq would force the slower one. FP8 and NF4 of the
    # published 16-bit weights are quantized on load.
    on_load = {"fp8": "fp8", "nf4": "bitsandbytes"}
    if src.on_load:
        parts += ["--quantization", on_load[spec.quant_format]]
    if spec.kv_cache == "fp8":
        parts += ["--kv-cache-dtype", "fp8"]
    parts += ["--gpu-memory-utilization", f"{spec.pool_fraction:g}"]
    if spec.concurrency > 1:
        parts += ["--max-num-seqs", str(spec.concurrency)]
    return " ".join(parts)


def sglang(spec: LaunchSpec) -> str:
    """``python -m sglang.launch_server``."""
    src = spec.source
    if src is None:
        return ""
    parts = ["python", "-m", "sglang.launch_server", "--model-path", src.repo]
    if src.revision:
        parts += ["--revision", src.revision]
    if spec.n_cards > 1:
        flag = "--pp-size" if spec.split == "pipeline" else "--tp"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts += ["--ep-size", str(spec.n_cards)]
    parts += ["--context-length", str(spec.context)]
    if src.on_load:
        parts += ["--quantization", "fp8"]
    if spec.kv_cache == "fp8":
        parts += ["--kv-cache-dtype", "fp8_e5m2"]
    parts += ["--mem-fraction-static", f"{spec.pool_fraction:g}"]
    return " ".join(parts)


def tensorrt_llm(spec: LaunchSpec) -> str:
    """``trtllm-serve`` (PyTorch backend) with TP/PP size and sequence length."""
    src = spec.source
    if src is None:
        return ""
    parts = ["trtllm-serve", src.repo]
    if spec.n_cards > 1:
        flag = "--pp_size" if spec.split == "pipeline" else "--tp_size"
        parts += [flag, str(spec.n_cards)]
        if spec.split == "expert":
            parts += ["--ep_size", str(spec.n_cards)]
    parts += ["--max_seq_len", str(spec.context)]
    return " ".join(parts)


def exllamav2(spec: LaunchSpec) -> str:
    """Download the EXL2/GPTQ checkpoint (or the 16-bit weights) into a folder, then
    ExLlamaV2's chat example with auto split or TP, window and cache mode."""
    src = spec.source
    if src is None:
        return ""
    name = repo_name(src.repo)
    folder = f"models/{name}-{src.revision}" if src.revision else f"models/{name}"
    mode = _chat_mode(spec.model)
    parts = ["python", "examples/chat.py", "-m", folder, "-mode", mode, "-l", str(spec.context)]
    if spec.n_cards > 1:
        parts += ["-tp"] if spec.split == "tensor" else ["-gs", "auto"]
    cache = {"q8_0": "-cq8", "q4_0": "-cq4"}
    if spec.kv_cache in cache:
        parts.append(cache[spec.kv_cache])
    return f"{_download(src, folder)} && " + " ".join(parts)


def _chat_mode(model: Model) -> str:
    """ExLlamaV2 chat.py prompt format: Llama 3 chat tokens, Gemma's, or ChatML (Qwen, Phi)."""
    if model.family.startswith("Llama 3"):
        return "llama3"
    if model.family.startswith("Gemma"):
        return "gemma"
    return "chatml"


def ollama(spec: LaunchSpec) -> str:
    """Ollama with the window and parallel slots set for the server, running the library tag
    (or pulling the published GGUF with ``hf.co/repo:QUANT``)."""
    src = spec.source
    if src is None:
        return ""
    env = [f"OLLAMA_CONTEXT_LENGTH={spec.context}", f"OLLAMA_NUM_PARALLEL={spec.concurrency}"]
    if spec.flash_attention:
        env.append("OLLAMA_FLASH_ATTENTION=1")
    if spec.kv_cache != "f16":
        env.append(f"OLLAMA_KV_CACHE_TYPE={spec.kv_cache}")
    model = src.repo if src.kind == "ollama" else f"hf.co/{_gguf_ref(src)}"
    return " ".join([*env, "ollama", "serve", "&", "ollama", "run", model])


def mlx_lm(spec: LaunchSpec) -> str:
    """``mlx_lm.server`` with the MLX conversion, or the published 16-bit weights."""
    src = spec.source
    return f"mlx_lm.server --model {src.repo}" if src else ""


def lm_studio(spec: LaunchSpec) -> str:
    """``lms get`` of the GGUF quant (``repo@QUANT``) or MLX conversion, then ``lms load`` with
    full GPU offload and the window (``lms load`` matches the downloaded file by the repository
    and quant)."""
    src = spec.source
    if src is None:
        return ""
    url = f"https://huggingface.co/{src.repo}"
    get = f"lms get {url}@{src.tag}" if src.tag else f"lms get {url}"
    key = f"{src.repo}/{src.tag}" if src.tag else src.repo
    load = f"lms load {key} --gpu max --context-length {spec.context} --yes"
    return f"{get} --yes && {load}"


def transformers(spec: LaunchSpec) -> str:
    """``transformers serve`` (device_map auto spreads layers over the cards)."""
    src = spec.source
    return f"transformers serve --force-model {src.repo} --device auto" if src else ""


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
    """The launch command for ``spec.runtime`` (llama.cpp's for unknown runtimes built on it);
    empty when nothing published fits (the configuration is then unsupported). Across machines,
    the commands of every machine, each under a comment naming it."""
    single = COMMANDS.get(spec.runtime, llama_cpp)(spec)
    distributed = DISTRIBUTED.get(spec.runtime)
    if spec.machines <= 1 or not single or distributed is None:
        return single
    return "\n".join(distributed(spec, single))


RPC_PORT = 50052
"""llama.cpp ``rpc-server``'s default port (tools/rpc/README.md)."""


def _others(spec: LaunchSpec) -> str:
    """``machine 2`` or ``machines 2-4``: every machine but the first."""
    return "machine 2" if spec.machines == 2 else f"machines 2-{spec.machines}"


def llama_cpp_rpc(spec: LaunchSpec, main: str) -> list[str]:
    """llama.cpp's RPC back-end (tools/rpc/README.md): ``rpc-server`` on every other machine
    (built with ``-DGGML_RPC=ON``), bound to that machine's own name (``machine-N``) on the
    direct link, as the README's warning asks, and the server on the first with ``--rpc``
    naming them; the layers spread over every machine's GPUs."""
    hosts = ",".join(f"machine-{i}:{RPC_PORT}" for i in range(2, spec.machines + 1))
    return [
        f"# {_others(spec)}: llama.cpp built with -DGGML_RPC=ON, serving its GPUs on its "
        "address on the direct link (never on an open network: RPC has no authentication)",
        f"rpc-server -H machine-N -p {RPC_PORT}",
        "# machine 1",
        f"{main} --rpc {hosts}",
    ]


def vllm_ray(spec: LaunchSpec, main: str) -> list[str]:
    """vLLM across nodes on a Ray cluster (docs/serving/parallelism_scaling.md): ``ray start``
    on every machine, then ``vllm serve`` on the head with the Ray executor."""
    return [
        "# machine 1 (the Ray head)",
        "ray start --head --port 6379",
        f"# {_others(spec)}",
        "ray start --address machine-1:6379",
        "# machine 1, once `ray status` lists every machine",
        f"{main} --distributed-executor-backend ray",
    ]


def sglang_nodes(spec: LaunchSpec, main: str) -> list[str]:
    """SGLang on several nodes (docs/references/multi_node_deployment): the same server command
    on every machine with its rank and the first machine's address."""
    lines = []
    for rank in range(spec.machines):
        lines.append(f"# machine {rank + 1}")
        lines.append(
            f"{main} --dist-init-addr machine-1:20000 --nnodes {spec.machines} --node-rank {rank}"
        )
    return lines


def mlx_distributed(spec: LaunchSpec, main: str) -> list[str]:
    """MLX distributed over Thunderbolt RDMA (mlx docs/src/usage/distributed.rst, JACCL back-end;
    mlx-lm shards tensor-parallel, ``--pipeline`` for pipeline): a host file for every machine,
    then ``mlx.launch`` running the server on all of them from the first."""
    hosts = ",".join(f"machine-{i}" for i in range(1, spec.machines + 1))
    model = main.removeprefix("mlx_lm.server ")
    pipeline = " --pipeline" if spec.split in ("pipeline", "layer") else ""
    return [
        "# every machine: macOS 26.2 or later with RDMA on (rdma_ctl enable, in Recovery) and "
        "the same mlx-lm install; then, from machine 1",
        f"mlx.distributed_config --hosts {hosts} --over thunderbolt --backend jaccl "
        "--auto-setup --output hosts.json",
        f"mlx.launch --backend jaccl --hostfile hosts.json -- python -m mlx_lm server "
        f"{model}{pipeline}",
    ]


DISTRIBUTED = {
    "llama-cpp": llama_cpp_rpc,
    "vllm": vllm_ray,
    "sglang": sglang_nodes,
    "mlx-lm": mlx_distributed,
}
"""Multi-machine launchers, by runtime (a runtime without one does not span machines:
``Runtime.machine_splits``)."""
