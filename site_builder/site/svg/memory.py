"""Memory per card: stacked weights / KV cache / buffers / overhead against the card's capacity."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine import CardMemory
from site_builder.site.svg.canvas import Svg, color, figure

SEGMENTS = (
    ("weights", "Weights"),
    ("kv", "KV cache"),
    ("buffers", "Compute buffers"),
    ("overhead", "CUDA context / reserve"),
)
_LEFT, _RIGHT, _BAR, _GAP, _TOP = 150.0, 90.0, 26.0, 16.0, 34.0


@dataclass(frozen=True)
class CardBar:
    """One card's bar: its label and the engine's memory figures."""

    label: str
    memory: CardMemory


def memory_chart(slug: str, title: str, cards: list[CardBar]) -> str:
    """Horizontal stacked bars, one per card, scaled to the largest capacity or use."""
    width = 640.0
    height = _TOP + len(cards) * (_BAR + _GAP) + 40
    scale_max = max([c.memory.capacity_gib for c in cards] + [c.memory.total_gib for c in cards])
    plot = width - _LEFT - _RIGHT
    svg = Svg(width, height, title, _describe(cards), slug)
    _legend(svg)
    for i, card in enumerate(cards):
        _bar(svg, _TOP + i * (_BAR + _GAP), card, plot / scale_max)
    return figure(svg, title)


def _bar(svg: Svg, y: float, card: CardBar, per_gib: float) -> None:
    mem = card.memory
    svg.text(_LEFT - 8, y + _BAR / 2 + 4, card.label, anchor="end")
    x = _LEFT
    for value, (key, _) in zip(_values(mem), SEGMENTS, strict=True):
        svg.rect(x, y, value * per_gib, _BAR, color(key))
        x += value * per_gib
    capacity_x = _LEFT + mem.capacity_gib * per_gib
    svg.rect(_LEFT, y, mem.capacity_gib * per_gib, _BAR, "none", stroke="currentColor")
    svg.line(capacity_x, y - 4, capacity_x, y + _BAR + 4, stroke_width="2")
    svg.text(
        capacity_x + 6,
        y + _BAR / 2 + 4,
        f"{mem.total_gib:.1f} / {mem.capacity_gib:.1f} GiB",
    )


def _legend(svg: Svg) -> None:
    x = _LEFT
    for key, name in SEGMENTS:
        svg.rect(x, 8, 12, 12, color(key))
        svg.text(x + 16, 18, name)
        x += 18 + 7.2 * len(name) + 14


def _values(mem: CardMemory) -> tuple[float, float, float, float]:
    return (mem.weights_gib, mem.kv_cache_gib, mem.buffers_gib, mem.overhead_gib)


def _describe(cards: list[CardBar]) -> str:
    parts = []
    for card in cards:
        mem = card.memory
        parts.append(
            f"{card.label}: weights {mem.weights_gib:.1f} GiB, KV cache {mem.kv_cache_gib:.1f} "
            f"GiB, buffers {mem.buffers_gib:.1f} GiB, overhead {mem.overhead_gib:.1f} GiB, "
            f"total {mem.total_gib:.1f} of {mem.capacity_gib:.1f} GiB"
        )
    return "; ".join(parts) + "."
