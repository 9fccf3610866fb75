"""Predicted against measured, on log-log axes, with the y = x line and a ±25 % band."""

from __future__ import annotations

import math
from dataclasses import dataclass

from site_builder.site.svg.canvas import Svg, color, figure

_LEFT, _RIGHT, _TOP, _BOTTOM, _SIZE = 64.0, 24.0, 20.0, 50.0, 420.0
_SERIES_COLORS = ("point", "line", "kv")


@dataclass(frozen=True)
class ScatterPoint:
    """One benchmark result: the measured value and the engine's prediction (same unit)."""

    label: str
    measured: float
    predicted: float
    series: str = ""


def scatter_chart(slug: str, title: str, unit: str, points: list[ScatterPoint]) -> str:
    """Log-log scatter; a point on the diagonal is a perfect prediction."""
    width, height = _SIZE + _LEFT + _RIGHT, _SIZE + _TOP + _BOTTOM
    svg = Svg(width, height, title, _describe(points, unit), slug)
    values = [v for p in points for v in (p.measured, p.predicted)] or [1.0, 10.0]
    low = 10 ** math.floor(math.log10(min(values)))
    high = 10 ** math.ceil(math.log10(max(values)))
    scale = _Scale(low, high)
    _axes(svg, scale, unit)
    band = [(scale.x(v), scale.y(v * 1.25)) for v in (low, high)]
    band += [(scale.x(v), scale.y(v / 1.25)) for v in (high, low)]
    svg.path([*band, band[0]], style=f"fill:{color('band')};opacity:0.3;stroke:none")
    svg.line(scale.x(low), scale.y(low), scale.x(high), scale.y(high), stroke_dasharray="4 4")
    series = sorted({p.series for p in points})
    for p in points:
        tip = f"{p.label}: measured {p.measured:g}, predicted {p.predicted:.1f} {unit}"
        fill = color(_SERIES_COLORS[series.index(p.series) % len(_SERIES_COLORS)])
        svg.circle(scale.x(p.measured), scale.y(p.predicted), 5, fill, tip)
    for i, name in enumerate(series):
        if name:
            fill = color(_SERIES_COLORS[i % len(_SERIES_COLORS)])
            svg.circle(_LEFT + 16, _TOP + 12 + i * 18, 5, fill)
            svg.text(_LEFT + 26, _TOP + 16 + i * 18, name)
    return figure(svg, title, shape="square")


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float

    def _frac(self, value: float) -> float:
        span = math.log10(self.high) - math.log10(self.low)
        return (math.log10(min(max(value, self.low), self.high)) - math.log10(self.low)) / span

    def x(self, value: float) -> float:
        return _LEFT + self._frac(value) * _SIZE

    def y(self, value: float) -> float:
        return _TOP + (1 - self._frac(value)) * _SIZE


def _axes(svg: Svg, scale: _Scale, unit: str) -> None:
    bottom, right = _TOP + _SIZE, _LEFT + _SIZE
    svg.line(_LEFT, bottom, right, bottom)
    svg.line(_LEFT, _TOP, _LEFT, bottom)
    decade = scale.low
    while decade <= scale.high * 1.0001:
        svg.text(scale.x(decade), bottom + 16, f"{decade:g}", anchor="middle")
        svg.text(_LEFT - 6, scale.y(decade) + 4, f"{decade:g}", anchor="end")
        svg.line(scale.x(decade), bottom, scale.x(decade), bottom + 4)
        decade *= 10
    svg.text(_LEFT + _SIZE / 2, bottom + 38, f"measured ({unit})", anchor="middle")
    svg.text(
        16,
        _TOP + _SIZE / 2,
        f"predicted ({unit})",
        anchor="middle",
        transform=f"rotate(-90 16 {_TOP + _SIZE / 2:.0f})",
    )


def _describe(points: list[ScatterPoint], unit: str) -> str:
    if not points:
        return "No measured benchmarks yet."
    parts = [
        f"{p.label}: measured {p.measured:g}, predicted {p.predicted:.1f} {unit}" for p in points
    ]
    return "Engine predictions against measurements. " + "; ".join(parts) + "."
