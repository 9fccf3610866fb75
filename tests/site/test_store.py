"""A build of a large catalog keeps each combo's results on disk (:mod:`site_builder.site.store`),
evaluating the combos a batch at a time and reading a combo back where a page needs it. Built
with the bounds at one (every combo stored, one combo a batch, one kept loaded), the fixture
site is byte for byte the usual one, in one process and in several, and the frozen results
answer every query as the in-memory ones do."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.site import build as site_build
from site_builder.site import evaluate as evaluate_stage
from site_builder.site import reuse, sidecar, store
from site_builder.site.evaluate import evaluate
from site_builder.site.results import HEADLINE_CONTEXT, Results, UnplannedQuery
from site_builder.site.store import Store
from site_builder.site.tables import Rows
from tests.site.conftest import CATALOG, CONTENT, Built, fixture_layout


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture
def bounds_at_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reuse, "STORE_FROM_COMBOS", 1)
    monkeypatch.setattr(evaluate_stage, "BATCH_COMBOS", 1)
    monkeypatch.setattr(store, "LOADED", 1)


@pytest.mark.parametrize("processes", ["several", "one"])
def test_a_stored_build_writes_the_same_site(
    built: Built,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bounds_at_one: None,
    processes: str,
) -> None:
    if processes == "one":
        monkeypatch.setenv(sidecar.ONE_PROCESS, "1")
    layout = fixture_layout(tmp_path)
    site_build.build(layout)
    assert sorted(p.name for p in layout.results.iterdir()) == [
        *(
            f"{combo}.{kind}.pickle"
            for combo in ("dual-rtx-3090", "dual-rtx-4090")
            for kind in (
                "answers",
                "context-rows",
                "contexts",
                "picks",
                "recommendations",
                "results",
                "rows",
                "summary",
            )
        ),
        store.KEYS,
    ]
    stored, usual = files(layout.site), files(built.site)
    assert sorted(stored) == sorted(usual)
    assert [name for name in stored if stored[name] != usual[name]] == []


@pytest.mark.parametrize("refused", ["shelf", "recommendations"])
def test_a_stored_build_reads_no_shelf_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bounds_at_one: None, refused: str
) -> None:
    """Pages and the API's tables read a stored combo's smaller files, never its shelf (the
    build's processes are forked: the refusal holds in every one of them). Refusing the
    recommendations instead shows the refusal would fail the build."""

    def read_back(self: Store, combo: str) -> None:
        raise AssertionError(f"{combo}'s {refused} read back")

    monkeypatch.setattr(store.Store, refused, read_back)
    layout = fixture_layout(tmp_path)
    if refused == "shelf":
        site_build.build(layout)
        assert (layout.site / "index.html").is_file()
    else:
        with pytest.raises(Exception, match="recommendations read back"):
            site_build.build(layout)


def test_a_small_catalog_keeps_its_results_in_memory_and_removes_what_no_key_names(
    tmp_path: Path,
) -> None:
    layout = fixture_layout(tmp_path)
    layout.results.mkdir(parents=True)
    (layout.results / "old.results.pickle").write_bytes(b"")
    catalog = load_catalog(CATALOG)
    found = reuse.store_for(layout, catalog, site_build.build_epoch(catalog))
    assert not found.sealing and found.reusable == frozenset()
    assert list(layout.results.iterdir()) == []


@pytest.fixture(scope="module")
def in_memory() -> Results:
    return evaluate(load_catalog(CATALOG), CONTENT)


def test_stored_results_answer_as_the_in_memory_ones(
    in_memory: Results, tmp_path: Path, bounds_at_one: None
) -> None:
    catalog = load_catalog(CATALOG)
    stored = evaluate(catalog, CONTENT, store=Store(tmp_path / "results").clear())
    assert stored.shelves == {} and stored.recommendations == {}  # nothing held but rows
    assert stored.size() == in_memory.size()
    assert stored.headline_assumptions() == in_memory.headline_assumptions()
    for combo in catalog.combos:
        assert stored.for_combo(combo) == in_memory.for_combo(combo)
        assert stored.splits[combo] == in_memory.splits[combo]
        # the configurator table's rows, made where the results were in memory
        made = stored.table_rows(combo, Rows(catalog))
        assert made == in_memory.table_rows(combo, Rows(catalog)) and made
        assert stored.costs[combo] == in_memory.costs[combo]
        for model in catalog.models:
            assert stored.row(combo, model) == in_memory.row(combo, model)
            # kept without the candidates: what reads them read them before the combo was stored
            bare = in_memory.recommendation(combo, model).bare()
            assert stored.recommendation(combo, model) == bare
            assert (
                bare.candidates == ()
                and bare.to_json() == in_memory.recommendation(combo, model).to_json()
            )
            assert stored.quant_picks(combo, model) == in_memory.quant_picks(combo, model)
            for context in (HEADLINE_CONTEXT, 32768):
                found = stored.for_cell(combo, model, context)
                assert found == in_memory.for_cell(combo, model, context)


def test_rows_let_go_are_refused_not_made_again() -> None:
    """Once the pages are rendered the build frees the rows pages read across combos (so the
    processes mkdocs forks start smaller): a row asked for afterwards is an error, not a
    silent read of the combo back."""
    results = evaluate(load_catalog(CATALOG), CONTENT)
    assert results.row("dual-rtx-4090", "llama-3.3-70b-instruct").headline is not None
    results.let_rows_go()
    with pytest.raises(UnplannedQuery, match="the rows were let go"):
        results.row("dual-rtx-4090", "llama-3.3-70b-instruct")
