"""The engine's results the site shows, and the queries that ask for them.

:mod:`site_builder.site.evaluate` fills a :class:`Results` before any page renders: the
standard grid (every combo x model x runtime on the combo's back-end x swept quant, at the
headline context, and each quant's best runtime at the other contexts), every recommendation
(:mod:`site_builder.engine.recommend`), and the extra configurations pages need (stack
workloads, speed curves, guide placeholders, benchmark conditions for evidence labels). Then it
is frozen: pages, the API and the prose check only read it, and a query nobody planned raises
:class:`UnplannedQuery` instead of calling the engine.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from site_builder import engine
from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.engine.cost import Costs
from site_builder.engine.estimate import Lookups
from site_builder.engine.recommend import (
    Recommendation,
    applies,
    ladder,
    loadable,
    platform_runtimes,
)
from site_builder.errors import BuildError
from site_builder.schema import Combo, Workload
from site_builder.site.sidecar import Pending
from site_builder.site.tables import HEADLINE_CONTEXT, Default, Query, Table

if TYPE_CHECKING:
    from site_builder.site.memo import Memo
    from site_builder.site.picks import Pick

__all__ = ["HEADLINE_CONTEXT", "Default", "Query", "Table", "applies", "ladder"]

CONTEXTS: tuple[int, ...] = (4096, HEADLINE_CONTEXT, 32768, 131072)
"""Context windows of the will-it-run matrices and the configurator (4K short chats, the
headline 8K, 32K long documents, 128K the longest most models take)."""


VERDICT_RANK = {"fits": 0, "tight": 1, "offload": 2, "no-fit": 3, "unsupported": 4}


Q = TypeVar("Q")


class UnplannedQuery(BuildError):
    """A page asked for a configuration the evaluate stage did not plan."""


@dataclass
class Results:
    """Engine results by query, then frozen. ``grid`` is the standard sweep (default split and
    tokens), in query order; ``extra`` holds every other planned configuration."""

    catalog: Catalog
    grid: dict[Query, Estimate] = field(default_factory=dict)
    extra: dict[Query, Estimate] = field(default_factory=dict)
    recommendations: dict[tuple[str, str], Recommendation] = field(default_factory=dict)
    """(combo, model) -> the engine's recommendation for the headline workload."""
    costs: dict[str, tuple[Pick | None, Costs]] = field(default_factory=dict)
    """Combo -> its worked example and money figures (:mod:`site_builder.site.costs`)."""
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict)
    """Derived values computed in the evaluate stage (accuracy points)."""
    pending: list[tuple[Pending[int], Pending[dict[Query, Estimate]]]] = field(default_factory=list)
    """The grid at the other context lengths, from second processes of the evaluate stage
    (one per half of the main sweep), each with how many configurations it evaluates. Only
    the API's tables read them (:meth:`for_combo`): the build leaves them to the one process
    that writes those tables, so the main process never holds them."""
    pending_size: int = 0
    """How many configurations :attr:`pending` evaluates (read when the results freeze)."""
    configurations: int = 0
    """How many configurations the evaluate stage evaluated, counted when the results freeze
    (before any process merges the other context lengths, so a one-process build counts the
    same)."""
    frozen: bool = False
    lookups: Lookups | None = None
    """The engine's per-catalog precomputation, shared by every evaluation of this build."""
    recall: Memo | None = None
    """The live preview's answers of its last evaluation (:mod:`site_builder.site.memo`),
    looked up before the engine is asked."""
    _by_config: dict[Config, Estimate] = field(default_factory=dict)
    _by_combo: dict[str, list[tuple[Query, Estimate]]] = field(default_factory=dict)
    _by_cell: dict[tuple[str, str, int], list[tuple[Query, Estimate]]] = field(default_factory=dict)

    def add(self, more: dict[Query, Estimate]) -> None:
        """Add results: standard ones to the grid, others to extra (indexed when frozen)."""
        self._check_open()
        for query, estimate in more.items():
            (self.grid if is_standard(query) else self.extra)[query] = estimate

    def missing(self, queries: Iterable[Query]) -> list[Query]:
        """The queries not evaluated yet, in first-asked order, without repeats (the engine is
        pure: the order changes no result)."""
        return [q for q in dict.fromkeys(queries) if q not in self.grid and q not in self.extra]

    def get(self, query: Query) -> Estimate:
        """The evaluated result for ``query``; :class:`UnplannedQuery` if it was not planned."""
        found = self.grid.get(query) or self.extra.get(query)
        if found is None:
            raise UnplannedQuery(f"no planned engine result for {query}")
        return found

    def recommendation(self, combo: str, model: str) -> Recommendation:
        """The headline recommendation of ``model`` on ``combo``."""
        return self.recommendations[(combo, model)]

    def estimator(self, catalog: Catalog, config: Config) -> Estimate:
        """The engine's ``estimate`` for engine helpers that take an estimator (evidence labels,
        accuracy points): remembered while evaluating, a look-up once frozen."""
        found = self._by_config.get(config)
        if found is None:
            if self.frozen:
                raise UnplannedQuery(f"no planned engine result for {config}")
            found = None if self.recall is None else self.recall.config(config)
            if found is None:
                found = engine.estimate(catalog, config, self.lookups)
            self._by_config[config] = found
        return found

    def size(self) -> int:
        """How many configurations the engine evaluated (:attr:`configurations` once frozen)."""
        if self.frozen:
            return self.configurations
        waiting = self.pending_size if self.pending else 0
        return len(self.grid) + len(self.extra) + len(self._by_config) + waiting

    def freeze(self) -> Results:
        """End the evaluate stage: sort the grid, index it; from now on nothing is computed, so
        the engine's memo of plans (one per configuration) is let go."""
        self._index()
        self.pending_size = sum(size.result() for size, _ in self.pending)
        self.configurations = self.size()
        self.frozen = True
        self.lookups = None
        return self

    def for_combo(self, combo: str) -> list[tuple[Query, Estimate]]:
        """Grid entries of one combo, in query order (every context: waits for the other
        contexts' processes the first time)."""
        self._other_contexts()
        if not self._by_combo:  # the grid is sorted, combo first
            by_combo = itertools.groupby(self.grid.items(), key=lambda pair: pair[0].combo)
            self._by_combo.update((slug, list(pairs)) for slug, pairs in by_combo)
        return self._by_combo.get(combo, [])

    def for_cell(self, combo: str, model: str, context: int) -> list[tuple[Query, Estimate]]:
        """Grid entries of one model on one combo at one context (every runtime and quant)."""
        if context != HEADLINE_CONTEXT:
            self._other_contexts()
        if not self._by_cell:
            for pair in self.grid.items():
                query = pair[0]
                self._by_cell.setdefault((query.combo, query.model, query.context), []).append(pair)
        return self._by_cell.get((combo, model, context), [])

    def _other_contexts(self) -> None:
        """Merge the grid's other context lengths, evaluated in a second process of the
        evaluate stage (only the matrices' tables and the API read them)."""
        if self.pending:
            waiting, self.pending = self.pending, []
            for _, more in waiting:
                self.grid.update(more.result())
            self._index()

    def _index(self) -> None:
        # Grid queries are standard (no split, default tokens), so their own tuple order is
        # :func:`order` (which only differs where a split is set), compared at C speed.
        # The indexes by combo and by cell are built on first use (a process reads one).
        self.grid = {q: self.grid[q] for q in sorted(self.grid)}
        self._by_combo.clear()
        self._by_cell.clear()

    def _check_open(self) -> None:
        if self.frozen:
            raise BuildError("the engine's results are frozen once pages render")


