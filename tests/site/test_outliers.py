"""Wrong measurements do not pass: a result far from the engine fails at its value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.engine import fitting
from site_builder.site import outliers

ROOT = Path(__file__).resolve().parents[2]
TYPO = "llamacpp-b2824-2x-rtx-4090-llama-3-70b-q4-k-m"
"""Llama 3 70B Q4_K_M on two RTX 4090s, tg4096 measured at 18.54 tok/s (line 38)."""


@pytest.fixture(scope="module")
def typo_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalog with one 70B decode result typed as 185.4 instead of 18.54."""
    root = tmp_path_factory.mktemp("typo") / "catalog"
    shutil.copytree(ROOT / "catalog", root)
    path = root / "benchmarks" / f"{TYPO}.yaml"
    text = path.read_text()
    assert text.splitlines()[37] == "  value: 18.54"
    path.write_text(text.replace("  value: 18.54\n", "  value: 185.4\n", 1))
    return root


def rendered(catalog_dir: Path) -> list[str]:
    return [str(p) for p in outliers.problems(load_catalog(catalog_dir), catalog_dir)]


def test_a_ten_times_typo_is_caught_at_its_value(typo_catalog: Path) -> None:
    found = [p for p in rendered(typo_catalog) if TYPO in p]
    assert len(found) == 1
    assert f"catalog/benchmarks/{TYPO}.yaml:38:10: results[2].value: 185.4 tok/s is " in found[0]
    assert "more than 2x off: check the value against the source" in found[0]


def test_validate_fails_once_with_the_location(
    typo_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--catalog", str(typo_catalog)]) == 1
    err = capsys.readouterr().err
    assert f"benchmarks/{TYPO}.yaml:38:10: results[2].value: 185.4 tok/s" in err


def test_an_outlier_reason_lets_a_checked_measurement_stand(
    typo_catalog: Path, tmp_path: Path
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(typo_catalog, root)
    path = root / "benchmarks" / f"{TYPO}.yaml"
    text = path.read_text().replace(
        "  value: 185.4\n",
        "  value: 185.4\n  outlier_reason: Checked against the notebook (test case).\n",
        1,
    )
    path.write_text(text)
    assert not [p for p in rendered(root) if TYPO in p]


def test_the_shipped_catalog_has_no_unexplained_outlier() -> None:
    assert rendered(ROOT / "catalog") == []


def test_a_reason_the_engine_no_longer_needs_fails_at_the_reason(
    typo_catalog: Path, tmp_path: Path
) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(typo_catalog, root)
    path = root / "benchmarks" / f"{TYPO}.yaml"
    text = path.read_text()
    assert text.splitlines()[25] == "  value: 19.22"
    path.write_text(
        text.replace(
            "  value: 19.22\n", "  value: 19.22\n  outlier_reason: A slow build (test case).\n", 1
        )
    )
    [stale] = [p for p in rendered(root) if TYPO in p and "outlier_reason" in p.split(": ")[1]]
    assert f"benchmarks/{TYPO}.yaml:27:19: results[0].outlier_reason: the engine now gives" in stale
    assert "remove this outlier_reason" in stale


@pytest.mark.parametrize(
    ("measured", "margin", "flagged"),
    [
        (100.0, outliers.FLAG_MARGIN, False),  # 40 % off, tolerance 40 %: inside
        (138.0, outliers.FLAG_MARGIN, False),  # 42 % off: above 40 % but inside the band
        (160.0, outliers.FLAG_MARGIN, True),  # 50 % off: beyond 44 %
        (130.0, outliers.STALE_MARGIN, True),  # a reason at 38.5 % off is still needed
        (118.0, outliers.STALE_MARGIN, False),  # 32 % off: within 36 %, the reason is stale
    ],
)
def test_the_p90_rule_has_a_dead_band(measured: float, margin: float, flagged: bool) -> None:
    """One more measurement moves the tolerance a little; values at its edge neither start
    failing nor lose their reason for it."""
    point = fitting.RawPoint("llama-cpp", "cuda", "decode_tok_s", False, ("rtx-4090",), "s",
                             measured, 80.0)  # fmt: skip
    predicted = 80.0 if measured != 100.0 else 60.0
    assert bool(outliers._excess(point, predicted, 40.0, margin)) is flagged
