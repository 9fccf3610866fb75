"""Reader words for the engine's reasons and assumptions: card names, platforms, formats.

Reasons and assumptions reach readers verbatim (pages, the configurator, the CLI), so they name
a card by its display name with a 1-based number ("card 1 (RTX 4090)"), never by its catalog
ID, and say what a field means instead of naming it.
"""

from __future__ import annotations

import functools

from site_builder.schema import Gpu

VENDOR_PREFIXES = (
    "NVIDIA GeForce ",
    "NVIDIA ",
    "AMD Radeon ",
    "AMD Instinct ",
    "AMD ",
    "Intel ",
    "Apple ",
)
"""Dropped from marketing names where the context already says which GPU it is."""

PLATFORMS = {
    "cuda": "NVIDIA CUDA",
    "rocm": "AMD ROCm",
    "metal": "Apple Metal",
    "sycl": "Intel oneAPI (SYCL/XPU)",
    "vulkan": "Vulkan",
    "cpu": "CPU",
}
"""Compute back-ends as readers know them."""

FORMATS = {
    "float": "unquantized",
    "gguf": "GGUF",
    "awq": "AWQ",
    "gptq": "GPTQ",
    "exl2": "EXL2",
    "fp8": "FP8",
    "mxfp4": "MXFP4",
    "nf4": "bitsandbytes NF4",
    "mlx": "MLX",
}
"""Weight-format families as readers know them."""

KV_CACHE = {"f16": "16-bit", "q8_0": "8-bit (q8_0)", "q4_0": "4-bit (q4_0)", "fp8": "FP8"}
"""KV-cache element types as readers know them."""

SPLITS = {
    "layer": "layer split",
    "tensor": "tensor parallel",
    "pipeline": "pipeline parallel",
    "expert": "expert parallel",
}
"""Multi-GPU split modes in words."""

LINKS = {
    "single": "one card, no link",
    "nvlink": "NVLink",
    "pcie-p2p": "PCIe with peer-to-peer",
    "pcie-host": "PCIe through host memory",
    "unified": "unified memory",
}
"""Link classes of the engine in words."""


@functools.cache
def short_gpu_name(name: str) -> str:
    """``NVIDIA GeForce RTX 4090`` -> ``RTX 4090``; ``Apple M2 Ultra (76-core GPU, 192 GB)`` ->
    ``M2 Ultra (76-core GPU, 192 GB)``."""
    for prefix in VENDOR_PREFIXES:
        name = name.removeprefix(prefix)
    return name


def card_label(index: int, gpu: Gpu) -> str:
    """``card 1 (RTX 4090)`` for the card at 0-based ``index``. A name with its own brackets
    loses them (``card 1 (RTX 3080, 10 GB)``), so brackets never nest."""
    return _card_label(index, gpu.name)


@functools.cache
def _card_label(index: int, full_name: str) -> str:
    name = short_gpu_name(full_name).replace(" (", ", ").replace("(", "").replace(")", "")
    return f"card {index + 1} ({name})"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 card``, ``2 cards``; ``many`` for irregular plurals."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def platform(slug: str) -> str:
    """A compute back-end in words (the ID itself when unknown)."""
    return PLATFORMS.get(slug, slug)


def weight_format(slug: str) -> str:
    """A weight-format family in words."""
    return FORMATS.get(slug, slug)


def kv_cache(slug: str) -> str:
    """A KV-cache element type in words."""
    return KV_CACHE.get(slug, slug)


def split(slug: str) -> str:
    """A split mode in words."""
    return SPLITS.get(slug, f"{slug} split")


def link(slug: str) -> str:
    """A link class in words."""
    return LINKS.get(slug, slug)
