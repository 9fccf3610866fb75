"""``site-builder estimate``: fit and speed of one configuration, or a JSON Lines batch.

Exit 0 for any verdict; exit 2 with one line naming the bad argument for unknown IDs or
invalid values. In ``--batch`` mode a bad line yields ``{"error": "..."}`` on its line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Config, Estimate, estimate
from site_builder.engine.estimate import Lookups, prepare
from site_builder.engine.resolve import KV_TYPES, SPLITS, lookup, parse_gpu, validate
from site_builder.errors import UsageError

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
    parser.add_argument("--context", type=int, default=8192, help="context window allocated")
    parser.add_argument("--prompt", type=int, default=512, help="prompt tokens (prefill, TTFT)")
    parser.add_argument("--gen", type=int, default=128, help="generated tokens (decode)")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--kv-cache", choices=KV_TYPES, default="f16")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--batch", metavar="FILE", help="JSON Lines of configurations ('-' = stdin)"
    )


def config_from(catalog: Catalog, fields: dict[str, Any]) -> Config:
    """A validated Config from option-named fields (CLI or batch line)."""
    unknown = set(fields) - BATCH_KEYS
    if unknown:
        raise UsageError(f"unknown key '{sorted(unknown)[0]}'")
    for key in ("model", "quant", "runtime"):
        if not fields.get(key):
            raise UsageError(f"missing --{key}")
    cards, interconnect, combo = hardware(catalog, fields)
    split = fields.get("tensor_split")
    config = Config(
        gpus=cards,
        model=str(fields["model"]),
        quant=str(fields["quant"]),
        runtime=str(fields["runtime"]),
        interconnect=interconnect,
        split=fields.get("split"),
        context_tokens=_int(fields, "context", 8192),
        prompt_tokens=_int(fields, "prompt", 512),
        gen_tokens=_int(fields, "gen", 128),
        concurrency=_int(fields, "concurrency", 1),
        kv_cache=fields.get("kv_cache") or fields.get("kv-cache") or "f16",
        combo=combo,
        flash_attention=fields.get("flash_attention"),
        tensor_split=tuple(float(x) for x in split) if isinstance(split, list) else None,
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
    combo = fields.get("combo")
    if combo and gpus:
        raise UsageError("give --combo or --gpu, not both")
    interconnect = fields.get("interconnect")
    if combo:
        entry = lookup("combo", catalog.combos, str(combo))
        cards = tuple((g.gpu, g.count) for g in entry.gpus)
        return cards, interconnect or entry.interconnect, str(combo)
    if gpus:
        return tuple(parse_gpu(str(g)) for g in gpus), interconnect, None
    raise UsageError("missing --combo or --gpu")


def _int(fields: dict[str, Any], key: str, default: int) -> int:
    value = fields.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"invalid --{key} {value!r}: must be an integer")
    return value


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
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
        print(json.dumps(result.to_json()))
    else:
        print(summary(result))
    return 0


def run_batch(catalog: Catalog, source: str) -> int:
    """One JSON result per input line, in order; bad lines yield ``{"error": ...}``."""
    if source == "-":
        batch_lines(catalog, sys.stdin, sys.stdout)
        return 0
    path = Path(source)
    if not path.is_file():
        raise UsageError(f"invalid --batch '{source}': no such file")
    with path.open(encoding="utf-8") as stream:
        batch_lines(catalog, stream, sys.stdout)
    return 0


def batch_lines(catalog: Catalog, lines: TextIO, out: TextIO) -> None:
    """Answer each non-empty line of ``lines`` on ``out``."""
    lookups = prepare(catalog)
    for line in lines:
        if not line.strip():
            continue
        out.write(json.dumps(answer(catalog, line, lookups)) + "\n")


def answer(catalog: Catalog, line: str, lookups: Lookups | None = None) -> dict[str, Any]:
    """The estimate of one batch line, or ``{"error": ...}``."""
    try:
        fields = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"invalid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(fields, dict):
        return {"error": "invalid line: expected a JSON object"}
    try:
        return estimate(catalog, config_from(catalog, fields), lookups).to_json()
    except UsageError as exc:
        return {"error": str(exc)}
    except (TypeError, ValueError) as exc:
        return {"error": f"invalid value: {exc}"}


def _speed(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:,.1f} {unit}"


def summary(e: Estimate) -> str:
    """A readable report: verdict, reasons, per-card memory, speeds, launch command."""
    lines = [f"verdict: {e.verdict}   split: {e.split}   max context: {e.max_context:,} tokens"]
    lines += [f"  - {r}" for r in e.reasons]
    lines.append("")
    heads = ("capacity", "weights", "kv", "buffers", "overhead", "total")
    lines.append(f"{'card (GiB)':<22}" + "".join(f"{h:>10}" for h in heads))
    for i, c in enumerate(e.memory.per_gpu):
        values: tuple[float, ...] = (c.capacity_gib, c.weights_gib, c.kv_cache_gib, c.buffers_gib)
        values += (c.overhead_gib, c.total_gib)
        lines.append(f"{f'{i} {c.gpu}':<22}" + "".join(f"{v:>10.2f}" for v in values))
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
    lines += ["", "launch:", f"  {e.launch_command}"]
    if e.assumptions:
        lines += ["", "assumptions:"] + [f"  - {a}" for a in e.assumptions]
    return "\n".join(lines)
