"""The evaluate stage's main sweep on two cores: every combo x model's recommender candidates
(they include the standard grid), the combos shared between this process and a forked one.

The forked process evaluates its combos and sends back only the estimates, in order; this one
meanwhile evaluates its own and works out the other's candidates again (cheaper than receiving
them). A single combo (what the live preview and a rebuild evaluate after an edit to one) is
shared model by model instead. Receiving results costs about a fifth of computing them (they
are unpickled), but the fork runs without the cyclic garbage collector, so each takes half.
The engine is pure, so the split changes no result: both halves are merged in the catalog's
order, as one process would have produced them (a test holds a shared sweep equal to a
one-process one). Where jobs run in this process (``SITE_BUILDER_PROCESSES=1``, or a worker
of :mod:`site_builder.site.shards`, which has a core of its own), nothing is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate
from site_builder.engine.estimate import Lookups
from site_builder.engine.recommend import candidates
from site_builder.engine.workloads import HEADLINE
from site_builder.site import sidecar
from site_builder.site.results import (
    HEADLINE_CONTEXT,
    Query,
    base_config,
    config_for,
    estimate_all,
    headline_queries,
    query_of,
)

FORK_SHARE = 0.5
"""The forked process's share of the combos (measured on the shipped catalog, 2 cores: 0.45
and 0.55 both finished later)."""

Asked = dict[tuple[str, str], dict[Query, Config]]
"""(combo, model) -> the recommender's candidates by query, in the order it asks them."""


Half = dict[Query, Estimate]
"""The estimates of some combos (every query of each)."""


def sweep(
    catalog: Catalog,
    lookups: Lookups,
    share: float = FORK_SHARE,
    each_half: Callable[[Half], None] = lambda _: None,
    known: Swept | None = None,
    combos: list[str] | None = None,
) -> tuple[Asked, dict[Query, Estimate]]:
    """Every combo x model's candidates and the estimates of them and of the headline grid's
    queries they leave out (:func:`outside`), in the catalog's order. ``each_half`` is called
    with each half's estimates as soon as this process has them (what reads whole combos can
    start on the first). The combos of ``known`` (the live preview's results of combos an edit
    did not touch, :mod:`site_builder.site.memo`) are taken from it, not evaluated: their
    candidates, and their estimates where ``known`` has them. Of ``combos`` only, when given
    (in the catalog's order)."""
    share = share if sidecar.forking() else 0.0  # one process: nothing to share
    have = known or Swept({}, {})
    kept = have.combos()
    combos = list(catalog.combos) if combos is None else combos
    todo = [c for c in combos if c not in kept]
    if len(todo) == 1:
        asked, found = _one_combo(catalog, todo[0], lookups, share)
        each_half(found)
    else:
        asked, found = _combos(catalog, todo, lookups, share, each_half)
    found |= have.found
    asked |= have.asked
    ordered = {(c, m): asked[(c, m)] for c in combos for m in catalog.models}
    # without kept estimates, only the evaluated combos' queries can be answered: look up those
    answered = ordered if have.found else {k: v for k, v in ordered.items() if k[0] not in kept}
    queries = [*_queries(answered), *outside(catalog, answered)]
    return ordered, {q: found[q] for q in queries if q in found}


def _combos(
    catalog: Catalog,
    combos: list[str],
    lookups: Lookups,
    share: float,
    each_half: Callable[[Half], None],
) -> tuple[Asked, dict[Query, Estimate]]:
    """The candidates and estimates of ``combos``, shared between this process and a forked
    one (:func:`shares`); ``each_half`` is called with each half as soon as it is here."""
    mine, theirs = shares(combos, share) if len(combos) > 1 else (combos, [])
    pending: sidecar.Pending[list[Estimate]] = sidecar.Pending([])
    if theirs:
        pending = sidecar.start(lambda: estimates(catalog, asked_of(catalog, theirs), lookups))
    asked = asked_of(catalog, mine)
    found = by_query(catalog, asked, estimates(catalog, asked, lookups))
    if mine:
        each_half(found)
    their_asked = asked_of(catalog, theirs)
    their_found = by_query(catalog, their_asked, pending.result())
    if theirs:
        each_half(their_found)
    return asked | their_asked, found | their_found


