"""JSON Schema of every catalog kind, generated from the pydantic models.

Editors' YAML files point at them with a first line
``# yaml-language-server: $schema=../../schema/gpus.schema.json`` for completion and inline
errors; the site publishes them under ``/schema/``. Beyond the models' own schema they carry
what ``validate`` checks across files, so the editor flags it while typing: every reference
lists the catalog's IDs of its kind (``enum``; the paths are the loader's
:data:`~site_builder.catalog.rules.REFERENCES`), numeric fields their plausible range, and a
benchmark the fields required once measured (:data:`CONDITIONS`, as ``rules._benchmark``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from site_builder.catalog.rules import ANY, REFERENCES
from site_builder.schema import KINDS

Ids = Mapping[str, Sequence[str]]
"""Kind -> the catalog's IDs of that kind."""

MEASURED = ("runtime_version", "command", "result_source", "measured_on", "results")
CONDITIONS: dict[str, list[dict[str, Any]]] = {
    "benchmarks": [
        {
            "if": {"properties": {"status": {"const": "measured"}}, "required": ["status"]},
            "then": {"required": list(MEASURED), "properties": {"results": {"minItems": 1}}},
        },
        {
            "if": {"properties": {"status": {"const": "pending"}}, "required": ["status"]},
            "then": {"properties": {"results": {"maxItems": 0}}},
        },
    ]
}
"""Cross-field rules as JSON Schema conditions: a measured benchmark needs its version,
command, raw results, date and at least one result; a pending one has none."""

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(kind: str) -> str:
    """``combos`` -> ``combos.schema.json``."""
    return f"{kind}.schema.json"


def json_schemas(ids: Ids | None = None) -> dict[str, dict[str, Any]]:
    """Kind -> JSON Schema (draft 2020-12) of one entry of that kind; with ``ids``, every
    reference field lists the valid IDs."""
    schemas: dict[str, dict[str, Any]] = {}
    for kind, model in KINDS.items():
        schema = model.model_json_schema()
        if ids is not None:
            for path, target in REFERENCES.get(kind, ()):
                if isinstance(target, str):  # a component's kind depends on its own field
                    _enum(schema, schema, path, sorted(ids.get(target, ())))
        if kind in CONDITIONS:
            schema["allOf"] = CONDITIONS[kind]
        schemas[kind] = {"$schema": SCHEMA_DIALECT, "$id": schema_file_name(kind), **schema}
    return schemas


def catalog_ids(folder: Path) -> dict[str, list[str]]:
    """Kind -> the IDs with a file in ``folder`` (valid or not: ``validate`` reports the
    rest)."""
    return {kind: sorted(p.stem for p in (folder / kind).glob("*.yaml")) for kind in KINDS}


def _enum(
    root: dict[str, Any], node: dict[str, Any], path: tuple[str | int, ...], ids: list[str]
) -> None:
    """Set ``enum`` on the string schema at ``path`` under ``node`` (``$ref`` and optional
    ``anyOf`` followed)."""
    node = _resolved(root, node)
    if not path:
        for option in node.get("anyOf", [node]):
            option = _resolved(root, option)
            if option.get("type") == "string":
                option["enum"] = ids
        return
    head, rest = path[0], path[1:]
    for option in node.get("anyOf", [node]):
        option = _resolved(root, option)
        child = option.get("items") if head == ANY else option.get("properties", {}).get(head)
        if isinstance(child, dict):
            _enum(root, child, rest, ids)


def _resolved(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or the definition its ``$ref`` (``#/$defs/Name``) points at."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        found: dict[str, Any] = root["$defs"][ref.removeprefix("#/$defs/")]
        return found
    return node


def render_schema(schema: dict[str, Any]) -> str:
    """Serialise a schema deterministically (sorted keys, trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path, ids: Ids | None = None) -> list[Path]:
    """Write every kind's schema into ``out_dir`` (with ``ids``: the valid IDs of every
    reference); return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in json_schemas(ids).items():
        path = out_dir / schema_file_name(kind)
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written
