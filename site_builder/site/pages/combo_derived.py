"""What a combo is good and bad at, derived from the recommender's answers (never from prose).

Models are grouped by size class; for each class the page names the largest model whose
headline answer runs in VRAM at or above the quality floor, with its quant and speed. The "bad
at" list is :func:`site_builder.engine.recommend.weakness`: models that do not fit, or whose
best answer decodes slower than reading.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.engine.recommend import weakness_of
from site_builder.site.context import Link, decode_shown, model_link
from site_builder.site.evidence import Shown
from site_builder.site.picks import Pick, headlines, is_sound
from site_builder.site.sitedata import SiteData

SIZE_CLASSES: tuple[tuple[str, float, float], ...] = (
    ("Small (up to 10B)", 0.0, 10.0),
    ("Mid-size (10B to 40B)", 10.0, 40.0),
    ("Large (40B to 100B)", 40.0, 100.0),
    ("Frontier (over 100B)", 100.0, float("inf")),
)


@dataclass(frozen=True)
class ClassRow:
    """A size class and the largest model of it that runs in VRAM (None when none does)."""

    name: str
    model: Link | None
    quant: str
    verdict: str
    decode: Shown | None


@dataclass(frozen=True)
class Weakness:
    """A model the combo handles badly, and why (the engine's words and numbers)."""

    model: Link
    why: str


def size_classes(data: SiteData, combo: str) -> list[ClassRow]:
    """One row per size class that has catalog models."""
    picks = headlines(data.results, combo)
    rows = []
    for name, low, high in SIZE_CLASSES:
        members = [p for slug, p in picks.items() if low < _params(data, slug) <= high]
        if members:
            rows.append(_class_row(data, name, members))
    return rows


def weaknesses(data: SiteData, combo: str) -> list[Weakness]:
    """Models that do not fit or decode slower than reading (the engine's one rule)."""
    found = []
    for slug in data.catalog.models:
        row = data.results.row(combo, slug)  # kept in memory: the combo is not read back
        why = weakness_of(row.headline, row.reason, row.verdict)
        if why:
            found.append(
                (-_params(data, slug), slug, Weakness(model_link(data.catalog, slug), why))
            )
    return [weakness for *_, weakness in sorted(found)]


def _class_row(data: SiteData, name: str, members: list[Pick]) -> ClassRow:
    running = [p for p in members if is_sound(data.catalog, p)]
    if not running:
        return ClassRow(name, None, "", "no-fit", None)
    top = max(running, key=lambda p: (_params(data, p.query.model), p.query.model))
    return ClassRow(
        name=name,
        model=model_link(data.catalog, top.query.model),
        quant=top.query.quant,
        verdict=top.estimate.verdict,
        decode=decode_shown(data.results, top.query, top.estimate),
    )


def _params(data: SiteData, slug: str) -> float:
    return data.catalog.models[slug].params_total_b
