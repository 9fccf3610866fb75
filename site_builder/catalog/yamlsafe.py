"""Read catalog YAML safely: plain data plus the node tree that remembers positions.

Only the YAML 1.2 core types are accepted. What YAML 1.1 silently turns into something else is an
error here: ``no``/``on`` as booleans, ``0x10``/``010``/``1_000`` as integers, ``1:20`` sexagesimal,
``.inf``. Tags (``!!python/object/apply``) are refused and never constructed; anchors and aliases
are refused by a streaming pass before composing (an alias bomb costs one pass over its text);
files over 1 MiB are refused. Control characters other than tab and line ends, and the
bidirectional controls that make text display differently from what it is (Trojan Source), are
refused anywhere in the file, written out or escaped in a quoted string, at their line and column;
an integer too long for Python to convert is "number too large", not a traceback.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

MAX_BYTES = 1 << 20
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_BIDI = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI_CHAR = re.compile(f"[{_BIDI}]")
_RAW_BAD = re.compile(f"[{_CONTROL}{_BIDI}]|\r(?!\n)")
"""Refused in a file's text: a carriage return only ends a line before a line feed."""
_VALUE_BAD = re.compile(f"[{_CONTROL}\r{_BIDI}]")
"""Refused in a value (escapes in double quotes): tab and line feed are the only controls."""
MAX_CHARACTER_ISSUES = 20
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
        return YamlIssue(1, 1, too_large(len(raw)))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return YamlIssue(line, col, f"invalid UTF-8 byte 0x{raw[exc.start]:02x}")


def too_large(size: int) -> str:
    """The message for a file of ``size`` bytes over the limit."""
    return f"file is larger than {MAX_BYTES} bytes ({size} bytes)"


def character_message(char: str) -> str:
    """Why ``char`` (a control or bidirectional character) is refused."""
    code = f"U+{ord(char):04X}"
    if _BIDI_CHAR.fullmatch(char):
        name = unicodedata.name(char, "")
        return (
            f"bidirectional control character {code} ({name}) is not allowed: it can make "
            "text read differently from what it is"
        )
    return f"control character {code} is not allowed"


def _bad_characters(text: str) -> list[YamlIssue]:
    """Every refused character of ``text`` at its 1-based line and column (the first few)."""
    issues: list[YamlIssue] = []
    line, line_start, counted = 1, 0, 0
    for match in _RAW_BAD.finditer(text):
        start = match.start()
        breaks = text.count("\n", counted, start)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", counted, start) + 1
        counted = start
        if len(issues) == MAX_CHARACTER_ISSUES:
            more = f"more refused characters follow; the first {MAX_CHARACTER_ISSUES} are listed"
            issues.append(YamlIssue(line, start - line_start + 1, more))
            break
        issues.append(YamlIssue(line, start - line_start + 1, character_message(match.group())))
    return issues


def parse(text: str) -> Document | list[YamlIssue]:
    """Parse one catalog file into a :class:`Document`, or the list of what is wrong with it."""
    characters = _bad_characters(text)
    if characters:
        return characters
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
        bad = _VALUE_BAD.search(key_node.value)
        if bad is not None:
            issues.append(_issue(key_node, character_message(bad.group())))
            continue
        if key_node.value in result:
            issues.append(_issue(key_node, f"duplicate key {key_node.value!r}"))
            continue
        result[key_node.value] = _build(value_node, issues)
    return result


def _scalar(node: yaml.Node, issues: list[YamlIssue]) -> Any:
    tag, text = node.tag, node.value
    if tag == _TAG + "str":
        bad = _VALUE_BAD.search(text)
        if bad is not None:
            issues.append(_issue(node, character_message(bad.group())))
            return None
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
            try:
                return convert(text)
            except ValueError:  # over sys.get_int_max_str_digits() digits
                digits = len(text.lstrip("+-"))
                issues.append(_issue(node, f"number too large ({digits} digits)"))
                return None
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
