"""The configurator's build-your-own tables: pruning (a runtime's quants of one format stop at
the first that does not run) gives exactly the tables of the full sweep."""

from __future__ import annotations

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine.estimate import prepare
from site_builder.site import custom
from site_builder.site.results import Table
from tests.site.conftest import ROOT

CATALOG = load_catalog(ROOT / "catalog")
BUILDS = custom.builds(CATALOG)


def shown(table: Table) -> tuple[object, ...]:
    rows = sorted(
        (q, e.to_json()["decode_tok_s"], e.verdict, e.launch_command) for q, e in table.rows
    )
    return (table.cards, rows, sorted(table.defaults.items()))


@pytest.mark.parametrize("build", BUILDS[::7], ids=lambda b: b.key)
def test_pruned_tables_equal_full_ones(build: custom.Build) -> None:
    lookups = prepare(CATALOG)
    pruned = custom.table(CATALOG, build, lookups, prune=True)
    full = custom.table(CATALOG, build, prepare(CATALOG), prune=False)
    assert shown(pruned) == shown(full)


def test_pruning_skips_work(catalog: Catalog = CATALOG) -> None:
    build = next(b for b in BUILDS if b.key == "any-rtx-3070-x1")
    lookups = prepare(catalog)
    assert len(custom.results(catalog, build, lookups, prune=True)) < len(
        custom.results(catalog, build, lookups, prune=False)
    )
