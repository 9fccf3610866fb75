"""Any GPU, one, two or four cards, or two different consumer cards: the configurator's
build-your-own hardware.

For every GPU in the catalog and each card count (unified-memory systems hold one), and for
every pair of different consumer CUDA cards (the upgrade-path case: a 4090 beside a 3090), the
engine evaluates every model with each swept runtime (:data:`RUNTIMES`) that runs on the
GPU's back-end and each swept quant (:data:`QUANTS`) it loads, at the headline context, on the
engine's default link between cards (the slowest card's PCIe x16, no NVLink, no peer-to-peer
assumption beyond the card's own).
No page shows these, and the build does not compute them: the configurator and the compare
picker ask the engine in the reader's browser for the one table a reader picks
(:mod:`site_builder.site.in_browser`), in the format of the combos' estimate tables
(:func:`table_json`), holding the best quant of each runtime for each model (the same ranking
as the matrices). Precomputing all of them took a third of a build's engine time for tables
one reader in many opens.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from site_builder import engine
from site_builder.catalog import Catalog
from site_builder.engine import (
    Config,
    Estimate,
    Lookups,
    effective_bits_per_weight,
    launch,
)
from site_builder.engine.config import DEFAULT_GEN_TOKENS, DEFAULT_PROMPT_TOKENS
from site_builder.engine.cost import cards_sheet
from site_builder.engine.recommend import Candidate, Grades, applies, fastest_of, loadable
from site_builder.engine.result import LABELLED
from site_builder.errors import BuildError
from site_builder.schema import Model
from site_builder.site.tables import (
    FIELDS,
    HEADLINE_CONTEXT,
    Default,
    Query,
    Rows,
    Table,
    defaults_json,
    gpu_names,
    price,
)

COUNTS = (1, 2, 4)
"""Card counts offered for one GPU type (three cards rarely divide a model's heads)."""
QUANTS = (
    "BF16",
    "Q8_0",
    "Q6_K",
    "Q4_K_M",
    "Q3_K_M",
    "IQ2_XXS",
    "MXFP4",
    "FP8",
    "AWQ-INT4",
    "EXL2-4.0",
)
"""The quants swept for build-your-own hardware: one per precision step that readers pick
between (the matrices sweep the whole ladder)."""
RUNTIMES = ("llama-cpp", "vllm", "exllamav2", "mlx-lm")
"""The runtimes swept for build-your-own hardware: one of each kind (GGUF layer split, a
tensor-parallel server, ExLlamaV2, MLX); SGLang and TensorRT-LLM behave like vLLM here, and
Ollama and LM Studio like llama.cpp."""
PREFIX = "any-"
"""Keys of build-your-own tables (``any-rtx-4090-x2``), kept apart from combo slugs."""


@dataclass(frozen=True)
class Build:
    """One build-your-own choice: cards as (GPU ID, count) pairs."""

    cards: tuple[tuple[str, int], ...]

    @functools.cached_property
    def key(self) -> str:
        """``any-rtx-4090-x2``, ``any-rtx-4090-x1-and-rtx-3090-x1``."""
        return PREFIX + "-and-".join(f"{gpu}-x{count}" for gpu, count in self.cards)


def builds(catalog: Catalog) -> list[Build]:
    """Every GPU at every count it can have (by GPU name, then count), then every pair of
    different consumer CUDA cards."""
    if any(slug.startswith(PREFIX) for slug in catalog.combos):
        raise BuildError(f"combo IDs may not start with {PREFIX!r} (the configurator uses it)")
    ordered = sorted(catalog.gpus, key=lambda s: (catalog.gpus[s].name, s))
    same = [
        Build(((gpu, count),))
        for gpu in ordered
        for count in COUNTS
        if count == 1 or not catalog.gpus[gpu].unified_memory
    ]
    consumer = [
        s
        for s in ordered
        if catalog.gpus[s].segment == "consumer" and catalog.gpus[s].platform == "cuda"
    ]
    mixed = [
        Build(((first, 1), (second, 1)))
        for i, first in enumerate(consumer)
        for second in consumer[i + 1 :]
    ]
    return same + mixed


def label(catalog: Catalog, build: Build) -> str:
    """What the configurator's menu says: ``2× NVIDIA GeForce RTX 4090``."""
    return " + ".join(f"{count}× {catalog.gpus[gpu].name}" for gpu, count in build.cards)


def by_key(catalog: Catalog, key: str) -> Build:
    """The build a configurator key names (``any-rtx-4090-x2``); BuildError for a key that is
    not one of :func:`builds`."""
    for build in builds(catalog):
        if build.key == key:
            return build
    raise BuildError(f"no build-your-own hardware {key!r}")


def table_json(catalog: Catalog, build: Build, lookups: Lookups, sweep: Sweep) -> dict[str, Any]:
    """``build``'s configurator table in the combos' estimate-table format: the recommended
    quant of each runtime for each model, at the headline context."""
    found = table(catalog, build, lookups, sweep=sweep)
    rows = Rows(catalog)
    return {
        "combo": build.key,
        "gpus": [list(card) for card in found.cards],
        "contexts": [HEADLINE_CONTEXT],
        "fields": list(FIELDS),
        "calibrated_bits": list(LABELLED),
        "rows": [rows.row(q, e) for q, e in found.rows],
        "defaults": defaults_json(found.defaults),
        "gpu_names": gpu_names(catalog, found.cards),
        "price": price(cards_sheet(found.cards, catalog.gpus)),
    }


def table(
    catalog: Catalog,
    build: Build,
    lookups: Lookups,
    prune: bool = True,
    sweep: Sweep | None = None,
) -> Table:
    """For each model and runtime, the recommender's headline rule among that runtime's quants
    on ``build``; the model's default is the rule over all of them."""
    sweep = sweep or Sweep(catalog, prune)
    by_model: dict[str, dict[str, list[Candidate]]] = {}
    for found in results(catalog, build, lookups, prune, sweep):
        config = found.config
        by_model.setdefault(config.model, {}).setdefault(config.runtime, []).append(found)
    rows: list[tuple[Query, Estimate]] = []
    defaults: dict[str, Default] = {}
    for model, per_runtime in by_model.items():
        grades = sweep.grades(model)
        chosen = {r: fastest_of(catalog, cands, grades=grades) for r, cands in per_runtime.items()}
        picked = {r: c for r, c in chosen.items() if c is not None}
        rows += [(_query(build, c), c.estimate) for c in picked.values()]
        top = fastest_of(catalog, list(picked.values()), grades=grades)
        if top is not None:
            defaults[model] = Default(
                top.config.runtime,
                top.config.quant,
                top.estimate.split,
                {r: (c.config.quant, c.estimate.split) for r, c in picked.items()},
            )
    return Table(build.cards, rows, defaults)


def _query(build: Build, candidate: Candidate) -> Query:
    c = candidate.config
    return Query(build.key, c.model, c.quant, c.runtime, c.context_tokens)


Group = tuple[str, str, tuple[str, ...]]
"""A model, a runtime and its swept quants of one weight format, least precise first."""


@dataclass
class Sweep:
    """What a build evaluates, by back-end (every build on one back-end asks the same models,
    runtimes and quants): worked out once per catalog, not once per build."""

    catalog: Catalog
    prune: bool = True
    """Skip quants with nothing published for the runtime (:func:`published`)."""
    _groups: dict[str, list[Group]] = field(default_factory=dict)
    _grades: dict[str, Grades] = field(default_factory=dict)

    def grades(self, model: str) -> Grades:
        """The model's quant grades (precision class, quality floor), shared by every build."""
        found = self._grades.get(model)
        if found is None:
            found = self._grades[model] = Grades(self.catalog, model)
        return found

    def groups(self, platform: str) -> list[Group]:
        """Each model x runtime x weight format's swept quants on ``platform``, in the order
        :func:`queries` asks them, each group sorted from the least to the most precise."""
        found = self._groups.get(platform)
        if found is None:
            found = self._groups[platform] = self._sorted(platform)
        return found

    def _sorted(self, platform: str) -> list[Group]:
        catalog = self.catalog
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for query in queries(catalog, platform, only_published=self.prune):
            key = (query.model, query.runtime, catalog.quants[query.quant].format)
            grouped.setdefault(key, []).append(query.quant)
        bits = {
            f"{m}/{q}": effective_bits_per_weight(catalog.models[m], catalog.quants[q])
            for m in catalog.models
            for q in QUANTS
            if q in catalog.quants
        }
        return [
            (model, runtime, tuple(sorted(quants, key=lambda q: bits[f"{model}/{q}"])))
            for (model, runtime, _), quants in grouped.items()
        ]


def results(
    catalog: Catalog,
    build: Build,
    lookups: Lookups,
    prune: bool = True,
    sweep: Sweep | None = None,
) -> list[Candidate]:
    """The engine's answers for ``build``. With ``prune``, quants with nothing published for the
    runtime are skipped (:func:`published`), and each runtime's quants of one weight format are
    evaluated from the least to the most precise, stopping at the first that does not run at
    all: memory grows with bits per weight, so the larger ones would not run either, and the
    headline rule never picks a setup that does not run (a test holds pruned tables equal to
    full ones). ``sweep``: the catalog's :class:`Sweep` (with the same ``prune``), shared by
    every build."""
    sweep = sweep or Sweep(catalog, prune)
    found: list[Candidate] = []
    gc.disable()
    try:
        for model, runtime, quants in sweep.groups(catalog.gpus[build.cards[0][0]].platform):
            for quant in quants:
                config = _config(build, model, quant, runtime)
                result = engine.estimate(catalog, config, lookups)
                found.append(Candidate(config, result))
                if prune and result.verdict == "no-fit":
                    break
    finally:
        gc.freeze()
        gc.enable()
    return found


def queries(catalog: Catalog, platform: str, only_published: bool = True) -> Iterator[Query]:
    """Every model x swept runtime on ``platform`` (a build's first card's back-end) x swept
    quant it loads (something of it published for that runtime, with ``only_published``), at
    the headline context; the build's key is left empty."""
    runtimes = [
        slug
        for slug in RUNTIMES
        if slug in catalog.runtimes and platform in catalog.runtimes[slug].platforms
    ]
    for model_slug, model in catalog.models.items():
        for runtime, quant in loadable(catalog, runtimes):
            fmt = catalog.quants[quant].format
            if (
                quant in QUANTS
                and applies(model, catalog.quants[quant])
                and (not only_published or published(model, runtime, quant, fmt))
            ):
                yield Query("", model_slug, quant, runtime, HEADLINE_CONTEXT)


def published(model: Model, runtime: str, quant: str, quant_format: str) -> bool:
    """Something the runtime loads is published for ``quant`` of ``model`` (the engine's own
    test, :func:`launch.source`): without it the engine answers unsupported on any hardware,
    and the headline rule never picks an unsupported setup."""
    return launch.source(runtime, model, quant, quant_format) is not None


def _config(build: Build, model: str, quant: str, runtime: str) -> Config:
    return Config(
        gpus=build.cards,
        model=model,
        quant=quant,
        runtime=runtime,
        context_tokens=HEADLINE_CONTEXT,
        prompt_tokens=DEFAULT_PROMPT_TOKENS,
        gen_tokens=DEFAULT_GEN_TOKENS,
    )
