"""``site-builder accuracy``: the engine against every measured benchmark in the catalog.

Prints median and p90 absolute percentage error and the bias per runtime and metric (``--json``
adds every point: predicted beside measured).

Exit codes: 0 success; 1 when the catalog has errors, or when ``--json`` would hold a
non-finite number (the output is strict JSON: nothing is printed then, one line on stderr says
why); 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.engine import accuracy_points, accuracy_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--json", action="store_true", help="print the table and every point")
    parser.add_argument("--points", action="store_true", help="also list every point")


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    points = accuracy_points(catalog)
    rows = accuracy_table(points)
    if args.json:
        payload = {
            "table": [asdict(r) for r in rows],
            "points": [{**asdict(p), "error": p.error} for p in points],
        }
        try:
            text = json.dumps(payload, allow_nan=False)
        except ValueError:
            print(
                "error: accuracy --json: a non-finite number in the results "
                "(a benchmark or prediction is not finite)",
                file=sys.stderr,
            )
            return 1
        print(text)
        return 0
    print(f"{'runtime':<14}{'metric':<16}{'n':>5}{'median |err|':>14}{'p90 |err|':>11}{'bias':>8}")
    for r in rows:
        print(
            f"{r.runtime:<14}{r.metric:<16}{r.count:>5}{r.median_abs_pct:>13.1f}%"
            f"{r.p90_abs_pct:>10.1f}%{r.bias_pct:>+7.1f}%"
        )
    if args.points:
        print()
        for p in points:
            err = "-" if p.error is None else f"{p.error * 100:+.1f}%"
            print(
                f"{p.benchmark:<58} {p.metric:<14} p{p.prompt_tokens:<5} g{p.gen_tokens:<5}"
                f" measured {p.measured:>9.2f} predicted {p.predicted or 0:>9.2f} {err}"
            )
    return 0
