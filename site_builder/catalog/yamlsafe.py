"""Read catalog YAML safely: plain data plus the node tree that remembers positions.

Only the YAML 1.2 core types are accepted. What YAML 1.1 silently turns into something else is an
error here: ``no``/``on`` as booleans, ``0x10``/``010``/``1_000`` as integers, ``1:20`` sexagesimal,
``.inf``. Tags (``!!python/object/apply``) are refused and never constructed; anchors and aliases
are refused by a streaming pass before composing (an alias bomb costs one pass over its text);
files over 1 MiB are refused.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import yaml

MAX_BYTES = 1 << 20
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_NUMBERS: dict[str, tuple[re.Pattern[str], type[int] | type[float]]] = {
    _TAG + "int": (_INT, int),
    _TAG + "float": (_FLOAT, float),
}


@dataclass(frozen=True)
class YamlIssue:
    """A problem found while reading, at a 1-based position."""

    line: int
    col: int
    message: str


@dataclass(frozen=True)
class Document:
    """A parsed file: its data (a dict) and the root node for locating errors."""

    data: dict[str, Any]
    root: yaml.MappingNode


def decode(raw: bytes) -> str | YamlIssue:
    """Decode UTF-8 strictly; an invalid byte is reported at its line and column."""
    if len(raw) > MAX_BYTES:
        return YamlIssue(1, 1, f"file is larger than {MAX_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return YamlIssue(line, col, f"invalid UTF-8 byte 0x{raw[exc.start]:02x}")


def parse(text: str) -> Document | list[YamlIssue]:
    """Parse one catalog file into a :class:`Document`, or the list of what is wrong with it."""
    if not text.strip() or all(_is_comment(line) for line in text.splitlines()):
        return [YamlIssue(1, 1, "file is empty; expected a mapping of keys to values")]
    try:
        alias = _first_alias(text)
        if alias is not None:
            return [alias]
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        return [_syntax_issue(exc)]
    except yaml.YAMLError as exc:
        return [YamlIssue(1, 1, f"YAML error: {exc}")]
    if not isinstance(root, yaml.MappingNode):
        line, col = _position(root.start_mark if root is not None else None)
        return [YamlIssue(line, col, "the file must be a mapping of keys to values")]
    issues: list[YamlIssue] = []
    data = _build(root, issues)
    return issues if issues else Document(data, root)


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped == "---"


def _syntax_issue(exc: yaml.MarkedYAMLError) -> YamlIssue:
    """Locate a syntax error where the broken construct starts when that is known.

    An unclosed ``[`` or quote is only detected lines later; libyaml's context mark points at
    the opening character, which is where the editor has to look.
    """
    context = exc.context or ""
    opened = exc.context_mark is not None and ("flow" in context or "quoted" in context)
    mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
    line, col = _position(mark)
    where = f" ({context} that starts here)" if opened else ""
    return YamlIssue(line, col, f"YAML syntax error: {exc.problem or context}{where}")


def _position(mark: Any) -> tuple[int, int]:
    """1-based (line, column) of a YAML mark; (1, 1) when there is none."""
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _issue(node: yaml.Node, message: str) -> YamlIssue:
    line, col = _position(node.start_mark)
    return YamlIssue(line, col, message)


def _first_alias(text: str) -> YamlIssue | None:
    """Find the first alias by streaming parser events, before anything is composed."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            line, col = _position(event.start_mark)
            return YamlIssue(line, col, "YAML aliases (*name) are not allowed; write the value out")
    return None


def _build(node: yaml.Node, issues: list[YamlIssue]) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, issues)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _TAG + "seq":
            issues.append(_issue(node, f"YAML tag {_short(node.tag)!r} is not allowed"))
        return [_build(item, issues) for item in node.value]
    return _scalar(node, issues)


def _build_mapping(node: yaml.MappingNode, issues: list[YamlIssue]) -> Any:
    if node.tag != _TAG + "map":
        issues.append(_issue(node, f"YAML tag {_short(node.tag)!r} is not allowed"))
        return None
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _TAG + "str":
            issues.append(_issue(key_node, "keys must be plain text"))
            continue
        if key_node.value in result:
            issues.append(_issue(key_node, f"duplicate key {key_node.value!r}"))
            continue
        result[key_node.value] = _build(value_node, issues)
    return result


def _scalar(node: yaml.Node, issues: list[YamlIssue]) -> Any:
    tag, text = node.tag, node.value
    if tag == _TAG + "str":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        if text in ("true", "false"):
            return text == "true"
        issues.append(
            _issue(
                node,
                f"{text!r} is a YAML 1.1 boolean; write true or false, "
                "or quote it if you mean text",
            )
        )
        return None
    if tag in _NUMBERS:
        pattern, convert = _NUMBERS[tag]
        if pattern.match(text):
            return convert(text)
        issues.append(
            _issue(
                node,
                f"ambiguous number {text!r}; write a plain decimal "
                "number, or quote it if you mean text",
            )
        )
        return None
    if tag == _TAG + "timestamp":
        return _timestamp(node, issues)
    issues.append(_issue(node, f"YAML tag {_short(tag)!r} is not allowed"))
    return None


def _timestamp(node: yaml.Node, issues: list[YamlIssue]) -> Any:
    try:
        return datetime.date.fromisoformat(node.value)
    except ValueError:
        issues.append(_issue(node, f"{node.value!r}: write dates as YYYY-MM-DD"))
        return None


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
