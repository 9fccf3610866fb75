"""Runtime semantics: defaults, what a runtime cannot do (with reasons), and assumptions."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from site_builder.engine import launch, links, names
from site_builder.engine import memory as mem
from site_builder.engine.calibration import RUNTIME_FAMILY, Kernels
from site_builder.engine.config import Config
from site_builder.engine.placement import MemoryStyle
from site_builder.engine.shapes import Shape
from site_builder.schema import Gpu, Runtime

if TYPE_CHECKING:
    from site_builder.engine.plan import Context

LLAMA_FAMILY = ("llama-cpp", "ollama", "lm-studio")
POOL_RUNTIMES = ("vllm", "sglang", "tensorrt-llm")
KV_HEAD_RULE = ("vllm", "sglang", "tensorrt-llm")
"""Runtimes that shard KV heads: TP must divide them, or be a multiple of them (vLLM
``ModelConfig.verify_with_parallel_config``)."""
FP8_WEIGHT_ONLY = ("vllm",)
"""Runtimes that run FP8 checkpoints weight-only on CUDA GPUs without FP8 tensor cores (vLLM
FP8 Marlin W8A16 on Ampere; docs.vllm.ai quantization/fp8; Marlin is CUDA only)."""
PCIE_X16_GB_S = {3: 15.75, 4: 31.5, 5: 63.0}
"""PCIe x16 per-direction bandwidth by generation (PCI-SIG: 8/16/32 GT/s x 128b/130b)."""


def memory_style(runtime: str) -> MemoryStyle:
    """How ``runtime`` allocates memory."""
    if runtime == "ollama":
        return "ollama"
    if runtime in LLAMA_FAMILY:
        return "llama"
    if runtime in POOL_RUNTIMES:
        return "pool"
    return {"exllamav2": "exllama", "mlx-lm": "mlx"}.get(runtime, "eager")  # type: ignore[return-value]


def pool_fraction(runtime: str) -> float:
    """Share of each card a pool runtime reserves up front."""
    return mem.SGLANG_MEM_FRACTION if runtime == "sglang" else mem.VLLM_GPU_MEMORY_UTILIZATION


def effective_split(runtime: Runtime, asked: str | None, n_cards: int) -> str:
    """The split used: ``none`` on one card, else the asked one or the runtime default."""
    if n_cards <= 1:
        return "none"
    return asked or runtime.default_split


def flash_attention(runtime: str, asked: bool | None, kv_cache: str) -> bool:
    """Flash attention on? llama.cpp ``-fa auto`` enables it on CUDA/Metal (b6451); Ollama only
    with OLLAMA_FLASH_ATTENTION=1, which quantized KV requires; the serving runtimes, ExLlamaV2
    and MLX always use fused attention."""
    if asked is not None:
        return asked
    if runtime == "ollama":
        return kv_cache in ("q8_0", "q4_0")
    return True


def can_offload(slug: str, runtime: Runtime, split: str, quant_format: str) -> bool:
    """llama.cpp and the runtimes built on it keep layers in system RAM (``-ngl``); not an
    MLX checkpoint, which LM Studio runs on its MLX engine (lmstudio-ai/mlx-engine), not on
    llama.cpp."""
    llama = slug in LLAMA_FAMILY or runtime.based_on == "llama-cpp"
    return runtime.cpu_offload and llama and split in ("none", "layer") and quant_format != "mlx"


def can_offload_experts(slug: str, moe: bool) -> bool:
    """llama.cpp keeps the routed experts of a mixture-of-experts model in system RAM
    (``--n-cpu-moe``, PR 15077); Ollama and LM Studio offload whole layers (LM Studio's "force
    expert weights onto CPU" moves every expert or none, so its layer offload is what the
    engine models)."""
    return slug == "llama-cpp" and moe


def tflops(gpu: Gpu, compute_dtype: str, acc16: bool, half: bool = False) -> float:
    """Dense TFLOPS for the quant's compute dtype (FP8 falls back to FP16 without FP8 cores);
    a runtime whose kernels compute in FP16 (``half``) on a card with slow FP16 arithmetic gets
    that rate (``half_precision_tflops``: a Tesla P40 runs FP16 at 1/64 of FP32)."""
    if half and gpu.half_precision_tflops:
        return gpu.half_precision_tflops
    if compute_dtype == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops
    if compute_dtype == "int8" and gpu.int8_tops:
        return gpu.int8_tops
    if acc16 and gpu.fp16_acc16_tflops:
        return gpu.fp16_acc16_tflops
    return gpu.fp16_tflops


MMQ_MIN_COMPUTE_CAPABILITY = (6, 1)
"""llama.cpp's integer MMQ kernels need ``__dp4a`` (``GGML_CUDA_CC_DP4A`` = 610, ggml-cuda
common.cuh); older cards multiply quantized weights through cuBLAS."""


def tiles_experts(style: MemoryStyle, quantized: bool, gpus: tuple[Gpu, ...]) -> bool:
    """The runtime multiplies each routed expert's tokens as its own tiled product: serving
    runtimes' fused MoE kernels always; llama.cpp where its MMQ kernels run, quantized weights
    on CUDA cards of compute capability 6.1 on (a Tesla P100, 6.0, or 16-bit weights go
    through cuBLAS one expert at a time instead)."""
    if style not in ("llama", "ollama"):
        return True
    return quantized and all(
        g.platform == "cuda"
        and release_of(g.compute_capability or "") >= MMQ_MIN_COMPUTE_CAPABILITY
        for g in gpus
    )


def default_pcie_gb_s(gpus: tuple[Gpu, ...]) -> float:
    """Link bandwidth without a catalog interconnect: the slowest card's PCIe x16 rate."""
    gens = [g.pcie_gen for g in gpus if g.pcie_gen]
    return PCIE_X16_GB_S[min(gens)] if gens else PCIE_X16_GB_S[4]


