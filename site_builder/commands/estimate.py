"""``site-builder estimate``: fit and speed of one configuration, or a JSON Lines batch.

Exit codes: 0 for any verdict (and for a batch, whatever its lines hold); 1 when the catalog has
errors, or when a result holds a non-finite number (a bug; no output then); 2 with one line
naming the bad argument for unknown IDs or invalid values (numbers are ASCII digits within the
ranges stated in :mod:`site_builder.engine.resolve`, ``--prompt`` at most ``--context``) or an
unreadable ``--batch`` file.

``--batch`` answers every non-blank input line with one strict JSON object on its own output
line, in order, whatever the bytes: a line that is not UTF-8, not JSON, nested too deeply, holds
a huge or non-finite number or an invalid value yields ``{"error": "..."}``; no line stops the
batch.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, TextIO, TypeVar

from site_builder.catalog import Catalog
from site_builder.catalog.cache import load_cached
from site_builder.commands import parallel
from site_builder.engine import Config, Estimate, estimate
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.resolve import (
    KV_TYPES,
    SPLITS,
    check_choice,
    lookup,
    parse_gpu,
    parse_int,
    shown,
    validate,
)
from site_builder.errors import UsageError

T = TypeVar("T", bound=str)

MAX_LINE_BYTES = 1024 * 1024
"""Longest batch line read (1 MiB); a longer one is answered with an error and skipped."""
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
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--combo", help="combo ID (its cards and interconnect)")
    parser.add_argument("--gpu", action="append", default=[], metavar="SLUG[:COUNT]")
    parser.add_argument("--interconnect", help="interconnect ID between the cards")
    parser.add_argument("--model")
    parser.add_argument("--quant")
    parser.add_argument("--runtime")
    parser.add_argument("--split", choices=SPLITS)
    parser.add_argument("--context", type=ascii_int, default=8192, help="context window")
    parser.add_argument("--prompt", type=ascii_int, default=512, help="prompt tokens (TTFT)")
    parser.add_argument("--gen", type=ascii_int, default=128, help="generated tokens (decode)")
    parser.add_argument("--concurrency", type=ascii_int, default=1)
    parser.add_argument("--kv-cache", choices=KV_TYPES, default="f16")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--batch", metavar="FILE", help="JSON Lines of configurations ('-' = stdin)"
    )


def ascii_int(text: str) -> int:
    """argparse ``type`` for numbers: ASCII digits only (``int`` would take ``٣`` and ``1_000``).

    argparse reports a failure as one line: ``argument --context: invalid value '٣': ...``.
    """
    try:
        return parse_int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid value {shown(text)}: {exc}") from None


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


def run(args: argparse.Namespace) -> int:
    catalog = load_cached(args.catalog)
    if args.batch:
        return run_batch(catalog, args.batch)
    fields = {
        "combo": args.combo,
        "gpu": args.gpu,
        "interconnect": args.interconnect,
        "model": args.model,
        "quant": args.quant,
        "runtime": args.runtime,
        "split": args.split,
        "context": args.context,
        "prompt": args.prompt,
        "gen": args.gen,
        "concurrency": args.concurrency,
        "kv_cache": args.kv_cache,
    }
    result = estimate(catalog, config_from(catalog, fields))
    if args.json:
        return print_json(result.to_json(), "the estimate")
    print(summary(result))
    return 0


def print_json(value: Any, what: str) -> int:
    """Print ``value`` as strict JSON (exit 0), or one line saying that ``what`` holds a
    non-finite number, an engine bug (exit 1)."""
    try:
        text = strict_json(value)
    except ValueError:
        print(f"error: {what} holds a non-finite number (an engine bug)", file=sys.stderr)
        return 1
    print(text)
    return 0


def strict_json(value: Any) -> str:
    """``value`` as strict JSON (ValueError for NaN or infinity, never ``NaN`` in the output)."""
    return json.dumps(value, allow_nan=False)


def run_batch(catalog: Catalog, source: str) -> int:
    """One JSON result per non-blank input line, in order; bad lines yield ``{"error": ...}``."""
    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream without bytes underneath (tests)
            stream = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
        batch_lines(catalog, stream, sys.stdout)
        return 0
    try:
        stream = Path(source).open("rb")  # noqa: SIM115  # closed below
    except FileNotFoundError:
        raise UsageError(f"invalid --batch {shown(source)}: no such file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"invalid --batch {shown(source)}: cannot open it ({reason})") from None
    with stream:
        batch_lines(catalog, stream, sys.stdout)
    return 0


CHUNK_LINES = 500
"""Batch lines per work unit: a batch of at most one chunk is answered in this process; a
longer one is spread over worker processes chunk by chunk (same output, in order)."""


def batch_lines(catalog: Catalog, lines: BinaryIO, out: TextIO) -> None:
    """Answer each non-blank line of the byte stream ``lines`` on ``out``: one strict JSON
    object per line, in order. Lines are split at ``\n`` (a ``\r`` before it and a UTF-8
    byte-order mark on the first line are dropped) and decoded one by one."""
    global _WORK
    _WORK = (catalog, prepare(catalog))
    chunks = _chunks(_raw_lines(lines))
    first = next(chunks, None)
    if first is None:
        return
    following = next(chunks, None)
    answers: Iterable[list[str]]
    if following is None:
        answers = [_answer_chunk(first)]
    else:
        rest = itertools.chain([first, following], chunks)
        answers = parallel.ordered_map(_answer_chunk, rest, parallel.workers())
    for texts in answers:
        for text in texts:
            out.write(text)


_WORK: tuple[Catalog, Lookups] | None = None
"""The catalog and lookups the batch's workers answer from (set before they fork)."""


