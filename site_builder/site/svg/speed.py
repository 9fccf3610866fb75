"""Decode speed against context length, with the engine's low/high band."""

from __future__ import annotations

import math
from dataclasses import dataclass

from site_builder.site import fmt
from site_builder.site.svg.axes import nice_max, tick_label, ticks, token_label
from site_builder.site.svg.canvas import Svg, color, figure

_LEFT, _RIGHT, _TOP, _BOTTOM = 56.0, 24.0, 20.0, 46.0


@dataclass(frozen=True)
class SpeedPoint:
    """Decode speed after ``tokens`` of context; None where the configuration does not run."""

    tokens: int
    tok_s: float | None
    low: float | None = None
    high: float | None = None
    offload: bool = False
    """Part of the model runs from system RAM here (an uncalibrated figure)."""


def speed_chart(slug: str, title: str, points: list[SpeedPoint]) -> str:
    """A line of decode tok/s over a log-2 context axis; missing points end the line."""
    width, height = 640.0, 300.0
    svg = Svg(width, height, title, _describe(points), slug)
    known = [p for p in points if p.tok_s is not None]
    top = nice_max(max([p.high or p.tok_s or 0.0 for p in known], default=1.0) * 1.05)
    frame = _Frame(width, height, top, [p.tokens for p in points])
    _axes(svg, frame, points)
    band = [(frame.x(p.tokens), frame.y(p.high or 0)) for p in known if p.high is not None]
    band += [(frame.x(p.tokens), frame.y(p.low or 0)) for p in reversed(known) if p.low]
    if len(band) > 2:
        svg.path([*band, band[0]], style=f"fill:{color('band')};opacity:0.35;stroke:none")
    line = [(frame.x(p.tokens), frame.y(p.tok_s or 0)) for p in known]
    svg.path(line, style=f"fill:none;stroke:{color('line')};stroke-width:2.5")
    for i, p in enumerate(known):
        x, y = frame.x(p.tokens), frame.y(p.tok_s or 0)
        svg.circle(x, y, 4, color("line"), _tip(p))
        # the first label leans right, off the y-axis tick labels; the last one leans left
        anchor, dx = (
            ("start", 6) if i == 0 else ("end", -6) if i == len(known) - 1 else ("middle", 0)
        )
        svg.text(x + dx, y - 9, fmt.tok_s(p.tok_s), anchor=anchor)
    for p in points:
        if p.tok_s is None:
            svg.text(frame.x(p.tokens), frame.y(0) - 8, "does not fit", anchor="middle")
    return figure(svg, title)


@dataclass(frozen=True)
class _Frame:
    width: float
    height: float
    top: float
    tokens: list[int]

    def x(self, tokens: int) -> float:
        low, high = math.log2(min(self.tokens)), math.log2(max(self.tokens))
        span = (high - low) or 1.0
        plot = self.width - _LEFT - _RIGHT
        return _LEFT + (math.log2(tokens) - low) / span * plot

    def y(self, value: float) -> float:
        plot = self.height - _TOP - _BOTTOM
        return _TOP + plot * (1 - value / self.top)


def _axes(svg: Svg, frame: _Frame, points: list[SpeedPoint]) -> None:
    bottom = frame.y(0)
    svg.line(_LEFT, bottom, frame.width - _RIGHT, bottom)
    svg.line(_LEFT, _TOP, _LEFT, bottom)
    for value in ticks(frame.top):
        svg.line(_LEFT - 4, frame.y(value), _LEFT, frame.y(value))
        svg.text(_LEFT - 8, frame.y(value) + 4, tick_label(value), anchor="end")
    for p in points:
        svg.text(frame.x(p.tokens), bottom + 18, token_label(p.tokens), anchor="middle")
    svg.text(frame.width / 2, frame.height - 6, "tokens already in context", anchor="middle")
    svg.text(
        14,
        frame.height / 2,
        "decode tok/s",
        anchor="middle",
        transform=f"rotate(-90 14 {frame.height / 2:.0f})",
    )


def _tip(p: SpeedPoint) -> str:
    span = f" (range {fmt.tok_s(p.low)}–{fmt.tok_s(p.high)})" if p.low and p.high else ""
    spill = ", offloaded to system RAM: uncalibrated" if p.offload else ""
    return f"{token_label(p.tokens)} context: {fmt.tok_s(p.tok_s)} tok/s{span}{spill}"


def _describe(points: list[SpeedPoint]) -> str:
    parts = [
        f"{token_label(p.tokens)}: "
        + ("does not fit" if p.tok_s is None else f"{fmt.tok_s(p.tok_s)} tok/s")
        + (" with offload" if p.offload else "")
        for p in points
    ]
    return "Decode speed by context length. " + "; ".join(parts) + "."
