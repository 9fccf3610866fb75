"""Map a field path (pydantic's ``loc``) to the line and column of the YAML node it names."""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def locate(root: yaml.Node, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
    """Return the 1-based position of ``loc`` in the tree under ``root``.

    Path parts that are not keys or indices of the tree (pydantic's union tags) are skipped. When
    a part is missing, the deepest node reached is returned (its parent mapping). With ``key``,
    the position of the last key itself rather than of its value is returned (unknown keys).
    """
    node = root
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        child = _child(node, part, want_key=key and last)
        if child is not None:
            node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def _child(node: yaml.Node, part: str | int, *, want_key: bool) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key_node, value_node in node.value:
            if key_node.value == part:
                found: yaml.Node = key_node if want_key else value_node
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None