def _chunks(raw: Iterator[bytes | None]) -> Iterator[list[tuple[int, bytes | None]]]:
    """Numbered raw lines in lists of CHUNK_LINES."""
    numbered = enumerate(raw)
    while chunk := list(itertools.islice(numbered, CHUNK_LINES)):
        yield chunk


def _answer_chunk(chunk: list[tuple[int, bytes | None]]) -> list[str]:
    """The output lines of one chunk of numbered raw lines (blank lines answer nothing)."""
    if _WORK is None:
        raise RuntimeError("batch worker started without its catalog")
    catalog, lookups = _WORK
    parts = []
    for number, raw in chunk:
        if raw is None:
            result: dict[str, Any] = {
                "error": f"line is longer than {MAX_LINE_BYTES:,} bytes: not read"
            }
        elif not raw.strip():
            continue
        else:
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            result = answer_bytes(catalog, raw, lookups)
        try:
            text = strict_json(result)
        except ValueError:
            text = strict_json({"error": "the result holds a non-finite number (an engine bug)"})
        parts.append(text + "\n")
    return parts


def _raw_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of ``stream`` without their ending; None for a line over MAX_LINE_BYTES (read
    in pieces and dropped, so memory stays bounded)."""
    while True:
        line = _read(stream, MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = _read(stream, MAX_LINE_BYTES)
            yield None
            continue
        yield line.removesuffix(b"\n").removesuffix(b"\r")


def _read(stream: BinaryIO, limit: int) -> bytes:
    try:
        return stream.readline(limit)
    except OSError as exc:  # an I/O error on the file or pipe (not on the output)
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"invalid --batch: cannot read it ({reason})") from None


def answer_bytes(catalog: Catalog, raw: bytes, lookups: Lookups | None = None) -> dict[str, Any]:
    """The answer to one batch line given as bytes."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"error": f"line is not valid UTF-8 (byte {exc.start + 1}): not read"}
    return answer(catalog, line, lookups)


def answer(catalog: Catalog, line: str, lookups: Lookups | None = None) -> dict[str, Any]:
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
    try:
        return estimate(catalog, config_from(catalog, fields), lookups).to_json()
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


def _loads(line: str) -> Any:
    """Strict JSON: no NaN or Infinity, no number beyond a float or 30 digits."""
    return json.loads(
        line, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
    )


def _speed(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:,.1f} {unit}"


def _memory_table(e: Estimate) -> list[str]:
    """Per-card memory, one row per card; every column is as wide as its widest value plus a
    space (at least 10; the card column at least 22), so columns never run together."""
    heads = ("capacity", "weights", "kv", "buffers", "overhead", "total")
    names = [f"{i} {c.gpu}" for i, c in enumerate(e.memory.per_gpu)]
    rows = [
        [
            f"{v:.2f}"
            for v in (
                c.capacity_gib,
                c.weights_gib,
                c.kv_cache_gib,
                c.buffers_gib,
                c.overhead_gib,
                c.total_gib,
            )
        ]
        for c in e.memory.per_gpu
    ]
    first = max([22, *(len(name) + 1 for name in names)])
    widths = [max([10, *(len(row[j]) + 1 for row in rows)]) for j in range(len(heads))]

    def line(name: str, cells: Sequence[str]) -> str:
        return f"{name:<{first}}" + "".join(
            f"{cell:>{width}}" for cell, width in zip(cells, widths, strict=True)
        )

    return [line("card (GiB)", heads)] + [
        line(name, row) for name, row in zip(names, rows, strict=True)
    ]


def summary(e: Estimate) -> str:
    """A readable report: verdict, reasons, per-card memory, speeds, launch command (for an
    unsupported configuration the reasons alone: nothing is placed or launched)."""
    lines = [f"verdict: {e.verdict}   split: {e.split}   max context: {e.max_context:,} tokens"]
    lines += [f"  - {r}" for r in e.reasons]
    if e.verdict == "unsupported" and not e.memory.per_gpu:
        return "\n".join(lines)
    lines.append("")
    lines += _memory_table(e)
    if e.memory.offload_gib:
        lines.append(f"system RAM (offloaded): {e.memory.offload_gib:.2f} GiB")
    lines.append("")
    rng = e.decode_tok_s_range
    band = f" (range {rng[0]:,.1f}-{rng[1]:,.1f})" if rng else ""
    lines.append(f"decode:     {_speed(e.decode_tok_s, 'tok/s')}{band}")
    lines.append(
        f"prefill:    {_speed(e.prefill_tok_s, 'tok/s')}   TTFT: {_speed(e.ttft_ms, 'ms')}"
    )
    lines.append(
        f"concurrent: {_speed(e.aggregate_decode_tok_s, 'tok/s')} aggregate, "
        f"{_speed(e.per_user_decode_tok_s, 'tok/s')} per user"
    )
    if e.power_w is not None and e.joules_per_token is not None:
        cost = e.cost_per_million_tokens_usd
        lines.append(
            f"power:      {e.power_w:,.0f} W, {e.joules_per_token:.2f} J/token"
            + (f", ${cost:.2f} per million tokens" if cost is not None else "")
        )
    lines += ["", "launch:", *(f"  {line}" for line in e.launch_command.splitlines())]
    if e.assumptions:
        lines += ["", "assumptions:"] + [f"  - {a}" for a in e.assumptions]
    return "\n".join(lines)
