"""The evaluate stage: every engine result and recommendation the site shows, computed once
before any page renders, then frozen.

In order: the recommender's candidates for every combo x model (they include the standard
grid) -> the measured benchmarks' conditions (accuracy points and evidence labels) -> the
recommendations -> what depends on them (each quant's best runtime at the other contexts, the
headline speed curves, stack workloads, guide placeholders). Pages, the API and the prose check
only read the result: a query nobody planned raises instead of calling the engine. (The
configurator's build-your-own tables are not here: the reader's browser works out the one it
asks for, :mod:`site_builder.site.custom`.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from site_builder.catalog import Catalog
from site_builder.engine import Estimate, accuracy_points
from site_builder.engine.accuracy import calibration
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.recommend import Candidate, choose
from site_builder.engine.workloads import HEADLINE
from site_builder.site import content, context_memory, shards, sidecar
from site_builder.site.accuracy import pending_config
from site_builder.site.costs import combo_costs
from site_builder.site.memo import Memo, answers_only, benchmarks_stamp
from site_builder.site.pages import charts, matrix, stack
from site_builder.site.picks import split_choices
from site_builder.site.results import (
    ContextJob,
    Query,
    Results,
    evaluated,
    is_standard,
    other_context_queries,
)
from site_builder.site.store import Store
from site_builder.site.sweep import Asked, Half, Swept, sweep
from site_builder.site.tables import Rows

BATCH_COMBOS = 8
"""How many combos a build with a store evaluates at a time (their results are then stored
and let go, :meth:`Results.seal`)."""


def evaluate(
    catalog: Catalog,
    content_dir: Path,
    for_pages: bool = True,
    memo: Memo | None = None,
    store: Store | None = None,
    only: Collection[str] | None = None,
) -> Results:
    """Every planned engine result and recommendation, frozen. The sweeps ask each
    configuration once, so the engine keeps no memo of plans except where other contexts reuse
    them. Without ``for_pages`` (``validate``: the checks only), the other context lengths,
    which only the configurator and the API read, are not computed. With a ``memo`` (the live
    preview, :mod:`site_builder.site.memo`), answers about combos an edit did not touch are
    taken from it instead of the engine, and it keeps this evaluation's answers. With a
    ``store`` (a build), the combos are evaluated :data:`BATCH_COMBOS` at a time and each
    batch's results are written there once complete, so memory holds one batch
    (:mod:`site_builder.site.store`); with a sealing store, in worker processes, one a core
    (:mod:`site_builder.site.shards`); the results are the same. With ``only`` (``validate``),
    only those combos are evaluated, and the results refuse questions about the others."""
    lookups = prepare(catalog, remember_plans=False)
    scope = None if only is None else frozenset(only)
    results = Results(catalog, lookups=lookups, recall=memo, store=store, scope=scope)
    known, whole = None, False
    whole_shelves: Collection[str] = ()
    if memo is not None:
        memo.start(catalog)
        whole = memo.whole()
        known = memo.swept(catalog, whole)
        if whole:
            whole_shelves = set(memo.parts)
            for combo, part in memo.parts.items():
                results.keep(combo, part.shelf, part.counted)

    for combo in catalog.combos:
        if store is not None and combo in store.reusable and (scope is None or combo in scope):
            results.reuse(combo)
    results.stated = _stated(catalog, content_dir)
    sealing = store if store is not None and store.sealing else None
    step = Step(results, lookups, sealing, for_pages, memo, known, whole, whole_shelves)
    todo = list(batches(catalog, sealing, results.stored, scope))
    asked: Asked = {}
    if sealing is not None and memo is None and shards.worth_it(len(todo)):
        _benchmarks(results)
        shards.evaluated(results, todo, step)
    else:
        for number, combos in enumerate(todo):
            asked = step(combos, first=number == 0)
    if for_pages:
        context_memory.remember(results)
    results.freeze()
    if memo is not None:
        _remember(memo, results, asked, whole)
    return results


@dataclass(frozen=True)
class Step:
    """The evaluate stage's work on a batch of combos, everything pages read of them:
    the sweep, the recommendations, the money figures and split choices, the queries pages
    read one by one and the stated ones; then the batch is sealed (with a sealing store,
    written there and let go). Called with each batch in turn, in one process or in
    :mod:`site_builder.site.shards`' workers."""

    results: Results
    lookups: Lookups
    sealing: Store | None
    """The results' store when it is sealing (each batch written there and let go)."""
    for_pages: bool
    memo: Memo | None
    known: Swept | None
    whole: bool
    whole_shelves: Collection[str]
    """Combos whose shelf the memo keeps whole: the complete shelf of an evaluation of the
    same combo, shared entities and content, so it already answers every dependent query."""

    def __call__(self, combos: list[str], first: bool) -> Asked:
        """Evaluate ``combos`` (the ``first`` batch also evaluates the benchmarks)."""
        results, memo, lookups = self.results, self.memo, self.lookups
        catalog = results.catalog
        known = self.known
        asked, swept = sweep(catalog, lookups, each_half=self._contexts, known=known, combos=combos)
        if known is not None and known.asked and self.for_pages and not self.whole:
            results.pending.append(_kept_contexts(results, lookups))
        results.add(swept)
        if first:
            _benchmarks(results)
        for (combo, model), configs in asked.items():
            kept = memo.recommendation(combo, model) if memo is not None else None
            if kept is None:
                found = [Candidate(c, swept[q]) for q, c in configs.items()]
                kept = choose(catalog, model, HEADLINE, found, results.estimator)
            results.recommendations[(combo, model)] = kept
        for combo in combos:
            make = partial(combo_costs, results, combo)
            results.costs[combo] = answers_only(memo, ("costs", combo), [combo], make)
            splits = partial(split_choices, results, combo)
            results.splits[combo] = answers_only(memo, ("splits", combo), [combo], splits)
        planning = [c for c in combos if c not in self.whole_shelves]
        for combo in planning:
            curve = charts.planned(results, [combo])
            results.page_queries[combo] = [*curve, *matrix.planned(results, [combo])]
        _add(results, dependent_queries(results, planning, results.stated), lookups)
        results.seal(combos)
        if self.sealing is not None:
            _waited(results.pending[:-2])
            results.written(keep=2)
        return asked

    def _contexts(self, half: Half) -> None:
        """Start evaluating the other context lengths of ``half``'s combos."""
        if self.for_pages:
            job = _other_contexts(self.results.catalog, half, self.lookups, self.sealing)
            self.results.pending.append(sidecar.start_staged(job))


