"""How often the calibrated ranges hold the results of a GPU model left out of their fit."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.engine.accuracy import raw_points
from site_builder.engine.coverage import Coverage, held_out_coverage
from tests.engine.conftest import cards

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("ratios", "n", "inside"),
    [
        # every GPU model reads 0.8 of the raw figure: fitted without any one, the factor is
        # 0.8 and every result is the corrected figure itself
        ({"a": 0.8, "b": 0.8, "c": 0.8, "d": 0.8}, 20, 20),
        # one card runs 2.5x what the others do: fitted without it, the range is that of
        # three alike cards and misses all of its five results; fitted with it, the others'
        # ranges are wide enough to hold theirs
        ({"a": 0.8, "b": 0.8, "c": 0.8, "d": 2.0}, 20, 15),
        # two GPU models only: left out, either leaves one, too few to calibrate on, so no
        # result of theirs has a calibrated range to test
        ({"a": 0.8, "b": 0.9}, 0, 0),
    ],
)
def test_each_gpu_is_tested_against_the_range_fitted_without_it(
    ratios: dict[str, float], n: int, inside: int
) -> None:
    found = held_out_coverage(cards(ratios))
    assert found == ([Coverage("vllm", "decode_tok_s", n, inside)] if n else [])


def test_runtimes_and_metrics_are_counted_apart() -> None:
    alike = {"a": 0.8, "b": 0.8, "c": 0.8}
    points = cards(alike) + cards({**alike, "d": 3.0}, metric="prefill_tok_s")
    assert held_out_coverage(points) == [
        Coverage("vllm", "decode_tok_s", 15, 15),
        Coverage("vllm", "prefill_tok_s", 20, 15),
    ]
    assert Coverage("vllm", "prefill_tok_s", 20, 15).share_pct == 75.0


def test_accuracy_prints_the_shipped_catalogs_coverage() -> None:
    expected = held_out_coverage(raw_points(load_catalog(ROOT / "catalog")))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["accuracy", "--catalog", str(ROOT / "catalog"), "--json"]) == 0
    rows = json.loads(out.getvalue())["coverage"]
    assert [(r["runtime"], r["metric"], r["n"], r["inside"]) for r in rows] == [
        (c.runtime, c.metric, c.n, c.inside) for c in expected
    ]
    # llama.cpp decode, the best-measured: most results of an unseen GPU model fall inside
    decode = next(c for c in expected if (c.runtime, c.metric) == ("llama-cpp", "decode_tok_s"))
    assert decode.n >= 150 and decode.share_pct >= 70
