"""``site-builder estimate --batch``: JSON Lines in, one strict JSON answer per line out.

Every non-blank input line gets one object on its own output line (compact, UTF-8), in order,
whatever the bytes: a line that is not UTF-8, not JSON, nested too deeply, holds a huge or
non-finite number or an invalid value yields ``{"error": "..."}``; no line stops the batch. A
batch longer than one chunk is answered by forked workers (:mod:`parallel`), the same bytes in
the same order as one process writes.
"""

from __future__ import annotations

import io
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from site_builder.catalog import Catalog
from site_builder.commands import parallel
from site_builder.engine import Estimate
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.request import estimate_fields, estimate_line
from site_builder.engine.resolve import shown
from site_builder.errors import UsageError

MAX_LINE_BYTES = 1024 * 1024
"""Longest batch line read (1 MiB); a longer one is answered with an error and skipped."""


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
    fields = _flat_object(raw)
    if fields is not None:
        return estimate_fields(catalog, fields, lookups)
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"error": f"line is not valid UTF-8 (byte {exc.start + 1}): not read"}
    return estimate_line(catalog, line, lookups)


_FLAT = frozenset({str, int, bool, type(None)})
"""The value types of a flat batch line (text, integers, booleans, nulls)."""


def _flat_object(raw: bytes) -> dict[str, Any] | None:
    """``raw`` read by orjson (about three times faster than the strict decoder) when it is a
    JSON object of text, integers, booleans and nulls, as nearly every batch line is; None
    otherwise, and the strict decoder reads the line (and words any error): orjson reads an
    integer beyond 64 bits as a float, and a list may hold one."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if value.__class__ is not dict:
        return None
    for item in value.values():
        if item.__class__ not in _FLAT:
            return None
    return value
