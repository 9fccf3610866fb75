"""Importers behind ``site-builder new``: turn a tool's output into a catalog entry's YAML text.

Each importer is a pure function, text in and YAML text out (``hf_config``: a Hugging Face
``config.json`` -> ``catalog/models/``; ``llama_bench``: llama-bench output ->
``catalog/benchmarks/``). They raise :class:`~site_builder.errors.UsageError` with the fix when
the input cannot make a valid entry. This module writes the text: the skeletons' schema line,
keys in the order given (the catalog's order), mappings and lists of mappings in block style,
lists of scalars in flow style (``sources`` as a block list), each scalar as PyYAML represents
it, so that loading the text gives back exactly the values written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from site_builder.schema_export import schema_file_name

BLOCK_LISTS = frozenset({"sources"})
"""Lists of scalars written one item a line, as the catalog writes them."""


def entry_text(kind: str, data: Mapping[str, Any]) -> str:
    """The file text of a catalog entry of ``kind``: schema line, then ``data``."""
    lines = _mapping(data, 0)
    return f"# yaml-language-server: $schema=../../schema/{schema_file_name(kind)}\n" + "".join(
        lines
    )


def _mapping(data: Mapping[str, Any], indent: int) -> Iterator[str]:
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield f"{pad}{key}:\n"
            yield from _mapping(value, indent + 2)
        elif isinstance(value, list) and (key in BLOCK_LISTS or _has_mappings(value)):
            yield f"{pad}{key}:\n"
            for item in value:
                yield from _item(item, indent)
        else:
            yield f"{pad}{key}: {scalar(value)}\n"


def _has_mappings(items: list[Any]) -> bool:
    return any(isinstance(item, Mapping) for item in items)


def _item(item: Any, indent: int) -> Iterator[str]:
    """One list item: ``- value``, or a mapping whose first key follows the dash."""
    pad = " " * indent
    if not isinstance(item, Mapping):
        yield f"{pad}- {scalar(item)}\n"
        return
    for index, line in enumerate(_mapping(item, indent + 2)):
        yield f"{pad}- {line[indent + 2 :]}" if index == 0 else line


def scalar(value: Any) -> str:
    """``value`` (a scalar or a list of scalars) as one line of YAML flow text; text with a
    line break or another unprintable character double-quoted with escapes (JSON's quoting is
    YAML's)."""
    if isinstance(value, str) and not value.isprintable():
        return json.dumps(value, ensure_ascii=False)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.removesuffix("\n").removesuffix("\n...")
