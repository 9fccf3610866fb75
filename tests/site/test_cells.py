"""The HTML pieces pages repeat (site_builder/site/cells.py): exact markup, catalog text
escaped, and the templates' macros giving the same bytes as the functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site import cells, render
from site_builder.site.context import Link
from site_builder.site.evidence import Shown
from site_builder.site.pages.compare import Side

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


FAST = Shown("79.9", "tok/s", "uncalibrated", "55.9–104")
UNCALIBRATED = (
    '<span class="ev ev-uncalibrated" title="computed by the engine where too few measurements'
    ' exist to calibrate this runtime and metric; a wide range">uncalibrated</span>'
)
FLOOR = (
    '<span class="warn" title="The engine names a setup below the quality floor only when no'
    ' more precise quant runs here">below the quality floor</span>'
)


@pytest.mark.parametrize(
    ("side", "with_quant", "html"),
    [
        (
            Side("no-fit", None, None, ""),
            False,
            '<span class="verdict verdict-no-fit">does not fit</span>',
        ),
        (
            Side(
                "fits", FAST, Link("vLLM", "../../runtimes/vllm/"), "NF4", "below the quality floor"
            ),
            True,
            '<span class="verdict verdict-fits">runs in VRAM</span> 79.9 tok/s'
            f' <span class="ev-range">(55.9–104)</span> {UNCALIBRATED}'
            f' · <a href="../../runtimes/vllm/">vLLM</a> NF4 {FLOOR}',
        ),
        (
            Side("offload", Shown("—", "tok/s", "estimated"), Link("llama.cpp", "x/"), "Q4_K_M"),
            False,
            '<span class="verdict verdict-offload">needs offload</span> —'
            ' · <a href="x/">llama.cpp</a>',
        ),
        (
            Side("tight", None, Link("<script>a|b</script>", 'x/"y'), "Q4|<b>"),
            True,
            '<span class="verdict verdict-tight">tight fit</span>'
            ' · <a href="x/&quot;y">&lt;script&gt;a&#124;b&lt;/script&gt;</a> Q4&#124;&lt;b&gt;',
        ),
    ],
)
def test_compare_side(side: Side, with_quant: bool, html: str) -> None:
    assert cells.compare_side(side, with_quant) == html


@pytest.mark.parametrize(
    ("text", "uncalibrated", "html"),
    [
        ("8,494 tok/s", True, f"8,494 tok/s {UNCALIBRATED}"),
        ("$483", False, "$483"),
        ("<i>", False, "&lt;i&gt;"),
    ],
)
def test_compare_figure(text: str, uncalibrated: bool, html: str) -> None:
    assert cells.compare_figure(text, uncalibrated) == html


def test_an_unknown_evidence_label_fails() -> None:
    with pytest.raises(KeyError):
        cells.evidence("guessed")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('m.verdict("unsupported")', cells.verdict("unsupported")),
        ('m.evidence("measured-near")', cells.evidence("measured-near")),
        ("m.shown(fast)", cells.shown(FAST)),
        ("m.shown(unknown)", "—"),
        (
            'm.warn("<below>")',
            '<span class="warn" title="' + cells.FLOOR_TITLE + '">&lt;below&gt;</span>',
        ),
    ],
)
def test_the_macros_are_the_functions(call: str, expected: str) -> None:
    env = render.environment(TEMPLATES)
    template = env.from_string('{% import "_macros.md.j2" as m %}{{ ' + call + " }}")
    unknown = Shown("—", "tok/s", "estimated")
    assert template.render(fast=FAST, unknown=unknown) == expected
