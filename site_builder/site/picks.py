"""Choosing what a matrix cell shows: the best quant and runtime of a model on a combo.

The best configuration is the most precise quant that runs, on the fastest rated runtime for
it: verdict first (fits, tight, offload, no-fit, unsupported), then the model's effective bits
per weight in that quant, to the nearest half bit (the most for configurations that run, the
fewest for those that do not; two files of nearly the same precision, such as gpt-oss in MXFP4
and in Q8_0, tie), then decode speed. Every
choice is made from engine results, never from editorial text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine import Estimate, effective_bits_per_weight
from site_builder.site.results import HEADLINE_CONTEXT, Query, Results, in_vram, is_runnable, rank

LOW_BITS = 3.5
"""Below this many bits per weight, quality loss is large enough to call it a compromise."""


@dataclass(frozen=True)
class Pick:
    """A chosen configuration and the engine's result for it."""

    query: Query
    estimate: Estimate


def best(catalog: Catalog, candidates: Iterable[tuple[Query, Estimate]]) -> Pick | None:
    """The best of ``candidates`` (see module docstring), or None when there are none."""
    ranked = sorted(candidates, key=lambda item: _key(catalog, *item))
    return Pick(*ranked[0]) if ranked else None


def best_for(
    catalog: Catalog, results: Results, combo: str, model: str, context: int = HEADLINE_CONTEXT
) -> Pick | None:
    """The best configuration of ``model`` on ``combo`` at ``context``."""
    return best(catalog, results.for_cell(combo, model, context))


def best_per_model(catalog: Catalog, results: Results, combo: str) -> dict[str, Pick]:
    """Model slug -> best headline configuration on ``combo`` (models without any are left out).

    Many pages ask for the same combo; the answer is kept on ``results``."""
    key = ("best_per_model", combo)
    if key not in results.memo:
        picks = {}
        for model in catalog.models:
            pick = best_for(catalog, results, combo, model)
            if pick is not None:
                picks[model] = pick
        results.memo[key] = picks
    cached: dict[str, Pick] = results.memo[key]
    return cached


def best_for_quant(
    catalog: Catalog, results: Results, combo: str, model: str, quant: str, context: int
) -> Pick | None:
    """The fastest rated runtime for one quant of one model at one context."""
    return best(
        catalog, [(q, e) for q, e in results.for_cell(combo, model, context) if q.quant == quant]
    )


def is_sound(catalog: Catalog, pick: Pick) -> bool:
    """The pick runs in VRAM at :data:`LOW_BITS` bits per weight or more."""
    return in_vram(pick.estimate) and precision(catalog, pick.query) >= LOW_BITS


def combos_running(catalog: Catalog, results: Results, model: str) -> int:
    """How many combos run ``model`` soundly (see :func:`is_sound`) at the headline context."""
    return sum(
        1
        for combo in catalog.combos
        if (pick := best_per_model(catalog, results, combo).get(model)) and is_sound(catalog, pick)
    )


def precision(catalog: Catalog, query: Query) -> float:
    """The model's effective bits per weight in the query's quant, to 3 decimals (the
    configurator ranks by the same published figure)."""
    model, quant = catalog.models[query.model], catalog.quants[query.quant]
    return round(effective_bits_per_weight(model, quant), 3)


def _key(catalog: Catalog, query: Query, estimate: Estimate) -> tuple[int, float, float, Query]:
    """Verdict first; among runnable results the most precise quant, among the rest the
    smallest (the one closest to fitting); then speed."""
    bits = math.floor(precision(catalog, query) * 2 + 0.5) / 2
    speed = estimate.decode_tok_s or 0.0
    return (rank(estimate), -bits if is_runnable(estimate) else bits, -speed, query)
