"""The configuration the engine is asked about."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.schema.base import KvCacheType, SplitMode

DEFAULT_CONTEXT_TOKENS = 8192
DEFAULT_PROMPT_TOKENS = 512
DEFAULT_GEN_TOKENS = 128
DEFAULT_USD_PER_KWH = 0.17
"""US average residential electricity price, 2024 (EIA Electric Power Monthly, table 5.3)."""


@dataclass(frozen=True)
class Config:
    """One question: these cards, this model and quant, this runtime, this workload.

    ``gpus`` lists (GPU ID, count) pairs in card order (card 0 first). ``split`` and
    ``interconnect`` default to the runtime's default split and the combo's (or the cards')
    link. ``context_tokens`` is the window allocated; ``prompt_tokens`` are processed before
    decoding; ``decode_tok_s`` is the mean speed over ``gen_tokens`` generated after the prompt.
    """

    gpus: tuple[tuple[str, int], ...]
    model: str
    quant: str
    runtime: str
    interconnect: str | None = None
    split: SplitMode | None = None
    context_tokens: int = DEFAULT_CONTEXT_TOKENS
    prompt_tokens: int = DEFAULT_PROMPT_TOKENS
    gen_tokens: int = DEFAULT_GEN_TOKENS
    concurrency: int = 1
    kv_cache: KvCacheType = "f16"
    combo: str | None = None
    flash_attention: bool | None = None
    """None = the runtime's default (llama.cpp ``-fa auto`` is on for CUDA and Metal)."""
    tensor_split: tuple[float, ...] | None = None
    """Per-card ratios (llama.cpp ``--tensor-split``); None = proportional to free memory."""
    usd_per_kwh: float = DEFAULT_USD_PER_KWH
    """Electricity price for the cost per million tokens."""
    host_ram_gib: float | None = None
    """System RAM of the machine, GiB; None = the combo's host (else a default workstation)."""
    ram_bandwidth_gb_s: float | None = None
    """Peak system-RAM bandwidth, GB/s; None = the combo's host (else a default)."""
    cpu_moe_layers: int | None = None
    """llama.cpp ``--n-cpu-moe N`` when experts are offloaded; None = as few as fit."""
    ubatch_tokens: int | None = None
    """llama.cpp ``-ub N``: prompt tokens a forward pass; None = the default 512."""
    own_weights: bool = False
    """The weights were quantized by whoever runs it (a measured benchmark proves they
    existed), so no published checkpoint is required."""
