"""Acceptance checks on the live catalog (an invalid catalog fails them, never skips)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import accuracy_points, accuracy_table, config_for_combo, estimate

ROOT = Path(__file__).resolve().parents[2] / "catalog"
L33 = "llama-3.3-70b-instruct"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(ROOT)


def test_accuracy_on_measured_benchmarks(shipped: Catalog) -> None:
    rows = {(r.runtime, r.metric): r for r in accuracy_table(accuracy_points(shipped))}
    assert rows[("llama-cpp", "decode_tok_s")].median_abs_pct <= 10
    assert rows[("llama-cpp", "prefill_tok_s")].median_abs_pct <= 20


@pytest.mark.parametrize(
    ("combo", "model", "quant", "runtime", "verdicts"),
    [
        ("single-rtx-4090", L33, "Q4_K_M", "llama-cpp", ("offload", "no-fit")),
        ("dual-rtx-4090", L33, "Q4_K_M", "llama-cpp", ("fits",)),
        ("dual-rtx-4090", L33, "AWQ-INT4", "vllm", ("fits",)),
        ("dual-rtx-4090", "llama-3.1-405b-instruct", "Q4_K_M", "llama-cpp", ("no-fit",)),
    ],
)
def test_headline_verdicts(
    shipped: Catalog, combo: str, model: str, quant: str, runtime: str, verdicts: tuple[str, ...]
) -> None:
    config = config_for_combo(shipped, combo, model=model, quant=quant, runtime=runtime)
    est = estimate(shipped, config)
    assert est.verdict in verdicts, est.reasons


def test_every_combo_answers(shipped: Catalog) -> None:
    for combo in shipped.combos:
        config = config_for_combo(
            shipped, combo, model="llama-3.1-8b-instruct", quant="Q4_K_M", runtime="llama-cpp"
        )
        assert estimate(shipped, config).verdict in (
            "fits",
            "tight",
            "offload",
            "no-fit",
            "unsupported",
        )