def ratio_hint(gpus: tuple[Gpu, ...], split: str, style: MemoryStyle) -> tuple[float, ...] | None:
    """An explicit ``--tensor-split`` for mismatched llama.cpp cards (VRAM ratio)."""
    if style not in ("llama", "ollama") or split not in ("layer", "tensor"):
        return None
    sizes = tuple(round(g.vram_gib) for g in gpus)
    return sizes if len(set(sizes)) > 1 else None


def tp_problems(shape: Shape, runtime: str, n: int) -> list[str]:
    """Tensor-parallel divisibility: TP must divide the attention heads, and for runtimes
    that shard KV heads, divide them or be a multiple of them."""
    out = []
    if shape.heads % n:
        out.append(
            f"tensor parallel over {n} cards does not divide the {shape.heads} attention heads"
        )
    kv = shape.kv_heads
    if runtime in KV_HEAD_RULE and not shape.is_mla and kv % n and n % kv:
        out.append(f"tensor parallel over {n} cards does not divide the {kv} KV heads")
    return out


_RELEASE = re.compile(r"v?([0-9]+(?:\.[0-9]+)*)")


@functools.lru_cache(maxsize=256)
def release_of(text: str) -> tuple[int, ...]:
    """The dotted number a version starts with (``7.0`` -> (7, 0); ``0.19.1rc1.dev339`` ->
    (0, 19, 1)); empty when it starts with none (a build tag, a container name). Cached: a
    sweep compares the catalog's few versions hundreds of thousands of times."""
    found = _RELEASE.match(text)
    return tuple(int(part) for part in found.group(1).split(".")) if found else ()


def cuda_graphs(rt: Runtime, gpus: tuple[Gpu, ...]) -> bool:
    """Whether the runtime replays each decode step on these cards as a CUDA graph: not on a
    CUDA card older than its ``cuda_graphs_min_compute_capability`` (llama.cpp turns graphs
    off below Ampere, ``ggml_cuda_graph_set_enabled`` in ggml-cuda.cu), so one such card
    launches every kernel of the step on its own."""
    least = rt.cuda_graphs_min_compute_capability
    if least is None:
        return True
    return all(
        release_of(gpu.compute_capability) >= release_of(least)
        for gpu in gpus
        if gpu.platform == "cuda" and gpu.compute_capability
    )


def hardware_problems(rt: Runtime, gpus: tuple[Gpu, ...]) -> list[str]:
    """Cards the runtime's build does not support although it has their back-end: a CUDA
    compute capability below its minimum (vLLM needs 7.0, so no Pascal), or an AMD target its
    ROCm build does not list. Each distinct card is named once."""
    out: list[str] = []
    least, targets = rt.min_compute_capability, rt.rocm_gfx_targets
    if not least and not targets:
        return out
    for gpu in {gpu.name: gpu for gpu in gpus}.values():
        label = names.short_gpu_name(gpu.name)
        cc = gpu.compute_capability
        if gpu.platform == "cuda" and least and cc and release_of(cc) < release_of(least):
            out.append(
                f"{rt.name} needs CUDA compute capability {least} or newer; the {label} has {cc}"
            )
        gfx = gpu.gfx_target
        if gpu.platform == "rocm" and targets and gfx and gfx not in targets:
            out.append(f"{rt.name}'s ROCm build does not support the {label} ({gfx})")
    return out


