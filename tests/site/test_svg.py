"""The SVG pictures: well-formed, accessible, deterministic, and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from site_builder.engine import CardMemory
from site_builder.site.svg.memory import CardBar, memory_chart
from site_builder.site.svg.scatter import ScatterPoint, scatter_chart
from site_builder.site.svg.speed import SpeedPoint, speed_chart
from site_builder.site.svg.topology import Card, Topology, topology_chart

SVG = "{http://www.w3.org/2000/svg}"
CARD = CardMemory("rtx-4090", 24.0, 18.5, 1.5, 1.1, 0.5, 21.6)


def charts() -> dict[str, str]:
    hostile = "<b>&</b>"
    return {
        "memory": memory_chart("m", f"Memory {hostile}", [CardBar("Card 0", CARD)] * 2),
        "speed": speed_chart(
            "s",
            "Speed",
            [
                SpeedPoint(512, 30.0, 25.0, 35.0),
                SpeedPoint(8192, 25.0, 20.0, 30.0),
                SpeedPoint(32768, 6.0, 5.0, 8.0, offload=True),
                SpeedPoint(131072, None),
            ],
        ),
        "scatter": scatter_chart(
            "a", "Accuracy", "tok/s", [ScatterPoint("x", 20.0, 22.0, "Decode")]
        ),
        "topology": topology_chart(
            "t",
            "Topology",
            Topology(
                "AM5", [Card("RTX 4090", 24, "PCIe 4.0 x8")] * 2, "pcie", "PCIe", 15.75, False
            ),
        ),
    }


@pytest.mark.parametrize("name", sorted(charts()))
def test_chart_is_a_well_formed_accessible_figure(name: str) -> None:
    figure = ET.fromstring(charts()[name])
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}desc") is not None
    assert figure.find("figcaption") is not None


@pytest.mark.parametrize("name", sorted(charts()))
def test_chart_has_no_blank_line_and_is_deterministic(name: str) -> None:
    text = charts()[name]
    assert "\n\n" not in text  # a blank line would end the HTML block inside Markdown
    assert text == charts()[name]


def test_text_is_escaped() -> None:
    assert "Memory &lt;b&gt;&amp;&lt;/b&gt;" in charts()["memory"]


def test_colours_follow_the_theme() -> None:
    text = charts()["memory"]
    assert "var(--chart-weights" in text and 'fill="currentColor"' in text


def test_the_speed_chart_says_which_points_run_from_system_ram() -> None:
    figure = ET.fromstring(charts()["speed"])
    tips = [t.text for t in figure.iter(f"{SVG}title")]
    assert "8K context: 25.0 tok/s (range 20.0–30.0)" in tips
    assert "32K context: 6.0 tok/s (range 5.0–8.0), offloaded to system RAM: uncalibrated" in tips
    desc = figure.find(f"{SVG}svg/{SVG}desc")
    assert desc is not None and "32K: 6.0 tok/s with offload; 128K: does not fit." in (
        desc.text or ""
    )
