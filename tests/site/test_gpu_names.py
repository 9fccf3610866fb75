"""GPU pages name vendors, segments and architectures in words, not as catalog IDs."""

from __future__ import annotations

from typing import get_args

import pytest

from site_builder.schema import Gpu
from site_builder.schema.gpu import Architecture
from site_builder.site.pages.gpus import ARCHITECTURES, MATRIX_UNITS, SEGMENTS, VENDORS
from tests.site.conftest import Built
from tests.site.pagetext import text


def allowed(field: str) -> set[str]:
    return set(get_args(Gpu.model_fields[field].annotation))


@pytest.mark.parametrize(
    ("names", "ids"),
    [
        (VENDORS, allowed("vendor")),
        (SEGMENTS, allowed("segment")),
        (ARCHITECTURES, set(get_args(Architecture))),
        (MATRIX_UNITS, set(get_args(Architecture))),
    ],
)
def test_every_id_the_schema_allows_has_a_name(names: dict[str, object], ids: set[str]) -> None:
    assert set(names) == ids


def test_the_rtx_4090_page_names_its_vendor_and_architecture(shipped: Built) -> None:
    page = text(shipped.html("gpus/rtx-4090/"))
    assert "Vendor / segment NVIDIA / consumer" in page
    assert "Architecture Ada Lovelace" in page


@pytest.mark.parametrize(
    ("slug", "shown", "not_shown"),
    [
        # Pascal has no tensor cores: its rate is the shader cores' (GP100: packed half2)
        ("tesla-p100-16gb", "Matrix products, shader cores (no matrix units) 18.7", "tensor"),
        # GP102 runs FP16 arithmetic at 1/64 of FP32; llama.cpp computes in FP32 on it
        ("tesla-p40", "FP16 arithmetic, shader cores 0.19 TFLOPS", "tensor"),
        ("apple-m4-pro", "Matrix products, shader cores (no matrix units) 9.2", "tensor"),
        ("rtx-4090", "FP16, tensor cores (FP32 accumulate)", "shader cores"),
    ],
)
def test_a_gpu_page_names_the_units_its_rates_run_on(
    shipped: Built, slug: str, shown: str, not_shown: str
) -> None:
    facts = text(shipped.html(f"gpus/{slug}/")).split("Caveats")[0]
    assert shown in facts
    assert not_shown not in facts.split("Architecture")[1]
