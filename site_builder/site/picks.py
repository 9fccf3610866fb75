"""What a page shows for a model on a combo: the recommender's answer, read from the results.

The recommendation itself (which runtime, quant and split, and why) is the engine's
(:mod:`site_builder.engine.recommend`), computed once in the evaluate stage; this module only
turns answers into the site's queries and derives the few page-level choices built on them
(the combo page's worked example, each recommended setup at the matrices' context lengths).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from site_builder.catalog import Catalog
from site_builder.engine import Estimate
from site_builder.engine.recommend import Answer, Candidate, fastest_of, passes_floor
from site_builder.site.results import (
    CONTEXTS,
    Query,
    Results,
    config_for,
    in_vram,
    query_of,
    rank,
)


@dataclass(frozen=True)
class Pick:
    """A chosen configuration and the engine's result for it."""

    query: Query
    estimate: Estimate


def of_answer(answer: Answer) -> Pick:
    """The pick of a recommender answer."""
    return Pick(query_of(answer.config), answer.estimate)


def headline(results: Results, combo: str, model: str) -> Pick | None:
    """The recommender's headline answer for ``model`` on ``combo`` (None when nothing runs)."""
    answer = results.headline(combo, model)
    return of_answer(answer) if answer else None


def headlines(results: Results, combo: str) -> dict[str, Pick]:
    """Model slug -> headline answer on ``combo`` (models that run nowhere left out)."""
    found = {m: headline(results, combo, m) for m in results.catalog.models}
    return {m: p for m, p in found.items() if p is not None}


def headline_contexts(results: Results, combo: str) -> Iterator[Query]:
    """Every model's headline setup on ``combo`` at each of the matrices' context lengths up to
    the model's longest (what a combo's matrix shows)."""
    for pick in headlines(results, combo).values():
        limit = results.catalog.models[pick.query.model].max_context_tokens
        yield from (pick.query._replace(context=c) for c in CONTEXTS if c <= limit)


def headline_pick(results: Results, combo: str) -> Pick | None:
    """The combo page's worked example: the largest model whose answer runs in VRAM at or
    above the quality floor, else the largest that runs in VRAM, else the largest that runs."""
    picks = list(headlines(results, combo).values())
    running = [p for p in picks if in_vram(p.estimate)]
    sound = [p for p in running if is_sound(results.catalog, p)]
    pool = sound or running or picks
    if not pool:
        return None
    catalog = results.catalog
    return max(pool, key=lambda p: (catalog.models[p.query.model].params_total_b, p.query))


def split_choices(results: Results, combo: str) -> dict[str, Candidate]:
    """The worked example's model on ``combo`` under each split among its recommender
    candidates: the headline rule among the candidates of that split, else the one closest to
    running (the combo page's table of split strategies). Worked out in the evaluate stage,
    where the candidates are in memory (a build that stores a combo keeps its recommendations
    without them)."""
    pick = results.worked_example(combo)
    if pick is None:
        return {}
    pools: dict[str, list[Candidate]] = {}
    for candidate in results.recommendation(combo, pick.query.model).candidates:
        pools.setdefault(candidate.estimate.split, []).append(candidate)
    found = {
        split: fastest_of(results.catalog, pool) or closest(pool) for split, pool in pools.items()
    }
    return {split: chosen for split, chosen in sorted(found.items()) if chosen is not None}


def closest(pool: list[Candidate]) -> Candidate | None:
    """When nothing runs: the candidate whose verdict is closest to running."""
    return min(
        pool, key=lambda c: (rank(c.estimate), c.config.runtime, c.config.quant), default=None
    )


def is_sound(catalog: Catalog, pick: Pick) -> bool:
    """The pick runs in VRAM at or above the recommender's quality floor."""
    return in_vram(pick.estimate) and passes_floor(catalog, config_for(catalog, pick.query))


FLOOR_NOTE = "below the quality floor"
"""What pages append to a setup whose quant loses more quality than the floor."""


def floor_note(catalog: Catalog, pick: Pick) -> str:
    """:data:`FLOOR_NOTE` when ``pick``'s quant is below the recommender's quality floor."""
    return "" if passes_floor(catalog, config_for(catalog, pick.query)) else FLOOR_NOTE


def combos_running(results: Results, model: str) -> int:
    """How many combos run ``model`` in VRAM at or above the quality floor (headline answer)."""
    return sum(
        1
        for combo in results.catalog.combos
        if (pick := headline(results, combo, model)) and is_sound(results.catalog, pick)
    )


def best(catalog: Catalog, candidates: Iterable[tuple[Query, Estimate]]) -> Pick | None:
    """The best of ``candidates`` of one quant: verdict first, then speed."""
    ranked = sorted(
        candidates, key=lambda item: (rank(item[1]), -(item[1].decode_tok_s or 0.0), item[0])
    )
    return Pick(*ranked[0]) if ranked else None
