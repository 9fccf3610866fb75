"""The small HTML pieces every page repeats: a verdict, an evidence label, a figure with its
evidence, a quality-floor warning, and a compare table's cells.

They are functions, not Jinja macros, because a page calls them thousands of times (a compare
table about 2,900: a macro call cost about ten times a function's, a third of the compare
fragments' CPU time). The templates reach them as ``cells`` (``{{ cells.verdict(v) }}``;
``_macros.md.j2``'s ``verdict``, ``evidence``, ``shown`` and ``warn`` call them), and the
compare page renders each combo's cells once for all its pairs
(:mod:`site_builder.site.pages.compare`). Catalog text is escaped with
:func:`~site_builder.site.escape.html_text`; verdicts and labels are the engine's own words.
"""

from __future__ import annotations

from typing import Protocol

from site_builder.site import fmt
from site_builder.site.context import Link
from site_builder.site.escape import html_text
from site_builder.site.evidence import Shown

EVIDENCE_TITLES = {
    "measured": "a benchmark of exactly this configuration",
    "measured-near": (
        "a benchmark of the same hardware under other conditions, scaled by the engine"
    ),
    "estimated": (
        "computed by the engine, calibrated on measurements of this runtime; range in brackets"
    ),
    "uncalibrated": (
        "computed by the engine where too few measurements exist to calibrate this runtime and"
        " metric; a wide range"
    ),
}
"""What each evidence label means, shown when a reader points at it."""

FLOOR_TITLE = (
    "The engine names a setup below the quality floor only when no more precise quant runs here"
)
"""What a quality-floor warning means, shown when a reader points at it."""


def verdict(value: str) -> str:
    """A verdict as a coloured label (``fits``: ``runs in VRAM``)."""
    return f'<span class="verdict verdict-{value}">{fmt.verdict_words(value)}</span>'


def evidence(label: str) -> str:
    """An evidence label (measured, measured-near, estimated, uncalibrated) with its meaning."""
    return f'<span class="ev ev-{label}" title="{EVIDENCE_TITLES[label]}">{label}</span>'


def shown(figure: Shown) -> str:
    """A figure with its unit, its range and its evidence label; a dash when unknown."""
    if not figure.is_known:
        return fmt.DASH
    spread = f' <span class="ev-range">({figure.range})</span>' if figure.range else ""
    return f"{figure.text} {figure.unit}{spread} {evidence(figure.label)}"


def warn(text: str) -> str:
    """A quality-floor warning."""
    return f'<span class="warn" title="{FLOOR_TITLE}">{html_text(text)}</span>'


class Side(Protocol):
    """What :func:`compare_side` reads of a compare table's side."""

    @property
    def verdict(self) -> str: ...
    @property
    def decode(self) -> Shown | None: ...
    @property
    def runtime(self) -> Link | None: ...
    @property
    def quant(self) -> str: ...
    @property
    def warning(self) -> str: ...


def compare_side(side: Side, with_quant: bool) -> str:
    """A compare table's cell: the verdict, the decode speed, the runtime (and the quant, for a
    side's fastest answer) and the quality-floor warning."""
    parts = [verdict(side.verdict)]
    if side.decode:
        parts.append(f" {shown(side.decode)}")
    if side.runtime:
        href, name = html_text(side.runtime.href), html_text(side.runtime.text)
        parts.append(f' · <a href="{href}">{name}</a>')
        if with_quant:
            parts.append(f" {html_text(side.quant)}")
    if side.warning:
        parts.append(f" {warn(side.warning)}")
    return "".join(parts)


def compare_figure(text: str, uncalibrated: bool) -> str:
    """A figure under a compare table's model row, labelled when it is uncalibrated."""
    label = f" {evidence('uncalibrated')}" if uncalibrated else ""
    return f"{html_text(text)}{label}"
