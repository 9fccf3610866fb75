"""A weight format none of a runtime's measurements used runs kernels nobody measured: its
figures are labelled uncalibrated, with at least the runtime's published band, while the
formats the measurements cover keep their calibration (shipped catalog and its fit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import estimate
from site_builder.engine.calibration import SERVING_CUDA
from site_builder.engine.corrections import Corrections
from site_builder.engine.fitting import RawPoint, fit
from tests.engine.conftest import config

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(CATALOG)


def point(runtime: str, weight_format: str, metric: str = "decode_tok_s") -> RawPoint:
    return RawPoint(
        runtime, "cuda", metric, False, ("rtx-4090",), "s", 10.0, 9.0, ("b", 0), weight_format
    )


def test_the_fit_records_the_formats_its_speed_measurements_used() -> None:
    fitted = fit([point("vllm", "gptq"), point("vllm", "nf4", "vram_used_gib")])
    assert fitted.formats == (("vllm", "gptq"),)
    assert fitted.covers("vllm", "gptq") and not fitted.covers("vllm", "nf4")
    assert not Corrections().covers("vllm", "gptq")


@pytest.mark.parametrize(
    ("quant", "calibrated"),
    [("GPTQ-INT4", True), ("BF16", True), ("NF4", False), ("FP8", False)],
)
def test_vllm_figures_are_calibrated_only_for_measured_formats(
    shipped: Catalog, quant: str, calibrated: bool
) -> None:
    est = estimate(shipped, config("rtx-4090", "llama-3.1-8b-instruct", quant, "vllm"))
    assert ("decode_tok_s" in est.calibrated) is calibrated
    if not calibrated:
        assert est.decode_tok_s is not None and est.decode_tok_s_range is not None
        low, high = est.decode_tok_s_range
        assert low <= est.decode_tok_s * SERVING_CUDA.error_low + 1e-9
        assert high >= est.decode_tok_s * SERVING_CUDA.error_high - 1e-9