def problems(
    ctx: Context, config: Config, split: str, shape: Shape, found: launch.Source | None
) -> list[str]:
    """Why the runtime cannot run this configuration (empty when it can); ``found``: what it
    would load (:func:`launch.source`)."""
    rt, name = ctx.runtime, ctx.runtime.name
    out = []
    platforms = sorted({g.platform for g in ctx.gpus})
    if len(platforms) > 1:
        back_ends = names.listing([names.platform(p) for p in platforms])
        out.append(f"cards on different back-ends ({back_ends}) cannot share one model")
    for p in platforms:
        if p not in rt.platforms:
            gpu = next(g for g in ctx.gpus if g.platform == p)
            out.append(
                f"{name} has no {names.platform(p)} back-end, so it does not run on the "
                f"{names.short_gpu_name(gpu.name)}"
            )
    out += hardware_problems(rt, ctx.gpus)
    machines = ctx.link.network.machines if ctx.link.network else 1
    if ctx.gpus[0].unified_memory and len(ctx.gpus) > machines:
        out.append("unified-memory systems hold a single GPU")
    if machines > 1 and split not in rt.machine_splits:
        out.append(machine_problem(rt, split))
    if ctx.model.family in rt.unsupported_families:
        out.append(f"{name} does not implement the {ctx.model.family} architecture")
    if ctx.quant.format not in rt.quant_formats:
        kind = names.weight_format(ctx.quant.format)
        out.append(f"{name} does not load {config.quant} weights ({kind} format)")
    elif not config.own_weights and (
        missing := launch.missing_checkpoint(config.runtime, name, ctx.model, config.quant, found)
    ):
        out.append(missing)  # a published checkpoint, or weights the runtime loads as they are
    out += [
        f"{name} has no {config.quant} kernels on {names.platform(p)}"
        for p in platforms
        if ctx.quant.format in rt.platform_format_gaps.get(p, ())
    ]
    weight_only = config.runtime in FP8_WEIGHT_ONLY and platforms == ["cuda"]
    if ctx.quant.requires_fp8_hardware and not weight_only:
        out += [
            f"{config.quant} needs FP8 tensor cores; {names.card_label(i, g)} has none"
            for i, g in enumerate(ctx.gpus)
            if g.fp8_tflops is None
        ]
    if config.kv_cache not in rt.kv_cache_types:
        offers = names.listing([names.kv_cache(k) for k in rt.kv_cache_types])
        out.append(f"{name} has no {names.kv_cache(config.kv_cache)} KV cache; it offers {offers}")
    if split != "none" and split not in rt.split_modes:
        offers = names.listing([names.split(m) for m in rt.split_modes])
        out.append(f"{name} has no {names.split(split)}; it offers {offers}")
    if split == "expert" and not shape.moe:
        out.append(f"expert parallel needs a mixture-of-experts model; {ctx.model.name} is dense")
    if split in ("tensor", "expert") and config.runtime not in LLAMA_FAMILY:
        out += tp_problems(shape, config.runtime, len(ctx.gpus))
    return out


def machine_problem(rt: Runtime, split: str) -> str:
    """Why ``rt`` cannot spread a model over several machines with ``split``."""
    if not rt.machine_splits:
        return f"{rt.name} does not spread one model over several machines"
    offers = names.listing([names.split(m) for m in rt.machine_splits])
    return f"{rt.name} spreads a model over machines only by {offers}, not {names.split(split)}"


def link_words(link: links.Link) -> str:
    """The link between cards in words: a PCIe path by how it carries traffic (through host
    memory or peer to peer), a fabric by the catalog's name for it (NVLink, Infinity Fabric)."""
    if link.klass == "nvlink" and link.name:
        return link.name
    return names.link(link.klass)


FITTED_ON = {"llama-cpp": "llama.cpp", "mlx": "mlx-lm"}
"""The runtime whose measurements a kernel family's constants were fitted on."""


def assumptions(ctx: Context, config: Config, split: str, fa: bool, k: Kernels) -> tuple[str, ...]:
    """What the figures assume, in words."""
    family = RUNTIME_FAMILY.get(config.runtime, "serving")
    source = (
        f"fitted on measured {FITTED_ON.get(family, family)} benchmarks"
        if k.calibrated
        else "taken from published figures"
    )
    out = [
        f"kernel efficiency {source}",
        f"flash attention {'on' if fa else 'off'}; {names.kv_cache(config.kv_cache)} KV cache",
    ]
    net = ctx.link.network
    if len(ctx.gpus) > (net.machines if net else 1):
        out.append(
            f"cards linked by {link_words(ctx.link)} at "
            f"{ctx.link.bandwidth_gb_s:g} GB/s per direction"
        )
    if net is not None:
        out.append(
            f"{net.machines} machines linked by {net.name} at {net.bandwidth_gb_s:g} GB/s per "
            f"direction and {net.latency_us:g} µs latency"
        )
    if any(g.segment == "consumer" for g in ctx.gpus[:1]) and ctx.gpus[0].platform != "metal":
        out.append(f"{mem.DISPLAY_RESERVE_GIB:g} GiB of card 1 reserved for a desktop")
    if ctx.gpus[0].unified_memory and ctx.gpus[0].vendor == "apple":
        out.append(
            "GPU limited to macOS's default working set (2/3 of RAM up to 36 GiB, 3/4 above)"
        )
    if memory_style(config.runtime) == "pool":
        out.append(
            f"a memory pool of {pool_fraction(config.runtime):.0%} of each card, "
            "filled with KV cache"
        )
    if k.launch_s and not cuda_graphs(ctx.runtime, ctx.gpus):
        out.append(
            f"no CUDA graphs on cards older than compute capability "
            f"{ctx.runtime.cuda_graphs_min_compute_capability}: every kernel launched on its own"
        )
    return tuple(out)
