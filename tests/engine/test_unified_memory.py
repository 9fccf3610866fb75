"""Unified-memory systems: the GPU may use what the platform leaves it, not the whole RAM."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from site_builder.engine.memory import card_capacity_gib
from site_builder.schema import Gpu

BASE = {
    "name": "Test SoC",
    "vendor": "nvidia",
    "segment": "soc",
    "architecture": "blackwell",
    "platform": "cuda",
    "launch_year": 2025,
    "vram_gib": 128,
    "memory_type": "LPDDR5X",
    "mem_bandwidth_gb_s": 273,
    "fp16_tflops": 62.5,
    "board_power_w": 140,
    "sources": ["https://example.com/spec"],
}


@pytest.mark.parametrize(
    ("fields", "capacity"),
    [
        # DGX Spark: CUDA sees 119.7 GiB (gpud PR 1170), less the engine's 4 GiB host reserve.
        ({"unified_memory": True, "gpu_memory_limit_gib": 115.7}, 115.7),
        # Apple: the macOS working-set limit, 3/4 of RAM on large-memory Macs.
        ({"unified_memory": True, "vendor": "apple", "platform": "metal"}, 96.0),
        # A discrete card: its VRAM.
        ({"segment": "workstation"}, 128.0),
    ],
)
def test_capacity_follows_the_platform(fields: dict[str, object], capacity: float) -> None:
    gpu = Gpu.model_validate({**BASE, **fields})
    assert card_capacity_gib(gpu) == pytest.approx(capacity)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"gpu_memory_limit_gib": 100}, "gpu_memory_limit_gib is for unified-memory systems only"),
        (
            {"unified_memory": True, "gpu_memory_limit_gib": 200},
            "gpu_memory_limit_gib cannot exceed vram_gib",
        ),
    ],
)
def test_a_limit_must_describe_unified_memory(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Gpu.model_validate({**BASE, **fields})
