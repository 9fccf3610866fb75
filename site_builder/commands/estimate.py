"""``site-builder estimate``: fit and speed of one configuration, or a JSON Lines batch.

Exit codes: 0 for any verdict (and for a batch, whatever its lines hold); 1 when the catalog has
errors, or when a result holds a non-finite number (a bug; no output then); 2 with one line
naming the bad argument for unknown IDs or invalid values (numbers are ASCII digits within the
ranges stated in :mod:`site_builder.engine.resolve`, ``--prompt`` at most ``--context``) or an
unreadable ``--batch`` file.

``--batch`` answers every non-blank input line with one strict JSON object on its own output
line (compact, UTF-8), in order, whatever the bytes: a line that is not UTF-8, not JSON,
nested too deeply, holds a huge or non-finite number or an invalid value yields
``{"error": "..."}``; no line stops the batch.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from site_builder.catalog import Catalog
from site_builder.catalog.cache import load_cached
from site_builder.commands import parallel
from site_builder.engine import Estimate, estimate
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.request import config_from, estimate_line
from site_builder.engine.resolve import (
    KV_TYPES,
    SPLITS,
    parse_int,
    shown,
)
from site_builder.errors import UsageError

MAX_LINE_BYTES = 1024 * 1024
"""Longest batch line read (1 MiB); a longer one is answered with an error and skipped."""


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
        _batch_to_stdout(catalog, stream)
        return 0
    try:
        stream = Path(source).open("rb")  # noqa: SIM115  # closed below
    except FileNotFoundError:
        raise UsageError(f"invalid --batch {shown(source)}: no such file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"invalid --batch {shown(source)}: cannot open it ({reason})") from None
    with stream:
        _batch_to_stdout(catalog, stream)
    return 0


def _batch_to_stdout(catalog: Catalog, lines: BinaryIO) -> None:
    """:func:`batch_lines` onto standard output's bytes (UTF-8 whatever the locale)."""
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:
        batch_lines(catalog, lines, out)
        out.flush()
        return
    collected = io.BytesIO()  # a text stream without bytes underneath (tests)
    batch_lines(catalog, lines, collected)
    sys.stdout.write(collected.getvalue().decode("utf-8"))


CHUNK_LINES = 500
"""Batch lines per work unit: a batch of at most one chunk is answered in this process; a
longer one is spread over worker processes chunk by chunk (same output, in order)."""


def batch_lines(catalog: Catalog, lines: BinaryIO, out: BinaryIO) -> None:
    """Answer each non-blank line of the byte stream ``lines`` on ``out``: one strict JSON
    object per line (compact, UTF-8), in order. Lines are split at ``\n`` (a ``\r`` before it
    and a UTF-8 byte-order mark on the first line are dropped) and decoded one by one."""
    global _WORK
    _WORK = (catalog, prepare(catalog), {})
    chunks = _chunks(_raw_lines(lines))
    first = next(chunks, None)
    if first is None:
        return
    following = next(chunks, None)
    answers: Iterable[bytes]
    if following is None:
        answers = [_answer_chunk(first)]
    else:
        rest = itertools.chain([first, following], chunks)
        answers = parallel.ordered_map(_answer_chunk, rest, parallel.workers())
    for lines_out in answers:
        out.write(lines_out)


Refusals = dict[int, tuple[Estimate, bytes]]
"""The JSON line of each refusal answered so far, by the shared answer's identity: the engine
answers every configuration refused for the same reasons with one object (most lines of a
sweep), so its line is written once."""

_WORK: tuple[Catalog, Lookups, Refusals] | None = None
"""The catalog, lookups and refusals' lines the batch's workers answer from (set before they
fork)."""


def _chunks(raw: Iterator[bytes | None]) -> Iterator[list[tuple[int, bytes | None]]]:
    """Numbered raw lines in lists of CHUNK_LINES."""
    numbered = enumerate(raw)
    while chunk := list(itertools.islice(numbered, CHUNK_LINES)):
        yield chunk


def _answer_chunk(chunk: list[tuple[int, bytes | None]]) -> bytes:
    """The output lines of one chunk of numbered raw lines (blank lines answer nothing)."""
    if _WORK is None:
        raise RuntimeError("batch worker started without its catalog")
    catalog, lookups, refusals = _WORK
    parts = []
    for number, raw in chunk:
        if raw is None:
            line = json_line({"error": f"line is longer than {MAX_LINE_BYTES:,} bytes: not read"})
        elif not raw.strip():
            continue
        else:
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            line = answer_line(catalog, raw, lookups, refusals)
        parts.append(line)
    return b"\n".join(parts) + b"\n" if parts else b""


def answer_line(catalog: Catalog, raw: bytes, lookups: Lookups | None, refusals: Refusals) -> bytes:
    """The output line (without its ending) answering one batch line given as bytes
    (``refusals``: the lines written so far)."""
    found = estimate_bytes(catalog, raw, lookups)
    if not isinstance(found, Estimate):
        return json_line(found)
    if found.verdict != "unsupported":
        return _estimate_line(found)
    known = refusals.get(id(found))
    if known is None:
        known = refusals[id(found)] = (found, _estimate_line(found))
    return known[1]


def _estimate_line(found: Estimate) -> bytes:
    if not found.finite():
        return json_line({"error": "the result holds a non-finite number (an engine bug)"})
    return json_line(found.to_json())


def json_line(value: dict[str, Any]) -> bytes:
    """``value`` as one line of compact, strict JSON in UTF-8 (orjson: the batch's answers
    serialise about ten times faster than with the json module; a string orjson refuses, a
    lone surrogate, is written by the json module as a ``\\u`` escape instead). ``value``
    holds no non-finite number (orjson would write ``null``)."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode("ascii")


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


def estimate_bytes(
    catalog: Catalog, raw: bytes, lookups: Lookups | None = None
) -> Estimate | dict[str, Any]:
    """The estimate of one batch line given as bytes, or ``{"error": ...}``."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"error": f"line is not valid UTF-8 (byte {exc.start + 1}): not read"}
    return estimate_line(catalog, line, lookups)


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
        f"{_speed(e.per_user_decode_tok_s, 'tok/s')} per user; "
        f"{_speed(e.output_tok_s, 'tok/s')} output with prefill"
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