def batches(
    catalog: Catalog,
    store: Store | None,
    reused: Collection[str] = (),
    scope: Collection[str] | None = None,
) -> Iterator[list[str]]:
    """The combos to evaluate (all, or those in ``scope``, but the ``reused``) in the order
    they are evaluated: all at once without a sealing ``store``, else :data:`BATCH_COMBOS` at a
    time (in the catalog's order either way; at least one batch, maybe empty: the first also
    evaluates the benchmarks)."""
    combos = [
        combo
        for combo in catalog.combos
        if combo not in reused and (scope is None or combo in scope)
    ]
    if store is None or not combos:
        yield combos
        return
    for start in range(0, len(combos), BATCH_COMBOS):
        yield combos[start : start + BATCH_COMBOS]


def _waited(pending: list[ContextJob]) -> None:
    """Wait for the other context lengths of earlier batches (a build keeps at most the last
    batch's processes running; their values are read again later, kept)."""
    for size, found in pending:
        size.result()
        found.result()


def _kept_contexts(results: Results, lookups: Lookups) -> ContextJob:
    """The other context lengths of the combos whose sweep the memo kept (as
    :func:`_other_contexts` finds them, answered from the memo)."""
    memo = results.recall
    assert memo is not None
    queries = memo.contexts()
    found = _recalled(results, queries, lookups)
    return sidecar.Pending(len(queries)), sidecar.Pending(found)


