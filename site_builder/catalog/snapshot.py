"""The validated catalog as one JSON document and back: what the browser's copy of the engine
loads (:mod:`site_builder.site.in_browser`). Each entity is dumped as pydantic dumps it and
validated again on load, so the copy is the catalog the build validated, field for field.
Stacks and benchmarks stay out: the engine reads neither."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

from site_builder.catalog.store import Catalog
from site_builder.schema import Combo, Gpu, Interconnect, Model, Quant, Runtime

KINDS = ("gpus", "interconnects", "models", "quants", "runtimes", "combos")
"""The kinds the engine reads."""
M = TypeVar("M", bound=BaseModel)


def dump(catalog: Catalog) -> str:
    """Every entity of the engine's kinds, by kind then slug, as deterministic JSON."""
    document = {
        kind: {slug: e.model_dump(mode="json") for slug, e in getattr(catalog, kind).items()}
        for kind in KINDS
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load(text: str) -> Catalog:
    """The catalog of a :func:`dump`, every entity validated by its schema again."""
    document = json.loads(text)
    return Catalog(
        gpus=_entities(document, "gpus", Gpu),
        interconnects=_entities(document, "interconnects", Interconnect),
        models=_entities(document, "models", Model),
        quants=_entities(document, "quants", Quant),
        runtimes=_entities(document, "runtimes", Runtime),
        combos=_entities(document, "combos", Combo),
    )


def _entities(document: dict[str, Any], kind: str, model: type[M]) -> dict[str, M]:
    found = document[kind]
    return {slug: model.model_validate_json(json.dumps(found[slug])) for slug in sorted(found)}
