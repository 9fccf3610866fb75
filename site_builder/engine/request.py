"""One estimate request as JSON fields (a line of ``estimate --batch``, the configurator's
state in the browser): the fields a request may hold, their validation into a :class:`Config`,
and the answer, ``Estimate.to_json()`` or ``{"error": ...}`` (never an exception). Pure: no
I/O, so the browser's engine (:mod:`site_builder.site.in_browser`) asks exactly what the command
line asks."""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn, TypeVar

from site_builder.catalog.store import Catalog
from site_builder.engine.config import Config
from site_builder.engine.estimate import Lookups, estimate
from site_builder.engine.resolve import (
    KV_TYPES,
    SPLITS,
    check_choice,
    lookup,
    parse_gpu,
    shown,
    validate,
)
from site_builder.engine.result import Estimate
from site_builder.errors import UsageError

T = TypeVar("T", bound=str)

_JSON_DIGITS = 30
"""Most digits of a JSON integer in a batch line (every range is far below)."""

BATCH_KEYS = {
    "combo",
    "gpu",
    "interconnect",
    "model",
    "quant",
    "runtime",
    "split",
    "context",
    "prompt",
    "gen",
    "concurrency",
    "kv_cache",
    "kv-cache",
    "flash_attention",
    "tensor_split",
    "ram_gib",
    "ram_bandwidth_gb_s",
    "cpu_moe_layers",
    "ubatch",
}


def config_from(catalog: Catalog, fields: dict[str, Any]) -> Config:
    """A validated Config from option-named fields (CLI or batch line)."""
    unknown = set(fields) - BATCH_KEYS
    if unknown:
        raise UsageError(f"unknown key {shown(sorted(unknown)[0])}")
    for key in ("model", "quant", "runtime"):
        if not fields.get(key):
            raise UsageError(f"missing --{key}")
    cards, interconnect, combo = hardware(catalog, fields)
    flash_attention = fields.get("flash_attention")
    if flash_attention is not None and not isinstance(flash_attention, bool):
        raise UsageError("invalid flash_attention: must be true, false or null")
    config = Config(
        gpus=cards,
        model=_str(fields, "model"),
        quant=_str(fields, "quant"),
        runtime=_str(fields, "runtime"),
        interconnect=interconnect,
        split=_choice(fields, "split", SPLITS),
        context_tokens=_int(fields, "context", 8192),
        prompt_tokens=_int(fields, "prompt", 512),
        gen_tokens=_int(fields, "gen", 128),
        concurrency=_int(fields, "concurrency", 1),
        kv_cache=_choice(fields, "kv_cache", KV_TYPES)
        or _choice(fields, "kv-cache", KV_TYPES)
        or "f16",
        combo=combo,
        flash_attention=flash_attention,
        tensor_split=_ratios(fields.get("tensor_split")),
        host_ram_gib=_optional_int(fields, "ram_gib", "ram"),
        ram_bandwidth_gb_s=_optional_int(fields, "ram_bandwidth_gb_s", "ram-bandwidth"),
        cpu_moe_layers=_optional_int(fields, "cpu_moe_layers", "cpu-moe-layers"),
        ubatch_tokens=_optional_int(fields, "ubatch", "ubatch"),
    )
    validate(catalog, config)
    return config


def hardware(
    catalog: Catalog, fields: dict[str, Any]
) -> tuple[tuple[tuple[str, int], ...], str | None, str | None]:
    """Cards, interconnect and combo ID from ``--combo`` or ``--gpu`` (and ``--interconnect``)."""
    gpus = fields.get("gpu") or []
    if isinstance(gpus, str):
        gpus = [gpus]
    if not isinstance(gpus, list) or not all(isinstance(g, str) for g in gpus):
        raise UsageError("invalid --gpu: must be SLUG[:COUNT] text (or a list of them)")
    combo = _optional_str(fields, "combo")
    if combo and gpus:
        raise UsageError("give --combo or --gpu, not both")
    interconnect = _optional_str(fields, "interconnect")
    if combo:
        entry = lookup("combo", catalog.combos, combo)
        cards = entry.cards()
        return cards, interconnect or entry.interconnect, combo
    if gpus:
        return tuple(parse_gpu(g) for g in gpus), interconnect, None
    raise UsageError("missing --combo or --gpu")


