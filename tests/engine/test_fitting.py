"""Per-runtime calibration: the fit, its cross-validation and the generated constants."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import fitted, fitting
from site_builder.engine.accuracy import raw_points
from site_builder.engine.corrections import ANY_PLATFORM, MIN_GPUS, MIN_POINTS, Corrections, Group
from site_builder.engine.fitted_source import render

ROOT = Path(__file__).resolve().parents[2]


def point(
    gpu: str, ratio: float, source: str = "s", metric: str = "decode_tok_s"
) -> fitting.RawPoint:
    return fitting.RawPoint(
        runtime="vllm",
        platform="cuda",
        metric=metric,
        moe=False,
        gpus=(gpu,),
        source=source,
        measured=100.0 * ratio,
        predicted=100.0,
    )


def spread(n: int, gpus: int, ratio: float = 0.8) -> list[fitting.RawPoint]:
    return [point(f"g{i % gpus}", ratio, source=f"s{i % gpus}") for i in range(n)]


@pytest.mark.parametrize(
    ("n", "gpus", "calibrated"),
    [
        (MIN_POINTS, MIN_GPUS, True),
        (MIN_POINTS - 1, MIN_GPUS, False),
        (MIN_POINTS, MIN_GPUS - 1, False),
        (40, 8, True),
    ],
)
def test_a_group_is_calibrated_only_with_enough_points_on_enough_gpus(
    n: int, gpus: int, calibrated: bool
) -> None:
    groups = {(g.platform, g.moe): g for g in fitting.fit(spread(n, gpus)).groups}
    group = groups[("cuda", False)]
    assert (group.n, group.gpus, group.calibrated) == (n, gpus, calibrated)
    assert group.factor == (0.8 if calibrated else 1.0)


def test_the_factor_is_the_geometric_median_of_measured_over_predicted() -> None:
    ratios = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 9.0]
    points = [point(f"g{i % 4}", r) for i, r in enumerate(ratios)]
    assert fitting.factors(points)[("vllm", "cuda", "decode_tok_s", False)] == pytest.approx(1.0)


def test_leave_one_gpu_out_never_sees_the_gpu_it_predicts() -> None:
    """Ten points on each of four GPUs; one GPU measures twice what the engine says. Predicted
    out of sample, that GPU gets the others' factor (0.5 off), never its own."""
    points = [point(f"g{k}", 2.0 if k == 0 else 1.0) for k in range(4) for _ in range(10)]
    cv = fitting.cross_validate(points, fitting.by_gpu)
    assert {p.measured / c for p, c in zip(points, cv, strict=True) if p.gpus == ("g0",)} == {2.0}
    in_sample = fitting.factors(points)[("vllm", "cuda", "decode_tok_s", False)]
    assert in_sample == 1.0


def test_leave_one_source_out_drops_the_source_of_the_point() -> None:
    points = [
        point(f"g{i % 5}", 1.5 if i < 12 else 1.0, source="a" if i < 12 else "b") for i in range(24)
    ]
    cv = fitting.cross_validate(points, fitting.by_source)
    # Source a is predicted from b alone (factor 1.0), so its points are 50 % under.
    assert [round(p.measured / c, 3) for p, c in zip(points, cv, strict=True)][:12] == [1.5] * 12


def test_a_fold_without_enough_training_data_falls_back_to_the_raw_model() -> None:
    points = spread(MIN_POINTS, MIN_GPUS, ratio=0.5)
    cv = fitting.cross_validate(points, fitting.by_gpu)
    assert cv == [p.predicted for p in points]


@pytest.mark.parametrize(
    ("aggregate_ratio", "aggregate_points", "expected"),
    [
        (0.5, 0, 0.8 * 100.0),  # no aggregate group: published under the decode factor
        (0.5, MIN_POINTS, 0.5 * 100.0),  # its own calibrated group wins
    ],
)
def test_an_uncalibrated_aggregate_is_validated_as_published_under_the_decode_factor(
    aggregate_ratio: float, aggregate_points: int, expected: float
) -> None:
    decode = spread(40, 8, ratio=0.8)
    aggregate = [
        point(f"g{i % MIN_GPUS}", aggregate_ratio, metric="aggregate_decode_tok_s")
        for i in range(aggregate_points)
    ]
    fitted_all = fitting.factors([*decode, *aggregate])
    held_out = point("other", 1.0, metric="aggregate_decode_tok_s")
    assert fitting.corrected(held_out, fitted_all) == pytest.approx(expected)


def test_error_table_reports_median_p90_and_bias_per_runtime_and_metric() -> None:
    points = [point("g0", 1.0) for _ in range(10)]
    predictions = [110.0] * 5 + [90.0] * 4 + [200.0]
    [row] = fitting.error_table(points, predictions, "in-sample")
    assert (row.n, row.median_abs_pct, row.p90_abs_pct, row.bias_pct) == (10, 10.0, 19.0, 10.0)


def test_pick_prefers_the_back_end_then_every_back_end_never_the_other_kind() -> None:
    def group(platform: str, moe: bool, factor: float, n: int) -> Group:
        return Group("vllm", platform, "decode_tok_s", moe, factor, n, 5, 0.9, 1.1)

    table = Corrections(
        groups=(
            group("cuda", True, 0.5, 3),
            group(ANY_PLATFORM, True, 0.7, 30),
            group("cuda", False, 0.9, 27),
            group(ANY_PLATFORM, False, 0.95, 40),
        )
    )
    picked = {moe: table.pick("vllm", "cuda", moe=moe).get("decode_tok_s") for moe in (True, False)}
    assert {moe: a.factor if a else None for moe, a in picked.items()} == {True: 0.7, False: 0.9}
    assert table.pick("vllm", "rocm", moe=False).get("decode_tok_s").factor == 0.95  # type: ignore[union-attr]
    assert table.pick("sglang", "cuda", moe=False).get("decode_tok_s") is None


def test_the_shipped_corrections_are_a_fresh_fit_of_the_shipped_catalog() -> None:
    """Adding or changing a measurement means re-running `site-builder calibrate`."""
    expected = render(fitting.fit(raw_points(load_catalog(ROOT / "catalog"))))
    assert Path(fitted.__file__).read_text() == expected, "stale: run `site-builder calibrate`"


def test_every_shipped_group_is_finite_and_its_band_brackets_one_or_its_factor() -> None:
    for g in fitted.FITTED.groups:
        assert all(math.isfinite(v) and v > 0 for v in (g.factor, g.low, g.high))
        assert g.low <= g.high
