"""What a combo is good and bad at, derived from the engine's results (never from prose).

Models are grouped by size class; for each class the page names the largest model that runs in
VRAM on the combo, at its best quant and speed. Classes with no model in VRAM, models that fit
only below :data:`LOW_BITS` bits per weight, and models slower than :data:`SLOW_TOK_S` make the
"bad at" list.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.site import fmt
from site_builder.site.context import Link, decode_shown, model_link, reason
from site_builder.site.evidence import Shown
from site_builder.site.pages import SiteData
from site_builder.site.picks import Pick, best_per_model, is_sound, precision
from site_builder.site.results import in_vram

SIZE_CLASSES: tuple[tuple[str, float, float], ...] = (
    ("Small (up to 10B)", 0.0, 10.0),
    ("Mid-size (10B to 40B)", 10.0, 40.0),
    ("Large (40B to 100B)", 40.0, 100.0),
    ("Frontier (over 100B)", 100.0, float("inf")),
)
SLOW_TOK_S = 10.0
"""Below this decode speed, interactive chat feels slower than reading."""


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
    picks = best_per_model(data.catalog, data.results, combo)
    rows = []
    for name, low, high in SIZE_CLASSES:
        members = [p for slug, p in picks.items() if low < _params(data, slug) <= high]
        if members:
            rows.append(_class_row(data, name, members))
    return rows


def weaknesses(data: SiteData, combo: str) -> list[Weakness]:
    """Models that do not run in VRAM, fit only at low precision, or decode slowly."""
    found = []
    for slug, pick in best_per_model(data.catalog, data.results, combo).items():
        why = _weakness(data, pick)
        if why:
            found.append(
                (-_params(data, slug), slug, Weakness(model_link(data.catalog, slug), why))
            )
    return [weakness for *_, weakness in sorted(found)]


def _class_row(data: SiteData, name: str, members: list[Pick]) -> ClassRow:
    running = [p for p in members if in_vram(p.estimate)]
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


def _weakness(data: SiteData, pick: Pick) -> str:
    estimate, query = pick.estimate, pick.query
    if not in_vram(estimate):
        return f"{estimate.verdict}: {reason(estimate)}".rstrip(": ")
    bits = precision(data.catalog, query)
    if not is_sound(data.catalog, pick):
        return f"fits only at {query.quant} ({bits:.3g} bits per weight)"
    if estimate.decode_tok_s is not None and estimate.decode_tok_s < SLOW_TOK_S:
        speed = fmt.tok_s(estimate.decode_tok_s)
        return f"{speed} tok/s at {query.quant}: slower than reading speed"
    return ""


def _params(data: SiteData, slug: str) -> float:
    return data.catalog.models[slug].params_total_b
