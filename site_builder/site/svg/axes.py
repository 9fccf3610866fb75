"""Axis helpers shared by the charts: nice tick steps and log-2 token axes."""

from __future__ import annotations

import math


def nice_max(value: float) -> float:
    """The smallest 1/2/2.5/5 x 10^n at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value:
            return step * power
    return 10.0 * power


def ticks(maximum: float, count: int = 5) -> list[float]:
    """``count`` + 1 evenly spaced ticks from 0 to ``maximum``."""
    return [maximum * i / count for i in range(count + 1)]


def tick_label(value: float) -> str:
    """A tick label without needless decimals."""
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def token_label(tokens: int) -> str:
    """512, 4K, 128K."""
    return f"{tokens // 1024}K" if tokens >= 1024 else str(tokens)
