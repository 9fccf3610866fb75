"""The catalog entries an import names: a benchmark's combo (its cards and name), its model (its
name) and the quant IDs, read from their files so that a catalog with errors elsewhere does not
stop the import."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from site_builder.catalog import yamlsafe
from site_builder.catalog.importers.llama_bench import CatalogFacts
from site_builder.catalog.loader import QUANT_SLUG, SLUG
from site_builder.catalog.messages import did_you_mean
from site_builder.errors import UsageError
from site_builder.schema import Combo, Model

Entry = TypeVar("Entry", bound=BaseModel)


def bench_facts(catalog: Path, combo_id: str, model_id: str) -> CatalogFacts:
    """What a benchmark of ``model_id`` on ``combo_id`` takes from ``catalog``."""
    combo = entry(catalog, "combos", combo_id, Combo)
    model = entry(catalog, "models", model_id, Model)
    counts: dict[str, int] = {}
    for gpu, count in combo.cards():
        counts[gpu] = counts.get(gpu, 0) + count
    quants = frozenset(ids(catalog, "quants"))
    return CatalogFacts(combo.name, tuple(counts.items()), model.name, quants)


def entry(catalog: Path, kind: str, slug: str, schema: type[Entry]) -> Entry:
    """The valid entry ``catalog/<kind>/<slug>.yaml``."""
    path = catalog / kind / f"{slug}.yaml"
    if not SLUG.fullmatch(slug) or not path.is_file():
        hint = did_you_mean(slug, ids(catalog, kind))
        raise UsageError(f"unknown {kind.removesuffix('s')} {slug!r} in {catalog}{hint}")
    try:
        parsed = yamlsafe.parse(path.read_text(encoding="utf-8"))
        return schema.model_validate(parsed.data if isinstance(parsed, yamlsafe.Document) else None)
    except (OSError, UnicodeDecodeError, ValidationError):
        raise UsageError(f"{path} is not valid: fix it first (`site-builder validate`)") from None


def ids(catalog: Path, kind: str) -> list[str]:
    """The IDs of ``kind`` in ``catalog`` (file names without .yaml)."""
    pattern = QUANT_SLUG if kind == "quants" else SLUG
    folder = catalog / kind
    found = folder.glob("*.yaml") if folder.is_dir() else ()
    return sorted(path.stem for path in found if pattern.fullmatch(path.stem))