def order(query: Query) -> tuple[object, ...]:
    """A total sort key of queries (the default split, None, sorts first)."""
    return (
        query.combo,
        query.model,
        query.quant,
        query.runtime,
        query.context,
        query.split or "",
        query.concurrency,
        query.kv_cache,
        query.prompt,
        query.gen,
    )


def is_standard(query: Query) -> bool:
    """A query of the standard grid: default split, tokens, concurrency and KV type."""
    return (query.split, query.concurrency, query.kv_cache, query.prompt, query.gen) == (
        None,
        1,
        "f16",
        DEFAULT_PROMPT_TOKENS,
        DEFAULT_GEN_TOKENS,
    )


def evaluated(
    catalog: Catalog,
    queries: list[Query],
    lookups: Lookups,
    configured: dict[Query, Config] | None = None,
) -> dict[Query, Estimate]:
    """The engine's answers to ``queries`` (``configured``: configurations already built)."""
    known = configured or {}

    def configure(cat: Catalog, query: Query) -> Config:
        found = known.get(query)
        return found if found is not None else config_for(cat, query)

    return dict(zip(queries, estimate_all(catalog, queries, configure, lookups), strict=True))


def estimate_all(
    catalog: Catalog,
    queries: Iterable[Q],
    configure: Callable[[Catalog, Q], Config],
    lookups: Lookups,
) -> list[Estimate]:
    """The engine's answers to ``queries`` (configured by ``configure``), with the cyclic
    garbage collector paused: the engine allocates hundreds of thousands of small, acyclic
    results that live as long as the build, and collection passes over them are wasted. They
    are frozen afterwards (``gc.freeze``: later collections skip them; forked processes do not
    touch their pages)."""
    gc.disable()
    try:
        return [engine.estimate(catalog, configure(catalog, q), lookups) for q in queries]
    finally:
        gc.freeze()
        gc.enable()


