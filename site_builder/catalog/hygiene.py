"""Text in catalog files that must not be published: template syntax in prose, and the
placeholders of ``site-builder new`` skeletons.

Catalog strings reach pages as typed (escaped, never run through Jinja), so ``{{ ... }}`` or
``{% ... %}`` in a summary or a note would show raw on the page. Commands are exempt: they are
shell text shown in code blocks, where Go templates such as ``docker ps --format
'{{.Names}}'`` are real syntax. A skeleton's "Replace with ..." text and its example.com
addresses would publish a page of placeholders.
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


SKELETON = re.compile(r"Replace( with\b.*)?", re.S)
PLACEHOLDER_URL = re.compile(r"https?://([\w-]+\.)*example\.(com|org|net)\b|\bexample-org/", re.I)
SKELETON_MESSAGE = "the skeleton's placeholder text is still here: write the real content"
URL_MESSAGE = (
    "example.com and example-org are the skeleton's placeholders: cite the real source or "
    "repository"
)


def problems(data: Any) -> Iterator[tuple[Loc, str]]:
    """Template syntax and skeleton placeholders in a parsed YAML document, by field path."""
    for loc, text, command in strings(data):
        if TEMPLATE.search(text) and not command:
            yield loc, MESSAGE
        if SKELETON.fullmatch(text.strip()):
            yield loc, SKELETON_MESSAGE
        if PLACEHOLDER_URL.search(text):
            yield loc, URL_MESSAGE


def strings(data: Any, loc: Loc = (), command: bool = False) -> Iterator[tuple[Loc, str, bool]]:
    """Every string under ``data`` with its field path, and whether it sits in a command
    field."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*loc, key), command or key in COMMAND_FIELDS)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, (*loc, index), command)
    elif isinstance(data, str):
        yield loc, data, command
