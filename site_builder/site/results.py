"""Every engine evaluation the site shows, memoised so a figure shown twice is one number.

``compute`` evaluates the standard grid eagerly, in two sweeps per combo and model:

1. at the headline context, every runtime the combo's editors rate x every quant of the
   :data:`LADDER` that runtime loads (the configurator, matrix cells, best-model lists);
2. at the other contexts, each ladder quant on its best primary runtime from sweep 1 (longer
   ones only where it runs at the headline context: more context never needs less memory).

Pages, charts, the API and the configurator read from it; a page that needs another
configuration (a stack's workload, a split comparison, a speed curve) asks
:meth:`Results.ask`, which evaluates once and remembers.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from site_builder import engine
from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.engine.estimate import Lookups, prepare
from site_builder.schema import Combo, Model, Quant, Workload
from site_builder.schema.base import KvCacheType, SplitMode

CONTEXTS: tuple[int, ...] = (4096, 8192, 32768, 131072)
"""Context windows of the will-it-run matrices and the configurator (4K short chats, 8K the
default, 32K long documents, 128K the longest most models take)."""

HEADLINE_CONTEXT = 8192
"""The context window of headline figures (matrix cells, best-model lists)."""

LADDER: tuple[str, ...] = (
    "BF16",
    "Q8_0",
    "Q6_K",
    "Q5_K_M",
    "Q4_K_M",
    "Q3_K_M",
    "Q2_K",
    "IQ2_XXS",
    "MXFP4",
    "FP8",
    "AWQ-INT4",
    "GPTQ-INT4",
    "EXL2-6.0",
    "EXL2-4.0",
    "NF4",
    "MLX-4BIT",
)
"""The quants the matrices and the configurator sweep: one per precision step of each format
(the catalog's other quants, such as F16 beside BF16 or Q4_K_S beside Q4_K_M, add rows without
adding information). IDs missing from the catalog are skipped; a catalog without any of them
sweeps all its quants."""

VERDICT_RANK = {"fits": 0, "tight": 1, "offload": 2, "no-fit": 3, "unsupported": 4}


@dataclass(frozen=True, order=True)
class Query:
    """One configuration on one combo; prompt and generation default to the engine's."""

    combo: str
    model: str
    quant: str
    runtime: str
    context: int = HEADLINE_CONTEXT
    split: SplitMode | None = None
    concurrency: int = 1
    kv_cache: KvCacheType = "f16"
    prompt: int = DEFAULT_PROMPT_TOKENS
    gen: int = DEFAULT_GEN_TOKENS