def config_for(catalog: Catalog, query: Query) -> Config:
    """The engine configuration of ``query``: the combo's cards and link."""
    return engine.config_for_combo(
        catalog,
        query.combo,
        model=query.model,
        quant=query.quant,
        runtime=query.runtime,
        split=query.split,
        context_tokens=query.context,
        prompt_tokens=query.prompt,
        gen_tokens=query.gen,
        concurrency=query.concurrency,
        kv_cache=query.kv_cache,
    )


def headline_queries(
    catalog: Catalog, combos: Iterable[str] | None = None, models: Iterable[str] | None = None
) -> Iterator[Query]:
    """Sweep 1: every model x runtime on the combo's back-end x loadable ladder quant, at the
    headline context (the recommender's candidates at the runtime's default split); of
    ``combos`` and ``models`` when given."""
    for combo_slug in catalog.combos if combos is None else combos:
        pairs = list(runtime_quants(catalog, catalog.combos[combo_slug]))
        for model_slug in catalog.models if models is None else models:
            model = catalog.models[model_slug]
            for runtime, quant in pairs:
                if applies(model, catalog.quants[quant]):
                    yield Query(combo_slug, model_slug, quant, runtime, HEADLINE_CONTEXT)


def base_config(catalog: Catalog, combo: str, model: str) -> Config:
    """The recommender's question for ``model`` on ``combo`` (quant and runtime are its to
    choose)."""
    return engine.config_for_combo(catalog, combo, model=model, quant="", runtime="")


def query_of(config: Config) -> Query:
    """The site's query of a combo configuration."""
    if config.combo is None:
        raise BuildError(f"not a combo configuration: {config}")
    return Query(
        combo=config.combo,
        model=config.model,
        quant=config.quant,
        runtime=config.runtime,
        context=config.context_tokens,
        split=config.split,
        concurrency=config.concurrency,
        kv_cache=config.kv_cache,
        prompt=config.prompt_tokens,
        gen=config.gen_tokens,
    )


def other_context_queries(catalog: Catalog, headline: dict[Query, Estimate]) -> Iterator[Query]:
    """Sweep 2: the other contexts, for each quant's best primary runtime at the headline
    context (verdict first, then speed). Longer contexts are skipped where the quant does not
    run at the headline one: more context never needs less memory; shorter ones where no
    runtime can run it at all (no runtime, published checkpoint or kernel: the context changes
    none of that), unless the model's own window is shorter than the headline context.
    Runtimes built on another
    (Ollama, LM Studio) give way to their base on a tie, and stand in for it where the base
    has no checkpoint of the quant."""
    best: dict[tuple[str, str, str], tuple[tuple[int, float, bool], Query, Estimate]] = {}
    for query, estimate in headline.items():
        if query.context != HEADLINE_CONTEXT:
            continue
        key = (query.combo, query.model, query.quant)
        derived = bool(catalog.runtimes[query.runtime].based_on)
        score = (rank(estimate), -(estimate.decode_tok_s or 0.0), derived)
        if key not in best or score < best[key][0]:
            best[key] = (score, query, estimate)
    for _, query, estimate in sorted(best.values(), key=lambda item: item[1]):
        limit = catalog.models[query.model].max_context_tokens
        runs = is_runnable(estimate)
        shorter = estimate.verdict != "unsupported" or limit < HEADLINE_CONTEXT
        for context in CONTEXTS:
            wanted = (context < HEADLINE_CONTEXT and shorter) or (
                context > HEADLINE_CONTEXT and runs
            )
            if wanted and context <= limit:
                yield query._replace(context=context)


def runtime_quants(catalog: Catalog, combo: Combo) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs worth evaluating on ``combo``: runtimes on its back-end, ladder
    quants."""
    return loadable(catalog, platform_runtimes(catalog, [e.gpu for e in combo.gpus]))


def workload_query(combo: str, workload: Workload) -> Query:
    """The query of a stack workload, exactly as the stack states it."""
    return Query(
        combo=combo,
        model=workload.model,
        quant=workload.quant,
        runtime=workload.runtime,
        context=workload.context_tokens,
        split=workload.split,
        concurrency=workload.concurrency,
        kv_cache=workload.kv_cache,
    )


def rank(estimate: Estimate) -> int:
    """Sort key of a verdict: fits first, unsupported last."""
    return VERDICT_RANK[estimate.verdict]


def is_runnable(estimate: Estimate) -> bool:
    """The configuration runs (in VRAM, tight, or with offload)."""
    return estimate.verdict in ("fits", "tight", "offload")


def in_vram(estimate: Estimate) -> bool:
    """The configuration runs entirely in VRAM."""
    return estimate.verdict in ("fits", "tight")
