"""A large catalog's evaluate stage runs in worker processes, one a core, forked once
(:mod:`site_builder.site.shards`): each evaluates its share of the batches into the store, and
the build process takes every combo back from there. Built with the bounds at one (every combo
stored, one combo a batch) on two cores, the workers do the work, the results answer as the
in-memory ones do (tests/site/test_store.py holds the site to the usual one) and a failure in a
worker fails the stage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.errors import BuildError
from site_builder.site import evaluate as evaluate_stage
from site_builder.site import reuse, shards, sidecar
from site_builder.site.evaluate import evaluate
from site_builder.site.results import Results
from site_builder.site.store import Store
from tests.site.conftest import CATALOG, CONTENT


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reuse, "STORE_FROM_COMBOS", 1)
    monkeypatch.setattr(evaluate_stage, "BATCH_COMBOS", 1)
    monkeypatch.setattr(shards, "cores", lambda: 2)


@pytest.fixture(scope="module")
def in_memory() -> Results:
    return evaluate(load_catalog(CATALOG), CONTENT)


def test_workers_evaluate_the_batches_and_the_build_process_reads_them_back(
    in_memory: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_workers: None
) -> None:
    swept_by = tmp_path / "pids"
    sweep = evaluate_stage.sweep

    def noted(*args: object, **kwargs: object) -> object:
        with swept_by.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        return sweep(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(evaluate_stage, "sweep", noted)
    catalog = load_catalog(CATALOG)
    stored = evaluate(catalog, CONTENT, store=Store(tmp_path / "results").clear())
    pids = swept_by.read_text(encoding="utf-8").split()
    assert len(pids) == 2 and len(set(pids)) == 2 and str(os.getpid()) not in pids
    assert sorted(stored.stored) == sorted(catalog.combos)
    assert stored.size() == in_memory.size()
    assert stored.headline_assumptions() == in_memory.headline_assumptions()
    for combo in catalog.combos:
        assert stored.for_combo(combo) == in_memory.for_combo(combo)
        assert stored.costs[combo] == in_memory.costs[combo]
        assert stored.splits[combo] == in_memory.splits[combo]
        for model in catalog.models:
            assert stored.row(combo, model) == in_memory.row(combo, model)


def test_one_process_evaluates_without_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_workers: None
) -> None:
    assert shards.worth_it(2)
    monkeypatch.setenv(sidecar.ONE_PROCESS, "1")
    assert not shards.worth_it(2)
    monkeypatch.delenv(sidecar.ONE_PROCESS)
    assert not shards.worth_it(1)


def test_a_failure_in_a_worker_fails_the_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_workers: None
) -> None:
    costs = evaluate_stage.combo_costs

    def failing(results: Results, combo: str) -> object:
        if combo == "dual-rtx-4090":
            raise ValueError("no money figures for dual-rtx-4090")
        return costs(results, combo)

    monkeypatch.setattr(evaluate_stage, "combo_costs", failing)
    store = Store(tmp_path / "results").clear()
    with pytest.raises(BuildError, match="failed in its process: no money figures"):
        evaluate(load_catalog(CATALOG), CONTENT, store=store)