def _remember(memo: Memo, results: Results, asked: Asked, whole: bool) -> None:
    """Give the memo every answer of this evaluation (the other contexts included; the
    combos whose shelf it kept ``whole`` keep their list of other-context queries)."""
    contexts = [q for _, more in results.pending for q in more.result()]
    results.complete()
    configs = results._by_config.items()
    sizes = results.frozen_sizes
    memo.remember(asked, results.shelves, configs, results.recommendations, contexts, sizes, whole)


def _other_contexts(
    catalog: Catalog, half: Half, lookups: Lookups, store: Store | None
) -> Callable[[Callable[[int], None]], dict[Query, Estimate]]:
    """The job that evaluates the other context lengths of ``half``'s combos (they read each
    combo's headline grid only), telling how many it found first; a second process runs it as
    soon as the half is known. With a ``store``, it writes them there and returns nothing."""

    def job(tell: Callable[[int], None]) -> dict[Query, Estimate]:
        grid = {q: e for q, e in half.items() if is_standard(q)}
        queries = [q for q in other_context_queries(catalog, grid) if q not in grid]
        tell(len(queries))
        reusing = lookups._replace(plans={})  # each plan serves several contexts there
        found = evaluated(catalog, queries, reusing)
        if store is None:
            return found
        store.put_contexts(found, Rows(catalog))
        return {}

    return job


def _add(
    results: Results,
    queries: Iterable[Query],
    lookups: Lookups,
) -> None:
    """Evaluate the ``queries`` not evaluated yet."""
    results.add(_recalled(results, results.missing(queries), lookups))


def _recalled(results: Results, queries: list[Query], lookups: Lookups) -> dict[Query, Estimate]:
    """The answers to ``queries``, in order: the memo's where it has them (the live
    preview), the engine's for the rest."""
    memo = results.recall
    kept = {} if memo is None else {q: e for q in queries if (e := memo.query(q)) is not None}
    fresh = evaluated(results.catalog, [q for q in queries if q not in kept], lookups)
    return {q: kept[q] if q in kept else fresh[q] for q in queries}


def _benchmarks(results: Results) -> None:
    """The conditions of every benchmark: measured ones for accuracy points and evidence
    labels, pending ones for their estimate."""
    catalog = results.catalog
    results.memo[("accuracy_points",)] = accuracy_points(catalog, results.estimator)
    results.memo[("calibration",)] = _calibration(results)
    for bench in catalog.benchmarks.values():
        results.estimator(catalog, pending_config(bench))


def _calibration(results: Results) -> Any:
    """The cross-validated calibration (a live preview keeps it while the combos benchmarks
    name are unchanged but for their text: :func:`~site_builder.site.memo.benchmarks_stamp`)."""
    catalog = results.catalog
    memo = results.recall
    if memo is None:
        return calibration(catalog)
    stamp = benchmarks_stamp(catalog)
    return memo.keep_stamped(("calibration",), stamp, partial(calibration, catalog))


def dependent_queries(
    results: Results, combos: list[str], stated: dict[str, list[Query]]
) -> Iterator[Query]:
    """Queries pages need on ``combos`` that depend on the first results: the headline speed
    curves, each recommended setup at the matrices' other context lengths, and the ``stated``
    queries (the other contexts of each quant's best runtime are evaluated in second
    processes, :attr:`Results.pending`)."""
    for combo in combos:
        yield from results.page_queries.get(combo, [])
    for combo in combos:
        yield from stated.get(combo, [])


def _stated(catalog: Catalog, content_dir: Path) -> dict[str, list[Query]]:
    """Stack workloads and guide placeholders, by combo (every one names a combo of the
    catalog)."""
    found: dict[str, list[Query]] = {}
    for query in (*stack.planned(catalog), *content.planned(content_dir, catalog)):
        found.setdefault(query.combo, []).append(query)
    return found
