"""The validated catalog as JSON documents and back: what the browser's copy of the engine
loads (:mod:`site_builder.site.in_browser`). Each entity is dumped as pydantic dumps it and
validated again on load, so the copy is the catalog the build validated, field for field.
The kinds every question reads are one document; each combo is a document of its own, loaded
when a question names it (so no file grows with the number of combos). Stacks and benchmarks
stay out: the engine reads neither."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from site_builder.catalog.store import Catalog
from site_builder.schema import Combo, Gpu, Interconnect, Model, Quant, Runtime

SHARED = ("gpus", "interconnects", "models", "quants", "runtimes")
"""The kinds in the one shared document."""
KINDS = (*SHARED, "combos")
"""The kinds the engine reads."""
M = TypeVar("M", bound=BaseModel)


def dump(catalog: Catalog) -> str:
    """Every entity of the shared kinds, by kind then slug, as deterministic JSON."""
    document = {
        kind: {slug: e.model_dump(mode="json") for slug, e in getattr(catalog, kind).items()}
        for kind in SHARED
    }
    return _json(document)


def dump_combo(combo: Combo) -> str:
    """One combo as deterministic JSON."""
    return _json(combo.model_dump(mode="json"))


def load(text: str, combos: Mapping[str, str] | None = None) -> Catalog:
    """The catalog of a :func:`dump` and of the :func:`dump_combo` documents in ``combos``
    (slug -> document), every entity validated by its schema again."""
    document = json.loads(text)
    found = combos or {}
    return Catalog(
        gpus=_entities(document, "gpus", Gpu),
        interconnects=_entities(document, "interconnects", Interconnect),
        models=_entities(document, "models", Model),
        quants=_entities(document, "quants", Quant),
        runtimes=_entities(document, "runtimes", Runtime),
        combos={slug: Combo.model_validate_json(found[slug]) for slug in sorted(found)},
    )


def with_combo(catalog: Catalog, slug: str, text: str) -> Catalog:
    """``catalog`` with the combo of a :func:`dump_combo` document added as ``slug``."""
    combos = {**catalog.combos, slug: Combo.model_validate_json(text)}
    return dataclasses.replace(catalog, combos=dict(sorted(combos.items())))


def _json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _entities(document: dict[str, Any], kind: str, model: type[M]) -> dict[str, M]:
    found = document[kind]
    return {slug: model.model_validate_json(json.dumps(found[slug])) for slug in sorted(found)}
