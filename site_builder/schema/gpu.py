"""GPUs and accelerators (``catalog/gpus/<slug>.yaml``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from site_builder.schema.base import Entity, Id, plausible
from site_builder.schema.price import RentalPrice, StreetPrice

GpuPlatform = Literal["cuda", "rocm", "metal", "sycl", "vulkan"]
"""Compute back-ends a GPU can be driven by (a subset of the runtimes' ``Platform``)."""

Architecture = Literal[
    "pascal",
    "volta",
    "turing",
    "ampere",
    "ada",
    "hopper",
    "blackwell",
    "gcn5",
    "cdna",
    "cdna2",
    "cdna3",
    "rdna2",
    "rdna3",
    "rdna3.5",
    "rdna4",
    "xe-hpg",
    "xe2",
    "apple-m1",
    "apple-m2",
    "apple-m3",
    "apple-m4",
    "apple-m5",
]


class Gpu(Entity):
    """One GPU model as sold, with datasheet numbers."""

    name: str = Field(min_length=1, description="Marketing name, e.g. 'NVIDIA GeForce RTX 4090'.")
    vendor: Literal["nvidia", "amd", "apple", "intel"] = Field(description="Chip vendor.")
    segment: Literal["consumer", "workstation", "datacenter", "soc"] = Field(
        description="Market segment; 'soc' is a system-on-chip with unified memory "
        "(Apple M-series, DGX Spark)."
    )
    architecture: Architecture = Field(
        description="Architecture family; the engine calibrates kernel efficiency per family "
        "only where data demands it."
    )
    platform: GpuPlatform = Field(
        description="Compute back-end it runs: cuda, rocm, metal, or sycl for Intel GPUs (oneAPI "
        "SYCL / PyTorch XPU)."
    )
    compute_capability: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,2}\.[0-9]$",
        description="NVIDIA CUDA compute capability (NVIDIA's CUDA GPUs table), e.g. '8.6'; "
        "runtimes with a minimum refuse older cards. Absent for other vendors.",
    )
    gfx_target: str | None = Field(
        default=None,
        pattern=r"^gfx[0-9a-f]{3,4}$",
        description="AMD LLVM target of the chip (ROCm's GPU list), e.g. 'gfx1100'; runtimes "
        "whose ROCm build lists its targets refuse others. Absent for other vendors.",
    )
    launch_year: int = Field(ge=2015, le=2035, description="Year of first availability.")
    launch_msrp_usd: float | None = Field(
        default=None,
        gt=0,
        le=1_000_000,
        description="Launch list price in US dollars, when published (at most 1,000,000).",
    )
    vram_gib: Annotated[float, plausible(1, 1024, "GiB")] = Field(
        description="Memory capacity in GiB (vendors' 'GB' for DRAM capacity is binary). "
        "For unified-memory systems, the memory of the configuration described."
    )
    memory_type: str = Field(min_length=1, description="Memory technology, e.g. GDDR6X, HBM3.")
    mem_bandwidth_gb_s: Annotated[float, plausible(50, 10000, "GB/s")] = Field(
        description="Peak theoretical memory bandwidth in decimal GB/s."
    )
    fp16_tflops: Annotated[float, plausible(1, 5000, "TFLOPS")] = Field(
        description="Dense FP16 matrix throughput in TFLOPS with FP32 accumulate and no "
        "sparsity (tensor/matrix cores; shader FP16 where the chip has none)."
    )
    fp16_acc16_tflops: Annotated[float, plausible(1, 5000, "TFLOPS")] | None = Field(
        default=None,
        description="Dense FP16 tensor TFLOPS with FP16 accumulate where it differs "
        "(GeForce cards run FP32 accumulate at half this rate).",
    )
    half_precision_tflops: Annotated[float, plausible(0.01, 5000, "TFLOPS")] | None = Field(
        default=None,
        description="FP16 arithmetic rate of the CUDA cores where it is far below fp16_tflops "
        "(GP102/GP104 Pascal run FP16 at 1/64 of FP32: the CUDA C++ Programming Guide's "
        "arithmetic throughput table); runtimes whose kernels compute in FP16 get this rate.",
    )
    int8_tops: Annotated[float, plausible(1, 10000, "TOPS")] | None = Field(
        default=None, description="Dense INT8 tensor TOPS, when published."
    )
    fp8_tflops: Annotated[float, plausible(1, 10000, "TFLOPS")] | None = Field(
        default=None,
        description="Dense FP8 tensor TFLOPS; absent means the chip has no FP8 tensor path.",
    )
    board_power_w: Annotated[float, plausible(5, 2000, "W")] = Field(
        description="Total board power / TDP in watts (for SoCs, the package's sustained power)."
    )
    idle_power_w: Annotated[float, plausible(1, 200, "W")] | None = Field(
        default=None, description="Idle draw in watts when measured by a cited source."
    )
    pcie_gen: Literal[3, 4, 5] | None = Field(
        default=None, description="PCIe generation of the host link (absent for SoCs)."
    )
    pcie_lanes: Literal[8, 16] | None = Field(
        default=None, description="PCIe lanes of the card's edge connector."
    )
    nvlink: Id | None = Field(
        default=None,
        description="Interconnect ID of the NVLink the card supports (e.g. 'nvlink-3.0-bridge'); "
        "absent when it has none.",
    )
    unified_memory: bool = Field(
        default=False,
        description="Memory is shared with the CPU (Apple, DGX Spark); the OS reserves part of it.",
    )
    gpu_memory_limit_gib: Annotated[float, plausible(1, 1024, "GiB")] | None = Field(
        default=None,
        description="Unified-memory systems other than Apple's: memory the GPU may allocate for "
        "weights, KV cache and buffers, GiB, as the platform's documented setup leaves it "
        "(firmware and OS share taken out). Apple systems use the macOS working-set rule.",
    )
    notes: str | None = Field(default=None, description="Caveats about the figures above.")
    street_prices: list[StreetPrice] = Field(
        default_factory=list,
        description="Dated prices of one card (or, for a system-on-chip, one machine) new and "
        "used; pages show the newest of each condition beside the launch price.",
    )
    rental_prices: list[RentalPrice] = Field(
        default_factory=list,
        description="Dated on-demand cloud prices of one card per hour, one per provider and day.",
    )

    @model_validator(mode="after")
    def _limit_is_unified_memory(self) -> Gpu:
        if self.gpu_memory_limit_gib is not None:
            if not self.unified_memory:
                raise ValueError("gpu_memory_limit_gib is for unified-memory systems only")
            if self.gpu_memory_limit_gib > self.vram_gib:
                raise ValueError("gpu_memory_limit_gib cannot exceed vram_gib")
        return self
