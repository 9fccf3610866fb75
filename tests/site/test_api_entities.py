"""The API's catalog files: each kind's index names every entry and its file, and each entry's
file holds it exactly as validated (no file holds a whole kind)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.schema import KINDS
from tests.site.conftest import Built


def _json(built: Built, path: str) -> Any:
    return json.loads((built.site / path.lstrip("/")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_an_index_of_one_file_per_entry(built: Built, kind: str) -> None:
    catalog = load_catalog(built.layout.catalog)
    entries = getattr(catalog, kind)
    index = _json(built, f"api/{kind}.json")
    assert list(index) == sorted(entries)
    for slug, entry in entries.items():
        assert index[slug]["file"] == f"/api/{kind}/{slug}.json"
        name = getattr(entry, "name", None) or getattr(entry, "title", None) or slug
        assert index[slug]["name"] == name
        assert _json(built, index[slug]["file"]) == entry.model_dump(mode="json")


def test_the_api_index_states_where_entries_live(built: Built) -> None:
    index = _json(built, "api/index.json")
    assert index["entities"] == "/api/<kind>/<id>.json"
    assert "/api/gpus.json" in index["endpoints"]
