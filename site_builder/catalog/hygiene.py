"""Text in catalog files that must not be published: template syntax in prose.

Catalog strings reach pages as typed (escaped, never run through Jinja), so ``{{ ... }}`` or
``{% ... %}`` in a summary or a note would show raw on the page. Commands are exempt: they are
shell text shown in code blocks, where Go templates such as ``docker ps --format
'{{.Names}}'`` are real syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Loc = tuple[str | int, ...]

TEMPLATE = re.compile(r"\{\{|\{%")
COMMAND_FIELDS = frozenset({"command", "commands"})
"""Fields holding shell commands (shown in code blocks as typed)."""
MESSAGE = (
    "template syntax ({{ ... }} or {% ... %}) is shown as typed on the page, never run: write "
    "plain text (pages insert the engine's figures themselves)"
)


def template_syntax(data: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every string under ``data`` (a parsed YAML document) holding template syntax, outside
    command fields, with its field path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in COMMAND_FIELDS:
                yield from template_syntax(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from template_syntax(value, (*loc, index))
    elif isinstance(data, str) and TEMPLATE.search(data):
        yield loc, MESSAGE
