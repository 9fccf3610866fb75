"""``site-builder estimate``: fit and speed of one configuration, or a JSON Lines batch
(:mod:`site_builder.commands.batch`).

Exit codes: 0 for any verdict (and for a batch, whatever its lines hold); 1 when the catalog has
errors, or when a result holds a non-finite number (a bug; no output then); 2 with one line
naming the bad argument for unknown IDs or invalid values (numbers are ASCII digits within the
ranges stated in :mod:`site_builder.engine.resolve`, ``--prompt`` at most ``--context``) or an
unreadable ``--batch`` file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from site_builder.catalog.cache import load_cached
from site_builder.commands.batch import run_batch
from site_builder.engine import Estimate, estimate
from site_builder.engine.request import config_from
from site_builder.engine.resolve import (
    KV_TYPES,
    SPLITS,
    parse_int,
    shown,
)
from site_builder.site import fmt


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
    parser.add_argument(
        "--ram",
        type=ascii_int,
        metavar="GIB",
        help="system RAM of your machine, GiB (default: the combo's host, else 64)",
    )
    parser.add_argument(
        "--ram-bandwidth",
        type=ascii_int,
        metavar="GB_S",
        help="peak system-RAM bandwidth, whole GB/s: channels x MT/s x 8 / 1000 (dual-channel "
        "DDR5-6000: 96; default: the combo's host, else 60)",
    )
    parser.add_argument(
        "--cpu-moe-layers",
        type=ascii_int,
        metavar="N",
        help="llama.cpp --n-cpu-moe N when the experts are offloaded (default: as few as fit)",
    )
    parser.add_argument(
        "--ubatch",
        type=ascii_int,
        metavar="N",
        help="llama.cpp -ub N: prompt tokens a forward pass (default: 512)",
    )
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
        "ram_gib": args.ram,
        "ram_bandwidth_gb_s": args.ram_bandwidth,
        "cpu_moe_layers": args.cpu_moe_layers,
        "ubatch": args.ubatch,
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


def _speed(value: float | None, unit: str) -> str:
    """One decimal of the value ``--json`` prints (rounded as the pages round it, so the
    report, the JSON and the pages never differ in the last digit shown)."""
    return "-" if value is None else f"{fmt.num(value, 1)} {unit}"


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
    band = f" (range {fmt.num(rng[0], 1)}-{fmt.num(rng[1], 1)})" if rng else ""
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
            f"power:      {fmt.num(e.power_w, 0)} W, {fmt.num(e.joules_per_token, 2)} J/token"
            + (f", ${cost:.2f} per million tokens" if cost is not None else "")
        )
    lines += ["", "launch:", *(f"  {line}" for line in e.launch_command.splitlines())]
    if e.assumptions:
        lines += ["", "assumptions:"] + [f"  - {a}" for a in e.assumptions]
    return "\n".join(lines)
