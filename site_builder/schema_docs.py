"""The catalog reference page, generated from the schema's field descriptions.

Each kind gets a section with one row per field (type, required or default, description), and
each nested object type gets its own table once. A field without a description is a bug that
``tests/catalog/test_schema_docs.py`` catches.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from site_builder.schema import KINDS

INTRO = """# Catalog reference

Every page of this site is generated from YAML files under `catalog/`, one file per entry:
`catalog/<kind>/<id>.yaml`, where the file name is the ID used in URLs and references. Unknown
keys are errors, numbers must be written as numbers, and every entry lists its `sources`.
Validate with `site-builder validate`; the JSON Schema of each kind is published as
`/schema/<kind>.schema.json` for completion in editors that speak yaml-language-server.
"""


def catalog_reference_markdown() -> str:
    """The whole reference page as Markdown."""
    parts = [INTRO]
    seen: set[type[BaseModel]] = set()
    for kind, model in KINDS.items():
        parts.append(f"## `{kind}/`\n\n{_doc(model)}\n\n{_table(model)}")
        for nested in _nested_models(model, seen):
            parts.append(f"### {nested.__name__}\n\n{_doc(nested)}\n\n{_table(nested)}")
    return "\n\n".join(parts) + "\n"


def undocumented_fields() -> list[str]:
    """``Model.field`` for every field (nested models included) lacking a description."""
    missing = []
    for model in _all_models():
        for name, info in model.model_fields.items():
            if not (info.description or "").strip():
                missing.append(f"{model.__name__}.{name}")
    return missing


def _all_models() -> list[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    found: list[type[BaseModel]] = []
    for model in KINDS.values():
        found.append(model)
        found.extend(_nested_models(model, seen))
    return found


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def _table(model: type[BaseModel]) -> str:
    rows = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        rows.append(
            f"| `{name}` | {_type_name(info.annotation)} | {_required(info)} | "
            f"{_cell(info.description or '')} |"
        )
    return "\n".join(rows)


def _required(info: FieldInfo) -> str:
    if info.is_required():
        return "yes"
    if info.default is PydanticUndefined or info.default is None:
        return "no"
    return f"no (default `{_default(info.default)}`)"


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(arg) for arg in args if arg is not type(None)]
        return " or ".join(names)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"map of ({_type_name(args[0])}) to ({_type_name(args[1])})"
    if origin is typing.Literal:
        return " \\| ".join(f"`{arg}`" for arg in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation))


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    for info in model.model_fields.values():
        for inner in _models_in(info.annotation):
            if inner not in seen:
                seen.add(inner)
                yield inner
                yield from _nested_models(inner, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)
