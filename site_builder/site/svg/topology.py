"""Topology diagram: the host, the cards, and the links between them with their bandwidth."""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine.names import plural
from site_builder.site.svg.canvas import Svg, color, figure


@dataclass(frozen=True)
class Card:
    """One card as drawn: its short name, memory, and its own host link."""

    label: str
    vram_gib: float
    host_link: str


@dataclass(frozen=True)
class Topology:
    """What the diagram shows."""

    host: str
    cards: list[Card]
    link_kind: str
    link_name: str
    link_gb_s: float
    p2p: bool
    machines: int = 1
    """Identical machines, each as drawn (the cards are one machine's)."""
    network: str = ""
    """The link between the machines, by name, when there are several."""


_WIDTH, _CARD_H, _HOST_Y, _CARD_Y = 640.0, 64.0, 14.0, 130.0


def topology_chart(slug: str, title: str, topo: Topology) -> str:
    """Host box on top, cards in a row, PCIe lines down, a bridge or a host path between cards."""
    height = _CARD_Y + _CARD_H + (70 if len(topo.cards) > 1 else 30)
    height += 30 if topo.machines > 1 else 0
    svg = Svg(_WIDTH, height, title, _describe(topo), slug)
    if topo.machines > 1:
        label = f"× {topo.machines} machines, joined by {topo.network}"
        svg.text(_WIDTH / 2, height - 12, label, anchor="middle", font_weight="bold")
    if topo.link_kind == "unified-memory":
        _unified(svg, topo)
        return figure(svg, title)
    boxes = _card_boxes(len(topo.cards))
    _host(svg, topo.host)
    for (x, w), card in zip(boxes, topo.cards, strict=True):
        _card(svg, x, w, card)
    if len(topo.cards) > 1:
        _between(svg, boxes, topo)
    return figure(svg, title)


def _card_boxes(count: int) -> list[tuple[float, float]]:
    gap = 24.0
    width = min(150.0, (_WIDTH - 40 - gap * (count - 1)) / count)
    start = (_WIDTH - (count * width + (count - 1) * gap)) / 2
    return [(start + i * (width + gap), width) for i in range(count)]


def _host(svg: Svg, host: str) -> None:
    label = f"CPU / PCIe root · {host.split(',')[0].split(';')[0].split(':')[0]}"
    svg.rect(_WIDTH / 2 - 170, _HOST_Y, 340, 44, color("host"), rx="8", opacity="0.35")
    svg.text(_WIDTH / 2, _HOST_Y + 27, label[:48], anchor="middle", font_size="13")


def _card(svg: Svg, x: float, width: float, card: Card) -> None:
    mid = x + width / 2
    svg.line(mid, _HOST_Y + 44, mid, _CARD_Y, stroke_width="2")
    svg.text(mid + 6, (_HOST_Y + 44 + _CARD_Y) / 2 + 4, card.host_link, font_size="11")
    svg.rect(x, _CARD_Y, width, _CARD_H, color("card"), rx="6", opacity="0.85")
    svg.text(mid, _CARD_Y + 27, card.label, anchor="middle", fill="#ffffff", font_weight="bold")
    svg.text(mid, _CARD_Y + 47, f"{card.vram_gib:g} GiB", anchor="middle", fill="#ffffff")


def _between(svg: Svg, boxes: list[tuple[float, float]], topo: Topology) -> None:
    y = _CARD_Y + _CARD_H + 22
    first, last = boxes[0], boxes[-1]
    left, right = first[0] + first[1] / 2, last[0] + last[1] / 2
    style = (
        "stroke-width:5" if topo.link_kind == "nvlink" else "stroke-width:2;stroke-dasharray:6 4"
    )
    svg.line(left, _CARD_Y + _CARD_H, left, y, stroke=color("link"), style=style)
    svg.line(right, _CARD_Y + _CARD_H, right, y, stroke=color("link"), style=style)
    svg.line(left, y, right, y, stroke=color("link"), style=style)
    route = "direct bridge" if topo.link_kind == "nvlink" else "through the CPU"
    p2p = "P2P on" if topo.p2p else "P2P off"
    label = f"{topo.link_name}: {topo.link_gb_s:g} GB/s per direction, {route}, {p2p}"
    svg.text(_WIDTH / 2, y + 20, label, anchor="middle")


def _unified(svg: Svg, topo: Topology) -> None:
    card = topo.cards[0]
    svg.rect(_WIDTH / 2 - 170, _CARD_Y - 60, 340, 90, color("card"), rx="10", opacity="0.85")
    svg.text(_WIDTH / 2, _CARD_Y - 22, card.label, anchor="middle", fill="#ffffff")
    svg.text(
        _WIDTH / 2,
        _CARD_Y + 2,
        f"{card.vram_gib:g} GiB unified memory",
        anchor="middle",
        fill="#ffffff",
    )


def _describe(topo: Topology) -> str:
    cards = ", ".join(f"{c.label} ({c.vram_gib:g} GiB, {c.host_link})" for c in topo.cards)
    link = (
        f" Cards linked by {topo.link_name} at {topo.link_gb_s:g} GB/s per direction; "
        f"peer-to-peer {'on' if topo.p2p else 'off'}."
        if len(topo.cards) > 1
        else ""
    )
    machines = (
        f" {topo.machines} such machines, joined by {topo.network}." if topo.machines > 1 else ""
    )
    return f"Host {topo.host} with {plural(len(topo.cards), 'card')}: {cards}.{link}{machines}"
