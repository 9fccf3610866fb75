"""Inference runtimes (``catalog/runtimes/<slug>.yaml``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from site_builder.schema.base import (
    Entity,
    Id,
    KvCacheType,
    Platform,
    Prose,
    QuantFormat,
    SourceUrl,
    SplitMode,
    Strict,
)

VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*$"


class EngineSince(Strict):
    """The release from which the runtime runs the engine the site's figures model."""

    version: str = Field(
        pattern=VERSION_PATTERN,
        description="First release of the modelled engine, dotted numbers only ('0.8.0'). "
        "Measurements on an older release (a `runtime_version` that starts with a lower number) "
        "are listed but kept out of calibration and the accuracy statistics.",
    )
    change: Prose = Field(
        description="What older releases ran instead, said after the version in the benchmark "
        "tables: 'the V0 engine core, which 0.8.0 replaced by V1'."
    )
    source: SourceUrl = Field(description="Release notes or docs that say so.")


class Runtime(Entity):
    """An inference engine, with the capabilities the fit engine checks."""

    name: str = Field(min_length=1, description="Display name, e.g. 'vLLM'.")
    homepage: str = Field(pattern=r"^https?://", description="Project home page or repository.")
    license: str = Field(min_length=1, description="Software licence.")
    version: str = Field(
        min_length=1, description="Release the catalog's statements about it refer to."
    )
    based_on: Id | None = Field(
        default=None,
        description="Runtime ID whose kernels it uses (Ollama and LM Studio run llama.cpp); "
        "the engine calibrates them together.",
    )
    platforms: list[Platform] = Field(min_length=1, description="Back-ends it runs on.")
    quant_formats: list[QuantFormat] = Field(min_length=1, description="Weight formats it loads.")
    platform_format_gaps: dict[Platform, list[QuantFormat]] = Field(
        default_factory=dict,
        description="Weight formats it loads on other back-ends but not on this one (vLLM has "
        "no AWQ, GPTQ or bitsandbytes kernels on ROCm); cite the runtime's hardware table.",
    )
    min_compute_capability: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,2}\.[0-9]$",
        description="Oldest NVIDIA CUDA compute capability its CUDA build runs on (vLLM: '7.0', "
        "so no Pascal cards); cite its installation requirements.",
    )
    cuda_graphs_min_compute_capability: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,2}\.[0-9]$",
        description="Oldest CUDA compute capability on which its decode replays each step as a "
        "CUDA graph; on older cards every kernel is launched on its own, and the engine adds "
        "the launch cost (llama.cpp b6451: '8.0', Ampere). Absent: no such limit. Cite the "
        "runtime's source.",
    )
    half_precision_kernels: bool = Field(
        default=False,
        description="Its CUDA kernels do their arithmetic in FP16 (ExLlamaV2's half2 math), so "
        "a card's half_precision_tflops bounds them. Cite the runtime's source or maintainers.",
    )
    rocm_gfx_targets: list[Annotated[str, Field(pattern=r"^gfx[0-9a-f]{3,4}$")]] = Field(
        default_factory=list,
        description="AMD GPU targets its ROCm build supports, when it lists them (vLLM: MI200, "
        "MI300, Radeon 7900 and 9000 series); empty means no stated restriction.",
    )
    unsupported_families: list[str] = Field(
        default_factory=list,
        description="Model families (a model's `family`) whose architecture the runtime does "
        "not implement, so it cannot run them at any quant; cite its architecture list.",
    )
    split_modes: list[SplitMode] = Field(
        min_length=1, description="Multi-GPU partitioning it offers."
    )
    default_split: SplitMode = Field(description="Partitioning used when none is asked for.")
    machine_splits: list[SplitMode] = Field(
        default_factory=list,
        description="Partitionings it runs across machines over a network (llama.cpp's RPC "
        "back-end: layer); empty when it runs on one machine only. Cite its distributed docs.",
    )
    kv_cache_types: list[KvCacheType] = Field(
        min_length=1, description="KV-cache element types it offers."
    )
    cpu_offload: bool = Field(description="Can keep some layers in system RAM (llama.cpp -ngl).")
    continuous_batching: bool = Field(
        description="Serves concurrent requests in one batch (vLLM, SGLang, llama-server slots)."
    )
    one_command: bool = Field(
        default=False,
        description="Installs with one shell command and downloads and serves a model with one "
        "more, with no desktop app, build step or Python environment (Ollama): the "
        "recommender's 'easiest' answer is chosen among these.",
    )
    install_command: str = Field(min_length=1, description="Shell command that installs it.")
    summary: str = Field(min_length=1, description="One-paragraph operational summary.")
    engine_since: EngineSince | None = Field(
        default=None,
        description="When the runtime replaced its engine core so that older measurements "
        "describe a runtime the site no longer models (vLLM's V1 engine, the default from "
        "0.8.0); absent when every release is modelled.",
    )
