"""JSON Schema of every catalog kind, generated from the pydantic models.

Editors' YAML files point at them with a first line
``# yaml-language-server: $schema=../../schema/gpus.schema.json`` for completion and inline
errors; the site publishes them under ``/schema/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from site_builder.schema import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(kind: str) -> str:
    """``combos`` -> ``combos.schema.json``."""
    return f"{kind}.schema.json"


def json_schemas() -> dict[str, dict[str, Any]]:
    """Kind -> JSON Schema (draft 2020-12) of one entry of that kind."""
    schemas: dict[str, dict[str, Any]] = {}
    for kind, model in KINDS.items():
        schema = model.model_json_schema()
        schemas[kind] = {"$schema": SCHEMA_DIALECT, "$id": schema_file_name(kind), **schema}
    return schemas


def render_schema(schema: dict[str, Any]) -> str:
    """Serialise a schema deterministically (sorted keys, trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every kind's schema into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in json_schemas().items():
        path = out_dir / schema_file_name(kind)
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written