def _int(fields: dict[str, Any], key: str, default: int) -> int:
    value = fields.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"invalid --{key} {_json_shown(value)}: must be an integer")
    return value


def _optional_int(fields: dict[str, Any], key: str, option: str) -> int | None:
    """An optional whole number named ``--option`` on the command line (ranges: validate)."""
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"invalid --{option} {_json_shown(value)}: must be an integer")
    return value


def _str(fields: dict[str, Any], key: str) -> str:
    value = fields.get(key)
    if not isinstance(value, str):
        raise UsageError(f"invalid --{key} {_json_shown(value)}: must be text")
    return value


def _optional_str(fields: dict[str, Any], key: str) -> str | None:
    return None if fields.get(key) is None else _str(fields, key)


def _choice(fields: dict[str, Any], key: str, choices: tuple[T, ...]) -> T | None:
    """The choice named by ``fields[key]`` (None when absent), or a UsageError naming them."""
    value = _optional_str(fields, key)
    if value is None:
        return None
    for choice in choices:
        if choice == value:
            return choice
    check_choice(key.replace("_", "-"), value, tuple(str(c) for c in choices))
    raise AssertionError("unreachable")  # pragma: no cover


def _ratios(value: Any) -> tuple[float, ...] | None:
    """A batch line's ``tensor_split``: a list of numbers (ranges are checked by validate)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in value
    ):
        raise UsageError("invalid tensor split: must be a list of numbers, one per card")
    return tuple(float(x) for x in value)


def _json_shown(value: Any) -> str:
    """A short rendering of a batch line's value for a message."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, (bool, int, float)) or value is None:
        return shown(json.dumps(value))[1:-1]
    return "a list" if isinstance(value, list) else "an object"


def answer(catalog: Catalog, line: str, lookups: Lookups | None = None) -> dict[str, Any]:
    """The estimate of one batch line as JSON, or ``{"error": ...}``; never raises for any
    text."""
    found = estimate_line(catalog, line, lookups)
    return found.to_json() if isinstance(found, Estimate) else found


def estimate_line(
    catalog: Catalog, line: str, lookups: Lookups | None = None
) -> Estimate | dict[str, Any]:
    """The estimate of one batch line, or ``{"error": ...}``; never raises for any text."""
    try:
        fields = _loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    except _BadNumber as exc:
        return {"error": f"invalid JSON: {exc}"}
    except RecursionError:
        return {"error": "invalid JSON: nested too deeply"}
    except (ValueError, OverflowError) as exc:
        return {"error": f"invalid JSON: {exc}"}
    if not isinstance(fields, dict):
        return {"error": "invalid line: expected a JSON object"}
    return estimate_fields(catalog, fields, lookups)


def estimate_fields(
    catalog: Catalog, fields: dict[str, Any], lookups: Lookups | None = None
) -> Estimate | dict[str, Any]:
    """The estimate of one batch line's parsed object, or ``{"error": ...}``; never raises."""
    try:
        return estimate(catalog, config_from(catalog, fields), lookups)
    except UsageError as exc:
        return {"error": str(exc)}
    except RecursionError:
        return {"error": "invalid value: nested too deeply"}
    except (TypeError, ValueError, OverflowError) as exc:
        return {"error": f"invalid value: {exc}"}


class _BadNumber(ValueError):
    """A JSON number the batch refuses: non-finite, or with too many digits."""


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _JSON_DIGITS:
        raise _BadNumber(f"an integer of {digits:,} digits (at most {_JSON_DIGITS})")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"number {shown(text)[1:-1]} is out of range")
    return value


def _json_constant(name: str) -> NoReturn:
    raise _BadNumber(f"{name} is not a number")


_DECODER = json.JSONDecoder(
    parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
)
"""Strict JSON: no NaN or Infinity, no number beyond a float or 30 digits (one decoder for
every line: ``json.loads`` with these hooks would build one per line)."""


def _loads(line: str) -> Any:
    """One batch line as strict JSON (:data:`_DECODER`; a byte-order mark fails as
    ``json.loads`` fails it)."""
    if line.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
    return _DECODER.decode(line)
