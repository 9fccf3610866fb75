"""Power at load, energy per token and electricity cost.

A card draws its idle power plus a phase-dependent share of the rest of its board power:
memory-bound decode keeps the SMs mostly waiting on DRAM, compute-bound prefill runs them flat
out. Layer split cards are busy only during their own stage and idle the rest of the step.
"""

from __future__ import annotations

from collections.abc import Sequence

from site_builder.schema import Gpu

DECODE_LOAD = 0.65
"""Share of (board - idle) power drawn in memory-bound decode: RTX 3090/4090 draw ~60-70 % of
their limit generating with llama.cpp/vLLM at batch 1 (club-3090 docs/HARDWARE.md power-cap
runs: decode loses <5 % at 250-280 W of 350 W)."""

PREFILL_LOAD = 0.95
"""Share drawn in compute-bound prefill (tensor cores saturated: near the board limit)."""

IDLE_FRACTION = 0.08
"""Idle draw when the catalog has no measurement: ~8 % of board power (RTX 4090 ~20-30 W of
450 W; A100 PCIe ~35-50 W of 300 W)."""

JOULES_PER_KWH = 3.6e6


def idle_w(gpu: Gpu) -> float:
    """Idle power of one card (catalog measurement, else a share of board power)."""
    return gpu.idle_power_w if gpu.idle_power_w is not None else IDLE_FRACTION * gpu.board_power_w


def card_power_w(gpu: Gpu, busy: float, load: float) -> float:
    """idle + (board - idle) x load x busy fraction."""
    idle = idle_w(gpu)
    return idle + (gpu.board_power_w - idle) * load * busy


def decode_power_w(gpus: Sequence[Gpu], busy: Sequence[float], compute_share: float) -> float:
    """All cards during decode; ``compute_share`` (0..1) moves the load toward prefill's as the
    batch turns decode compute-bound."""
    load = DECODE_LOAD + (PREFILL_LOAD - DECODE_LOAD) * compute_share
    return sum(card_power_w(g, b, load) for g, b in zip(gpus, busy, strict=True))


def joules_per_token(power_w: float, tokens_per_s: float) -> float:
    """Energy per generated token: watts / (tokens per second)."""
    return power_w / tokens_per_s


def cost_per_million_tokens(joules: float, usd_per_kwh: float) -> float:
    """Electricity cost of a million tokens: J/token x 1e6 / 3.6e6 J/kWh x price."""
    return joules * 1e6 / JOULES_PER_KWH * usd_per_kwh


HOURS_PER_YEAR = 8760


def idle_power_w(gpus: Sequence[Gpu]) -> float:
    """Idle draw of all cards, W: the sum of :func:`idle_w` (the rule the estimates use)."""
    return sum(idle_w(g) for g in gpus)


def energy_cost_usd(power_w: float, hours: float, usd_per_kwh: float) -> float:
    """Electricity cost, USD: W / 1000 x hours x USD per kWh."""
    return power_w / 1000 * hours * usd_per_kwh
