"""The low-high range around a figure: a calibrated band is of measured over predicted values of
the metric itself (milliseconds for TTFT), a runtime's published band is of speeds, so only the
published band of a time is inverted."""

from __future__ import annotations

import pytest

from site_builder.engine.calibration import SERVING_CUDA
from site_builder.engine.corrections import Applied, Correction, unproven
from site_builder.engine.estimate import Calibrated

# Measured values 10 % under to 20 % over the prediction (10th and 90th percentile).
FITTED = Applied(factor=1.0, low=0.9, high=1.2, calibrated=True)


@pytest.mark.parametrize(
    ("metric", "figure", "band"),
    [
        # a TTFT group whose measured times run up to 20 % above the prediction: the range
        # reaches 20 % above the figure, not 1/0.9 (11 %) above it
        ("ttft_ms", 40.0, (36.0, 48.0)),
        ("decode_tok_s", 100.0, (90.0, 120.0)),
        ("prefill_tok_s", 1000.0, (900.0, 1200.0)),
    ],
)
def test_a_calibrated_band_scales_the_figure_by_its_own_ratios(
    metric: str, figure: float, band: tuple[float, float]
) -> None:
    fix = Calibrated(Correction(((metric, FITTED),)), SERVING_CUDA)
    value, (low, high) = fix.speed(metric, figure)
    assert value == figure
    assert (low, high) == pytest.approx(band)


@pytest.mark.parametrize(
    ("metric", "figure", "band"),
    [
        # published 0.7-1.3 of speed: a prompt 1.3x as fast takes 1/1.3 of the time
        ("ttft_ms", 40.0, (40.0 / 1.3, 40.0 / 0.7)),
        ("decode_tok_s", 100.0, (70.0, 130.0)),
    ],
)
def test_the_published_band_is_of_speeds(
    metric: str, figure: float, band: tuple[float, float]
) -> None:
    assert (SERVING_CUDA.error_low, SERVING_CUDA.error_high) == (0.7, 1.3)
    value, found = Calibrated(Correction(()), SERVING_CUDA).speed(metric, figure)
    assert value == figure
    assert found == pytest.approx(band)


def test_an_unproven_correction_widens_a_time_by_the_inverse_of_the_published_band() -> None:
    narrow = Applied(factor=1.1, low=0.95, high=1.05, calibrated=True)
    found = unproven(Correction((("ttft_ms", narrow), ("decode_tok_s", narrow))), 0.7, 1.3)
    ttft, decode = found.get("ttft_ms"), found.get("decode_tok_s")
    assert ttft is not None and decode is not None
    assert (ttft.factor, ttft.calibrated) == (1.1, False)
    assert (ttft.low, ttft.high) == pytest.approx((1 / 1.3, 1 / 0.7))
    assert (decode.low, decode.high) == (0.7, 1.3)
