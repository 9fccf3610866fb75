"""The main sweep shared with a forked process gives what one process gives, in the same
order."""

from __future__ import annotations

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine.estimate import prepare
from site_builder.site.results import headline_queries
from site_builder.site.sweep import shares, sweep
from tests.site.conftest import ROOT

CATALOG = ROOT / "tests" / "engine" / "fixtures" / "catalog"
"""The catalog before the breadth issue: 19 combos, 25 models."""


def test_a_shared_sweep_equals_a_one_process_sweep() -> None:
    catalog = load_catalog(CATALOG)
    alone = sweep(catalog, prepare(catalog, remember_plans=False), share=0.0)
    shared = sweep(catalog, prepare(catalog, remember_plans=False), share=0.45)
    assert list(shared[0]) == list(alone[0])
    assert [list(found.items()) for found in shared[0].values()] == [
        list(found.items()) for found in alone[0].values()
    ]
    assert list(shared[1].items()) == list(alone[1].items())
    assert len(alone[1]) > 10_000 and shares(list(catalog.combos), 0.45)[1]
    assert set(headline_queries(catalog)) <= set(alone[1])  # the whole headline grid


@pytest.mark.parametrize(
    ("share", "theirs"),
    [(0.0, ""), (0.5, "bdf"), (0.45, "ce"), (1.0, "abcdef"), (0.3, "d")],
)
def test_shares_spread_the_fork_over_the_catalog(share: float, theirs: str) -> None:
    mine, forked = shares(list("abcdef"), share)
    assert "".join(forked) == theirs
    assert sorted(mine + forked) == list("abcdef")


def test_one_combo_shared_model_by_model_equals_a_one_process_sweep() -> None:
    """What the live preview and a rebuild evaluate after an edit to one combo."""
    catalog = load_catalog(CATALOG)
    combo = [next(iter(catalog.combos))]
    alone = sweep(catalog, prepare(catalog, remember_plans=False), share=0.0, combos=combo)
    halves: list[int] = []
    shared = sweep(
        catalog,
        prepare(catalog, remember_plans=False),
        share=0.5,
        each_half=lambda half: halves.append(len(half)),
        combos=combo,
    )
    assert list(shared[0].items()) == list(alone[0].items())
    assert list(shared[1].items()) == list(alone[1].items())
    assert halves == [len(alone[1])]  # told once, with the whole combo
    assert shares(list(catalog.models), 0.5)[1]
