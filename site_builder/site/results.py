"""Every engine evaluation the site shows, memoised so a figure shown twice is one number.

``compute`` evaluates the standard grid eagerly: each combo x model x (runtime rated for the
combo) x (quant that runtime loads) x context length. Pages, charts, the API and the
configurator read from it; a page that needs another configuration (a stack's workload, a split
comparison, a speed curve) asks :meth:`Results.ask`, which evaluates once and remembers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from site_builder import engine
from site_builder.catalog import Catalog
from site_builder.engine import Config, Estimate
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.schema import Combo, Workload
from site_builder.schema.base import KvCacheType, SplitMode

CONTEXTS: tuple[int, ...] = (4096, 8192, 32768, 131072)
"""Context windows of the will-it-run matrices and the configurator."""

HEADLINE_CONTEXT = 8192
"""The context window of headline figures (matrix cells, best-model lists)."""

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

    def ask(self, query: Query) -> Estimate:
        """The engine's result for ``query`` (evaluated once)."""
        found = self.grid.get(query) or self._asked.get(query)
        if found is None:
            found = self._asked[query] = evaluate(self.catalog, query)
        return found

    def for_combo(self, combo: str) -> Iterator[tuple[Query, Estimate]]:
        """Grid entries of one combo, in query order."""
        return ((q, e) for q, e in self.grid.items() if q.combo == combo)


def compute(catalog: Catalog) -> Results:
    """Evaluate the standard grid of every combo."""
    grid = {query: evaluate(catalog, query) for query in sorted(grid_queries(catalog))}
    return Results(catalog=catalog, grid=grid)


def evaluate(catalog: Catalog, query: Query) -> Estimate:
    """Ask the engine about one query."""
    return engine.estimate(catalog, config_for(catalog, query))


def config_for(catalog: Catalog, query: Query) -> Config:
    """The engine configuration of ``query``: the combo's cards and link."""
    combo = catalog.combos[query.combo]
    return Config(
        gpus=tuple((entry.gpu, entry.count) for entry in combo.gpus),
        model=query.model,
        quant=query.quant,
        runtime=query.runtime,
        interconnect=combo.interconnect,
        split=query.split,
        context_tokens=query.context,
        prompt_tokens=query.prompt,
        gen_tokens=query.gen,
        concurrency=query.concurrency,
        kv_cache=query.kv_cache,
        combo=query.combo,
    )


def grid_queries(catalog: Catalog) -> Iterator[Query]:
    """The standard sweep: every model, rated runtime, loadable quant and context per combo."""
    for combo_slug, combo in catalog.combos.items():
        for model_slug, model in catalog.models.items():
            for runtime, quant in runtime_quants(catalog, combo):
                for context in CONTEXTS:
                    if context <= model.max_context_tokens:
                        yield Query(combo_slug, model_slug, quant, runtime, context)


def runtime_quants(catalog: Catalog, combo: Combo) -> Iterator[tuple[str, str]]:
    """(runtime, quant) pairs worth evaluating on ``combo``: rated runtimes, loadable quants."""
    for runtime in rated_runtimes(combo):
        formats = catalog.runtimes[runtime].quant_formats
        for quant_slug, quant in catalog.quants.items():
            if quant.format in formats:
                yield runtime, quant_slug


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
