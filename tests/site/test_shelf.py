"""A stored shelf (:class:`~site_builder.site.shelf.Shelf`) pickles its queries as plain tuples
and comes back as it was: the same queries (as :class:`Query`), estimates and order, grid and
other configurations apart, without its indexes."""

from __future__ import annotations

import pickle

from site_builder.catalog import load_catalog
from site_builder.engine import Estimate, estimate
from site_builder.site.results import config_for
from site_builder.site.shelf import Shelf
from site_builder.site.tables import Query
from tests.site.conftest import ROOT

CATALOG = load_catalog(ROOT / "catalog")

QUERIES = [
    Query("dual-rtx-4090", "qwen3-8b", "Q4_K_M", "llama-cpp"),
    Query("dual-rtx-4090", "qwen3-8b", "Q8_0", "llama-cpp", context=32_768),
    Query("dual-rtx-4090", "qwen3-8b", "Q4_K_M", "llama-cpp", split="row"),
    Query("dual-rtx-4090", "llama-3.3-70b-instruct", "Q4_K_M", "vllm", concurrency=8),
]


def answer(query: Query) -> Estimate:
    return estimate(CATALOG, config_for(CATALOG, query))


def test_a_shelf_pickles_and_comes_back_as_it_was() -> None:
    shelf = Shelf()
    for query in reversed(QUERIES):
        shelf.add(query, answer(query))
    shelf.cell("qwen3-8b", 32_768)  # an index, which is not stored
    back = pickle.loads(pickle.dumps(shelf, protocol=pickle.HIGHEST_PROTOCOL))
    assert (back.grid, back.extra, back.ordered) == (shelf.grid, shelf.extra, False)
    assert list(back.grid) == QUERIES[1::-1] and list(back.extra) == QUERIES[:1:-1]
    assert {type(q) for q in [*back.grid, *back.extra]} == {Query}
    assert back._cells is None
    shelf.sort()
    sorted_back = pickle.loads(pickle.dumps(shelf))
    assert list(sorted_back.grid) == QUERIES[:2] and sorted_back.ordered
