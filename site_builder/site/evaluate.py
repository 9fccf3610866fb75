"""The evaluate stage: every engine result and recommendation the site shows, computed once
before any page renders, then frozen.

In order: the recommender's candidates for every combo x model (they include the standard
grid) -> the measured benchmarks' conditions (accuracy points and evidence labels) -> the
recommendations -> what depends on them (each quant's best runtime at the other contexts, the
headline speed curves, stack workloads, guide placeholders). The configurator's build-your-own
tables are evaluated in a second process meanwhile. Pages, the API and the prose check only
read the result: a query nobody planned raises instead of calling the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.engine import Config, accuracy_points
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.recommend import Candidate, candidates, choose
from site_builder.engine.workloads import HEADLINE
from site_builder.site import content, custom, sidecar
from site_builder.site.accuracy import pending_config
from site_builder.site.pages import charts, stack
from site_builder.site.results import (
    Query,
    Results,
    base_config,
    evaluated,
    headline_queries,
    other_context_queries,
    query_of,
)


def evaluate(catalog: Catalog, content_dir: Path) -> Results:
    """Every planned engine result and recommendation, frozen."""
    results = Results(catalog)
    lookups = prepare(catalog)
    with sidecar.computed(lambda: custom.tables(catalog)) as builds:
        asked = {key: candidates(catalog, base, HEADLINE) for key, base in _bases(catalog)}
        first = [query_of(c) for configs in asked.values() for c in configs]
        _add(results, [*first, *headline_queries(catalog)], lookups)
        _benchmarks(results)
        for (combo, model), configs in asked.items():
            found = [Candidate(c, results.get(query_of(c))) for c in configs]
            recommendation = choose(catalog, model, HEADLINE, found, results.estimator)
            results.recommendations[(combo, model)] = recommendation
        _add(results, dependent_queries(results, content_dir), lookups)
    results.builds = builds.result()
    return results.freeze()


def _bases(catalog: Catalog) -> Iterator[tuple[tuple[str, str], Config]]:
    for combo in catalog.combos:
        for model in catalog.models:
            yield (combo, model), base_config(catalog, combo, model)


def _add(results: Results, queries: Iterable[Query], lookups: Lookups) -> None:
    results.add(evaluated(results.catalog, results.missing(queries), lookups))


def _benchmarks(results: Results) -> None:
    """The conditions of every benchmark: measured ones for accuracy points and evidence
    labels, pending ones for their estimate."""
    catalog = results.catalog
    results.memo[("accuracy_points",)] = accuracy_points(catalog, results.estimator)
    for bench in catalog.benchmarks.values():
        results.estimator(catalog, pending_config(bench))


def dependent_queries(results: Results, content_dir: Path) -> Iterator[Query]:
    """Queries that depend on the first results: the other contexts of each quant's best
    runtime, the headline speed curves, stack workloads and guide placeholders."""
    catalog = results.catalog
    yield from other_context_queries(catalog, results.grid)
    yield from charts.planned(results)
    yield from stack.planned(catalog)
    yield from content.planned(content_dir, catalog)
