"""Reading llama-bench output into its JSON records, whatever the format it was printed in.

``-o json`` prints a JSON list of runs and ``-o jsonl`` one JSON object a line, each with every
field (build_commit, build_number, model_filename, model_type, n_gpu_layers, split_mode,
flash_attn, type_k, n_prompt, n_gen, n_depth, test_time, avg_ts, stddev_ts, samples_ts, ...).
The default Markdown table shows model_type as ``model``, the settings that differ from
llama-bench's defaults under short names (``ngl``, ``sm``, ``fa``, ...), the test as ``pp512``
(``pp 512`` before mid-2024; ``tg128 @ d4096`` at a depth) and the speed as ``mean ± stddev``;
its last line, ``build: <commit> (<number>)``, names the build. It has no file name and no
date. Source: llama.cpp tools/llama-bench/llama-bench.cpp (json_printer, markdown_printer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from site_builder.errors import UsageError

COLUMNS = {
    "model": "model_type",
    "ngl": "n_gpu_layers",
    "sm": "split_mode",
    "fa": "flash_attn",
    "threads": "n_threads",
    "nkvo": "no_kv_offload",
    "ts": "tensor_split",
    "mmap": "use_mmap",
    "dev": "devices",
    "ot": "tensor_buft_overrides",
}
"""Markdown column names that differ from the JSON field names."""
WHOLE = frozenset({"n_gpu_layers", "n_batch", "n_ubatch", "n_threads", "main_gpu", "n_cpu_moe"})
TEST = re.compile(r"(pp|tg) ?(\d+)(?: @ d(\d+))?")
SPEED = re.compile(r"(\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)")
BUILD = re.compile(r"build: ([0-9a-f]+) \((\d+)\)")
FORMAT_NAMES = {"json": "JSON", "jsonl": "JSON Lines", "md": "Markdown"}


@dataclass(frozen=True)
class Output:
    """llama-bench's runs as JSON records, and the ``-o`` format they were printed in."""

    records: list[dict[str, Any]]
    format: str


def read(text: str) -> Output:
    """The runs in ``text``: llama-bench's JSON, JSON Lines or Markdown output."""
    start = text.lstrip()[:1]
    if start == "[":
        return Output(_objects(_json(text)), "json")
    if start == "{":
        return Output([_object(_json(line)) for line in text.splitlines() if line.strip()], "jsonl")
    return Output(_markdown(text), "md")


def unsupported_test(label: str) -> UsageError:
    """The error for a run that is neither prompt processing nor generation alone."""
    return UsageError(
        f"llama-bench test {label!r} is not imported: only ppN and tgN runs (-p and -n) map "
        "to prefill and decode results; drop the others from the output"
    )


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"the llama-bench output is not valid JSON ({exc})") from None


def _objects(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise UsageError("llama-bench -o json prints a list of runs; this is not one")
    return [_object(item) for item in data]


def _object(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UsageError("every llama-bench run is a JSON object; this output holds another value")
    return item


def _markdown(text: str) -> list[dict[str, Any]]:
    rows = [_cells(line) for line in text.splitlines() if line.strip().startswith("|")]
    if len(rows) < 3:
        raise UsageError(
            "no llama-bench table in the file: pass llama-bench's output (-o json, or the "
            "Markdown table it prints by default)"
        )
    header = [COLUMNS.get(name, name) for name in rows[0]]
    for needed in ("model_type", "test", "t/s"):
        if needed not in header:
            raise UsageError(f"the llama-bench table has no {needed!r} column")
    build = _build(text)
    return [_md_record(header, row, build) for row in rows[2:]]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _build(text: str) -> dict[str, Any]:
    """build_commit and build_number from the table's ``build:`` line, if it was kept."""
    found = next(
        (BUILD.fullmatch(line.strip()) for line in text.splitlines() if "build:" in line), None
    )
    return {"build_commit": found[1], "build_number": int(found[2])} if found else {}


def _md_record(header: list[str], row: list[str], build: dict[str, Any]) -> dict[str, Any]:
    if len(row) != len(header):
        raise UsageError(f"llama-bench table row {' | '.join(row)!r} does not match the header")
    cells = dict(zip(header, row, strict=True))
    test, speed = TEST.fullmatch(cells.pop("test")), SPEED.fullmatch(cells.pop("t/s"))
    if test is None:
        raise unsupported_test(row[header.index("test")])
    if speed is None:
        raise UsageError(f"llama-bench speed {row[header.index('t/s')]!r} is not 'mean ± stddev'")
    size = int(test[2])
    record: dict[str, Any] = {
        k: int(v) if k in WHOLE and v.isdigit() else v for k, v in cells.items()
    }
    record.update(
        build, n_prompt=size if test[1] == "pp" else 0, n_gen=size if test[1] == "tg" else 0
    )
    record.update(n_depth=int(test[3] or 0), avg_ts=float(speed[1]), stddev_ts=float(speed[2]))
    return record
