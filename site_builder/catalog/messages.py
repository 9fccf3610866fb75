"""Turn pydantic validation errors into editor-facing messages with hints."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from site_builder.schema.base import QUANT_ID_PATTERN, SLUG_PATTERN

_ID_PATTERNS = {SLUG_PATTERN, QUANT_ID_PATTERN}


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def field_path(loc: Sequence[str | int]) -> str:
    """Render a loc as ``gpus[0].model``, dropping pydantic's union/function tags."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_tag(part):
            continue
        else:
            out += f".{part}" if out else part
    return out


def message_for(error: ErrorDetails, model: type[BaseModel]) -> str:
    """A message for one pydantic error, with a hint where one helps."""
    kind, loc, value = error["type"], error["loc"], error.get("input")
    if kind == "extra_forbidden":
        allowed = fields_at(model, loc[:-1])
        return f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), allowed)}"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "literal_error" and isinstance(value, str):
        options = (error.get("ctx") or {}).get("expected", "")
        choices = [part.strip(" '") for part in str(options).replace(" or ", ",").split(",")]
        message += did_you_mean(value, choices)
    if kind in ("float_type", "int_type") and isinstance(value, str) and _is_number(value):
        message += f" (YAML read {value!r} as text; remove the quotes)"
    if kind == "float_type" and type(value) is int:
        return "number too large"
    if kind == "finite_number":
        message += " (the value overflows to infinity; check the exponent)"
    if kind == "string_type" and isinstance(value, bool | int | float):
        shown = repr(value) if len(str(value)) <= 40 else "a long number"
        message += f" (YAML read {shown} as a {type(value).__name__}; quote it)"
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        pattern = (error.get("ctx") or {}).get("pattern")
        if pattern in _ID_PATTERNS and any(c.isspace() for c in value):
            message += " (an ID has no spaces or line breaks)"
        if str(pattern).startswith("^https?://"):
            return "not a web address: write the whole URL, starting with https://"
    if kind in NUMBER_ERRORS and isinstance(value, str) and (number := _with_unit(value)):
        field = next((p for p in reversed(loc) if isinstance(p, str) and not _is_tag(p)), "")
        message += f" (write {number} in `{field}`; the unit is in the field name)"
    if kind in DATE_ERRORS:
        message += " (write the date as YYYY-MM-DD, e.g. 2026-03-31)"
    return message


NUMBER_ERRORS = frozenset({"float_type", "int_type", "float_parsing", "int_parsing"})
DATE_ERRORS = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
_UNIT = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*([A-Za-z%/]+)\s*")


def _with_unit(text: str) -> str:
    """The number of a value typed with its unit (``128GB`` -> ``128``), else empty."""
    match = _UNIT.fullmatch(text)
    return match.group(1) if match else ""


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> set[str]:
    """Field names of the model found by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or _is_tag(part):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return set()
        current = _inner_model(field.annotation)
    return set(current.model_fields) if _is_model(current) else set()


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"list", "dict"})


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _inner_model(annotation: Any) -> Any:
    """Unwrap ``list[X]``, ``X | None`` and ``Annotated[X, ...]`` down to a model class."""
    if _is_model(annotation):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None