@dataclass
class Results:
    """Engine results by query. ``grid`` is the standard sweep, in query order."""

    catalog: Catalog
    grid: dict[Query, Estimate] = field(default_factory=dict)
    _asked: dict[Query, Estimate] = field(default_factory=dict)
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict)
    """Derived answers that several pages share (see :mod:`site_builder.site.picks`)."""
    _by_config: dict[Config, Estimate] = field(default_factory=dict)
    _by_combo: dict[str, list[tuple[Query, Estimate]]] = field(default_factory=dict)
    _by_cell: dict[tuple[str, str, int], list[tuple[Query, Estimate]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.add({})

    def add(self, more: dict[Query, Estimate]) -> None:
        """Add sweep results; the grid and its indexes stay in query order."""
        self.grid = dict(sorted({**self.grid, **more}.items()))
        self._by_combo.clear()
        self._by_cell.clear()
        for query, estimate in self.grid.items():
            self._by_combo.setdefault(query.combo, []).append((query, estimate))
            cell = (query.combo, query.model, query.context)
            self._by_cell.setdefault(cell, []).append((query, estimate))

    def ask(self, query: Query) -> Estimate:
        """The engine's result for ``query`` (evaluated once)."""
        found = self.grid.get(query) or self._asked.get(query)
        if found is None:
            found = self._asked[query] = evaluate(self.catalog, query)
        return found

    def estimator(self, catalog: Catalog, config: Config) -> Estimate:
        """The engine's ``estimate`` with memory, for engine helpers that take an estimator
        (evidence labels, accuracy points)."""
        found = self._by_config.get(config)
        if found is None:
            found = self._by_config[config] = engine.estimate(catalog, config)
        return found

    def for_combo(self, combo: str) -> list[tuple[Query, Estimate]]:
        """Grid entries of one combo, in query order."""
        return self._by_combo.get(combo, [])

    def for_cell(self, combo: str, model: str, context: int) -> list[tuple[Query, Estimate]]:
        """Grid entries of one model on one combo at one context (every runtime and quant)."""
        return self._by_cell.get((combo, model, context), [])


def compute(catalog: Catalog) -> Results:
    """Sweep 1: every combo at the headline context (what most pages show)."""
    return Results(catalog=catalog, grid=_evaluated(catalog, sorted(headline_queries(catalog))))


def complete(results: Results) -> Results:
    """Sweep 2, added to ``results``: the other contexts (the matrices and the API tables)."""
    queries = sorted(set(other_context_queries(results.catalog, results.grid)) - set(results.grid))
    results.add(_evaluated(results.catalog, queries))
    return results


def sweep_size(results: Results) -> int:
    """How many configurations the two sweeps evaluate (without evaluating sweep 2)."""
    return len(set(results.grid) | set(other_context_queries(results.catalog, results.grid)))


def _evaluated(catalog: Catalog, queries: list[Query]) -> dict[Query, Estimate]:
    return dict(
        zip(queries, estimate_all(catalog, queries, config_for, prepare(catalog)), strict=True)
    )


def estimate_all(
    catalog: Catalog,
    queries: Iterable[Query],
    configure: Callable[[Catalog, Query], Config],
    lookups: Lookups,
) -> list[Estimate]:
    """The engine's answers to ``queries`` (configured by ``configure``), with the cyclic
    garbage collector paused: the engine allocates tens of thousands of small, acyclic
    results, and collection passes over them are wasted."""
    gc.disable()
    try:
        return [engine.estimate(catalog, configure(catalog, q), lookups) for q in queries]
    finally:
        gc.enable()


def evaluate(catalog: Catalog, query: Query, lookups: Lookups | None = None) -> Estimate:
    """Ask the engine about one query (``lookups``: the engine's per-catalog precomputation)."""
    return engine.estimate(catalog, config_for(catalog, query), lookups)


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


def headline_queries(catalog: Catalog) -> Iterator[Query]:
    """Sweep 1: every model x rated runtime x loadable ladder quant, at the headline context."""
    for combo_slug, combo in catalog.combos.items():
        for model_slug, model in catalog.models.items():
            for runtime, quant in runtime_quants(catalog, combo):
                if applies(model, catalog.quants[quant]):
                    yield Query(combo_slug, model_slug, quant, runtime, HEADLINE_CONTEXT)


def applies(model: Model, quant: Quant) -> bool:
    """Expert-only formats (MXFP4 stores routed experts in FP4, the rest at 8 bits) mean
    nothing for a dense model: there it is just its 8-bit fallback, a duplicate row."""
    return quant.expert_bits_per_weight is None or model.moe is not None


def other_context_queries(catalog: Catalog, headline: dict[Query, Estimate]) -> Iterator[Query]:
    """Sweep 2: the other contexts, for each quant's best primary runtime at the headline
    context (verdict first, then speed). Longer contexts are skipped where the quant does not
    run at the headline one: more context never needs less memory. Runtimes built on another
    (Ollama, LM Studio) follow their base."""
    best: dict[tuple[str, str, str], tuple[tuple[int, float], Query, Estimate]] = {}
    for query, estimate in headline.items():
        if query.context != HEADLINE_CONTEXT or catalog.runtimes[query.runtime].based_on:
            continue
        key = (query.combo, query.model, query.quant)
        score = (rank(estimate), -(estimate.decode_tok_s or 0.0))
        if key not in best or score < best[key][0]:
            best[key] = (score, query, estimate)
    for _, query, estimate in sorted(best.values(), key=lambda item: item[1]):
        limit = catalog.models[query.model].max_context_tokens
        runs = is_runnable(estimate)
        for context in CONTEXTS:
            wanted = context < HEADLINE_CONTEXT or (context > HEADLINE_CONTEXT and runs)
            if wanted and context <= limit:
                yield replace(query, context=context)


def ladder(catalog: Catalog) -> list[str]:
    """The swept quants present in the catalog (all of them if none of the ladder is)."""
    present = [q for q in LADDER if q in catalog.quants]
    return present or list(catalog.quants)


def runtime_quants(catalog: Catalog, combo: Combo) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs worth evaluating on ``combo``: rated runtimes, ladder quants."""
    return loadable(catalog, rated_runtimes(combo))


def loadable(catalog: Catalog, runtimes: list[str]) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs of ``runtimes`` and the ladder quants each loads."""
    quants = ladder(catalog)
    for runtime in runtimes:
        formats = catalog.runtimes[runtime].quant_formats
        for quant in quants:
            if catalog.quants[quant].format in formats:
                yield runtime, quant


def rated_runtimes(combo: Combo) -> list[str]:
    """Runtimes the combo's editors rate above ``unsupported``, sorted by ID."""
    return sorted(r.runtime for r in combo.runtimes if r.rating != "unsupported")


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