def _one_combo(
    catalog: Catalog, combo: str, lookups: Lookups, share: float
) -> tuple[Asked, dict[Query, Estimate]]:
    """One combo's candidates and estimates (what an edit to one combo leaves to evaluate),
    its models shared between this process and a forked one as :func:`shares` shares combos."""
    asked = asked_of(catalog, [combo])
    mine, theirs = shares(list(catalog.models), share)
    their_asked = {(combo, m): asked[(combo, m)] for m in theirs}
    pending: sidecar.Pending[list[Estimate]] = sidecar.Pending([])
    if their_asked:
        pending = sidecar.start(lambda: estimates(catalog, their_asked, lookups))
    my_asked = {(combo, m): asked[(combo, m)] for m in mine}
    found = by_query(catalog, my_asked, estimates(catalog, my_asked, lookups))
    found |= by_query(catalog, their_asked, pending.result())
    return asked, found


class Swept(NamedTuple):
    """Part of a sweep's answer: candidates by (combo, model), estimates by query."""

    asked: Asked
    found: dict[Query, Estimate]

    def combos(self) -> set[str]:
        return {combo for combo, _ in self.asked}


def shares(combos: list[str], share: float) -> tuple[list[str], list[str]]:
    """(this process's combos, the fork's): a combo goes to the fork whenever the running share
    passes a whole number, so both get alike mixes of the catalog's order."""
    mine: list[str] = []
    theirs: list[str] = []
    for i, combo in enumerate(combos):
        (theirs if int((i + 1) * share) > int(i * share) else mine).append(combo)
    return mine, theirs


def asked_of(catalog: Catalog, combos: list[str]) -> Asked:
    """The recommender's candidates for every model on ``combos``."""
    return {
        (combo, model): {
            query_of(c): c
            for c in candidates(catalog, base_config(catalog, combo, model), HEADLINE)
        }
        for combo in combos
        for model in catalog.models
    }


def estimates(catalog: Catalog, asked: Asked, lookups: Lookups) -> list[Estimate]:
    """The engine's answers to every candidate of ``asked``, then to the headline grid's
    queries they leave out (:func:`outside`), in order."""
    configs = [c for found in asked.values() for c in found.values()]
    configs += [config_for(catalog, q) for q in outside(catalog, asked)]
    return estimate_all(catalog, configs, lambda _, config: config, lookups)


def outside(catalog: Catalog, asked: Asked) -> list[Query]:
    """The headline grid's queries (:func:`~site_builder.site.results.headline_queries`) that
    ``asked`` leaves out: the recommender asks a model whose window is shorter than the
    headline context at its own window, so only such models' pairs are looked at (the
    candidates at the headline context hold every grid query; a test holds the sweep to the
    whole grid)."""
    return [
        query
        for (combo, model), found in asked.items()
        if next(iter(found), None) is None or next(iter(found)).context != HEADLINE_CONTEXT
        for query in headline_queries(catalog, [combo], [model])
        if query not in found
    ]


def _queries(asked: Asked) -> list[Query]:
    return [q for found in asked.values() for q in found]


def by_query(catalog: Catalog, asked: Asked, answers: list[Estimate]) -> dict[Query, Estimate]:
    """:func:`estimates`' ``answers`` to ``asked``, by the query each answers."""
    return dict(zip(wanted(catalog, asked), answers, strict=True))


def wanted(catalog: Catalog, asked: Asked) -> list[Query]:
    """The queries :func:`estimates` answers, in its order."""
    return [*_queries(asked), *outside(catalog, asked)]
