"""Fit the llama.cpp kernel constants on the catalog's measured llama.cpp benchmarks.

Least squares on log(predicted / measured) over every decode_tok_s and prefill_tok_s result,
separately for CUDA and Metal, with a bounded Nelder-Mead search (pure Python). Prints the
constants to paste into site_builder/engine/calibration.py with the residual percentiles that
set each runtime's error band. Run: python benchmarks/fit_calibration.py [--catalog DIR]
[--runtime mlx-lm] (mlx-lm: its Metal constants on the catalog's mlx-lm measurements)
[--only NAME ...] (refit only these constants, holding the others at their published values)
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import calibration as cal
from site_builder.engine.accuracy import percentile, predicted, result_config, unscored
from site_builder.engine.config import Config
from site_builder.engine.estimate import estimate_with

BW_CAP = cal.MAX_BW_EFF
"""Bounding the bandwidth efficiencies keeps the fit from trading them against the fixed
per-token costs."""

CUDA_PARAMS = {
    "weight_bw_eff": (0.3, BW_CAP),
    "float_bw_eff": (0.3, BW_CAP),
    "hbm_bw_factor": (0.3, 1.2),
    "kv_bw_eff": (0.02, 1.0),
    "token_s": (0.0, 0.01),
    "layer_s": (0.0, 0.0002),
    "hop_s": (0.0, 0.002),
    "compute_eff": (0.05, 1.0),
    "float_compute_eff": (0.05, 1.0),
    "hopper_compute_factor": (0.2, 1.2),
    "attn_compute_eff": (0.005, 1.0),
    "ubatch_s": (0.0, 0.05),
    "pipeline_overlap": (0.0, 1.0),
}
METAL_PARAMS = {
    "weight_bw_eff": (0.3, BW_CAP),
    "float_bw_eff": (0.3, BW_CAP),
    "kv_bw_eff": (0.02, 1.0),
    "token_s": (0.0, 0.01),
    "layer_s": (0.0, 0.0003),
    "compute_eff": (0.05, 1.0),
    "float_compute_eff": (0.05, 1.0),
    "attn_compute_eff": (0.005, 1.0),
    "lpddr5x_bw_factor": (0.5, 2.0),
}
MLX_PARAMS = {
    "weight_bw_eff": (0.3, BW_CAP),
    "float_bw_eff": (0.3, BW_CAP),
    "expert_bw_eff": (0.2, 1.0),
    "token_s": (0.0, 0.01),
    "compute_eff": (0.05, 1.0),
    "float_compute_eff": (0.05, 1.0),
}
METRICS = ("decode_tok_s", "prefill_tok_s")

Point = tuple[Config, str, float]


def points(catalog: Catalog, platform: str, runtime: str = "llama-cpp") -> list[Point]:
    """(config, metric, measured) of every ``runtime`` speed result on ``platform`` (results
    with an ``outlier_reason`` aside: they are explained departures from what is modelled; and
    the :func:`unscored` benchmarks: conditions the engine does not model)."""
    out = []
    for bench in catalog.benchmarks.values():
        if bench.status != "measured" or bench.runtime != runtime:
            continue
        if unscored(bench, catalog.runtimes.get(runtime)):
            continue
        if catalog.gpus[bench.gpus[0].gpu].platform != platform:
            continue
        for result in bench.results:
            if result.metric in METRICS and not result.outlier_reason:
                out.append((result_config(bench, result, catalog), result.metric, result.value))
    return out


def table_with(kernels: cal.Kernels, platform: str, family: str = "llama-cpp") -> cal.Table:
    """The raw table (no corrections) with ``kernels`` for ``family`` on ``platform``."""
    entries = tuple(
        (f, p, kernels if (f, p) == (family, platform) else k)
        for f, p, k in cal.DEFAULT_TABLE.entries
    )
    return cal.Table(entries)


def residuals(
    catalog: Catalog,
    pts: list[Point],
    kernels: cal.Kernels,
    platform: str,
    family: str = "llama-cpp",
) -> list[float]:
    """log(predicted / measured) per point."""
    table = table_with(kernels, platform, family)
    out = []
    for config, metric, measured in pts:
        value = predicted(estimate_with(catalog, config, table), metric, config.runtime)
        out.append(math.log(max(value or 1e-9, 1e-9) / measured))
    return out


def nelder_mead(f, x0: list[float], steps: list[float], iters: int = 1500) -> list[float]:  # type: ignore[no-untyped-def]
    """Minimise ``f`` from ``x0`` (standard reflection/expansion/contraction/shrink)."""
    simplex = [x0] + [
        [x + (s if i == j else 0.0) for j, x in enumerate(x0)] for i, s in enumerate(steps)
    ]
    values = [f(x) for x in simplex]
    for _ in range(iters):
        order = sorted(range(len(simplex)), key=values.__getitem__)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        centroid = [sum(xs) / (len(simplex) - 1) for xs in zip(*simplex[:-1], strict=True)]
        worst = simplex[-1]
        refl = [c + (c - w) for c, w in zip(centroid, worst, strict=True)]
        fr = f(refl)
        if fr < values[0]:
            exp = [c + 2 * (c - w) for c, w in zip(centroid, worst, strict=True)]
            fe = f(exp)
            simplex[-1], values[-1] = (exp, fe) if fe < fr else (refl, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = refl, fr
        else:
            con = [c + 0.5 * (w - c) for c, w in zip(centroid, worst, strict=True)]
            fc = f(con)
            if fc < values[-1]:
                simplex[-1], values[-1] = con, fc
            else:
                best = simplex[0]
                simplex = [best] + [
                    [b + 0.5 * (x - b) for b, x in zip(best, s, strict=True)] for s in simplex[1:]
                ]
                values = [values[0]] + [f(s) for s in simplex[1:]]
        if max(values) - min(values) < 1e-10:
            break
    return simplex[0]


def fit(
    catalog: Catalog,
    platform: str,
    base: cal.Kernels,
    params: dict[str, tuple[float, float]],
    runtime: str = "llama-cpp",
    pts: list[Point] | None = None,
    quiet: bool = False,
) -> cal.Kernels:
    family = cal.RUNTIME_FAMILY[runtime]
    table = table_with(base, platform, family)
    pts = [
        p
        for p in (points(catalog, platform, runtime) if pts is None else pts)
        if predicted(estimate_with(catalog, p[0], table), p[1], runtime) is not None
    ]
    names = list(params)

    def kernels_of(x: list[float]) -> cal.Kernels:
        values = {n: min(max(v, params[n][0]), params[n][1]) for n, v in zip(names, x, strict=True)}
        return replace(base, **values)

    def loss(x: list[float]) -> float:
        return sum(r * r for r in residuals(catalog, pts, kernels_of(x), platform, family))

    x = [float(getattr(base, n)) for n in names]
    for _ in range(3):  # restarts
        x = nelder_mead(
            loss,
            x,
            [
                max(abs(v) * 0.2, (params[n][1] - params[n][0]) * 0.05)
                for n, v in zip(names, x, strict=True)
            ],
        )
    best = kernels_of(x)
    res = residuals(catalog, pts, best, platform, family)
    ratios = sorted(math.exp(-r) for r in res)  # measured / predicted
    best = replace(
        best,
        error_low=round(percentile(ratios, 0.1), 3),
        error_high=round(percentile(ratios, 0.9), 3),
    )
    if quiet:
        return best
    rms = math.sqrt(sum(r * r for r in res) / len(res))
    print(f"# {runtime} on {platform}: {len(pts)} points, rms log error {rms:.3f}")
    for metric in METRICS:
        errs = [
            abs(math.exp(r) - 1) * 100 for (_, m, _), r in zip(pts, res, strict=True) if m == metric
        ]
        if errs:
            median, p90 = percentile(errs, 0.5), percentile(errs, 0.9)
            print(f"#   {metric}: median |err| {median:.1f} %, p90 {p90:.1f} %")
    for n in [*names, "error_low", "error_high"]:
        print(f"    {n}={getattr(best, n):.6g},")
    return best


def refit_by_gpu(
    catalog: Catalog,
    platform: str,
    base: cal.Kernels,
    params: dict[str, tuple[float, float]],
    runtime: str,
) -> None:
    """Leave-one-GPU-out refit of the constants themselves: each GPU model's points predicted
    by constants fitted without them (what ``site-builder accuracy`` cannot see, since it
    cross-validates the per-runtime factors on top of fixed constants)."""
    pts = points(catalog, platform, runtime)
    family = cal.RUNTIME_FAMILY[runtime]
    errs: dict[str, list[float]] = {}
    for gpu in sorted({c.gpus[0][0] for c, _, _ in pts}):
        held = [p for p in pts if p[0].gpus[0][0] == gpu]
        kernels = fit(
            catalog, platform, base, params, runtime, [p for p in pts if p not in held], True
        )
        found = residuals(catalog, held, kernels, platform, family)
        for (_, metric, _), r in zip(held, found, strict=True):
            errs.setdefault(metric, []).append(abs(math.exp(r) - 1) * 100)
        print(f"#   without {gpu}: " + ", ".join(f"{math.exp(r) - 1:+.0%}" for r in found))
    for metric, values in errs.items():
        print(
            f"# constants refitted leave-one-GPU-out, {metric}: n {len(values)}, "
            f"median |err| {percentile(values, 0.5):.1f} %, p90 {percentile(values, 0.9):.1f} %"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path, default=Path("catalog"))
    parser.add_argument("--runtime", choices=("llama-cpp", "mlx-lm"), default="llama-cpp")
    parser.add_argument(
        "--refit-by-gpu", action="store_true", help="also refit without each GPU model in turn"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="refit only these constants, holding the rest"
    )
    args = parser.parse_args()
    catalog = load_catalog(args.catalog)
    runs = (
        [("metal", cal.MLX_METAL, MLX_PARAMS, "mlx-lm")]
        if args.runtime == "mlx-lm"
        else [
            ("cuda", cal.LLAMA_CPP_CUDA, CUDA_PARAMS, "llama-cpp"),
            ("metal", cal.LLAMA_CPP_METAL, METAL_PARAMS, "llama-cpp"),
        ]
    )
    for platform, base, params, runtime in runs:
        chosen = only(params, args.only)
        if not chosen:
            continue
        fit(catalog, platform, base, chosen, runtime)
        if args.refit_by_gpu:
            refit_by_gpu(catalog, platform, base, chosen, runtime)


def only(
    params: dict[str, tuple[float, float]], names: list[str] | None
) -> dict[str, tuple[float, float]]:
    """``params`` restricted to ``names`` (all of them without)."""
    return params if names is None else {n: b for n, b in params.items() if n in names}


if __name__ == "__main__":
    main()
