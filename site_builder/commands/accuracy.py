"""``site-builder accuracy``: the engine against every measured benchmark in the catalog.

Prints, per runtime and metric, the cross-validated error (leave-one-GPU-out and
leave-one-source-out: each measurement predicted by a calibration that never saw its GPU model,
or its source) and the in-sample error beside it, labelled: n, median and p90 absolute
percentage error, bias; then how often the calibrated ranges held the results of a GPU model
left out of their fit (:mod:`site_builder.engine.coverage`); then each GPU model's held-out
record (:mod:`site_builder.engine.gpu_record`). ``--json`` adds the fitted groups and every
point (predicted beside measured).

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
from site_builder.engine import accuracy_points, accuracy_table, fitting
from site_builder.engine.accuracy import calibration
from site_builder.engine.coverage import NOMINAL_PCT, Coverage
from site_builder.engine.gpu_record import OFF_TARGET, GpuRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", type=Path, default=Path("catalog"), help="catalog folder")
    parser.add_argument("--json", action="store_true", help="print the table and every point")
    parser.add_argument("--points", action="store_true", help="also list every point")


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    points = accuracy_points(catalog)
    rows = accuracy_table(points)
    validation, fitted, coverage, by_gpu = calibration(catalog)
    if args.json:
        payload = {
            "validation": [asdict(v) for v in validation],
            "coverage": [{**asdict(c), "share_pct": c.share_pct} for c in coverage],
            "groups": [{**asdict(g), "calibrated": g.calibrated} for g in fitted.groups],
            "by_gpu": [{**asdict(r), "off_target": r.off_target} for r in by_gpu],
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
    print_validation(validation)
    print()
    print_coverage(coverage)
    print()
    print_by_gpu(by_gpu)
    if args.points:
        print()
        for p in points:
            err = "-" if p.error is None else f"{p.error * 100:+.1f}%"
            print(
                f"{p.benchmark:<58} {p.metric:<14} p{p.prompt_tokens:<5} g{p.gen_tokens:<5}"
                f" measured {p.measured:>9.2f} predicted {p.predicted or 0:>9.2f} {err}"
            )
    return 0


SCHEMES = ("leave-one-gpu-out", "leave-one-source-out", "in-sample")


def print_validation(stats: list[fitting.ErrorStats]) -> None:
    """One line per runtime and metric: n, then median / p90 / bias per scheme."""
    by_key: dict[tuple[str, str], dict[str, fitting.ErrorStats]] = {}
    for s in stats:
        by_key.setdefault((s.runtime, s.metric), {})[s.scheme] = s
    print("error in % (median |err| / p90 |err| / bias); cross-validated first, in-sample last")
    head = "".join(f"{name:>24}" for name in SCHEMES)
    print(f"{'runtime':<14}{'metric':<24}{'n':>5}{head}")
    for (runtime, metric), schemes in sorted(by_key.items()):
        cells = "".join(
            f"{s.median_abs_pct:>9.1f} /{s.p90_abs_pct:>5.1f} /{s.bias_pct:>+6.1f}"
            for s in (schemes[name] for name in SCHEMES)
        )
        n = schemes[SCHEMES[0]].n
        print(f"{runtime:<14}{metric:<24}{n:>5}{cells}")


def print_coverage(rows: list[Coverage]) -> None:
    """One line per runtime and metric: held-out results whose group stays calibrated, and the
    share inside the range fitted without their GPU model."""
    print(
        f"calibrated ranges (claim {NOMINAL_PCT:.0f} %): results of a left-out GPU model inside"
        " the range fitted on the rest"
    )
    print(f"{'runtime':<14}{'metric':<24}{'n':>5}{'inside':>10}")
    for c in rows:
        print(f"{c.runtime:<14}{c.metric:<24}{c.n:>5}{c.share_pct:>9.1f}%")


def print_by_gpu(rows: list[GpuRecord]) -> None:
    """One line per GPU model, runtime and metric: measurements and the median of measured /
    predicted with that GPU model held out; off-target rows marked."""
    print(
        "each GPU model held out: median measured / predicted"
        f" (* off by more than {OFF_TARGET:g}x either way)"
    )
    width = max((len(r.gpu) for r in rows), default=3) + 2
    print(f"{'gpu':<{width}}{'runtime':<14}{'metric':<24}{'n':>5}{'ratio':>8}")
    for r in rows:
        mark = " *" if r.off_target else ""
        print(f"{r.gpu:<{width}}{r.runtime:<14}{r.metric:<24}{r.n:>5}{r.median_ratio:>8.2f}{mark}")
