"""GPU pages name vendors, segments and architectures in words, not as catalog IDs."""

from __future__ import annotations

from typing import get_args

import pytest

from site_builder.schema import Gpu
from site_builder.schema.gpu import Architecture
from site_builder.site.pages.gpus import ARCHITECTURES, SEGMENTS, VENDORS
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
    ],
)
def test_every_id_the_schema_allows_has_a_name(names: dict[str, str], ids: set[str]) -> None:
    assert set(names) == ids


def test_the_rtx_4090_page_names_its_vendor_and_architecture(shipped: Built) -> None:
    page = text(shipped.html("gpus/rtx-4090/"))
    assert "Vendor / segment NVIDIA / consumer" in page
    assert "Architecture Ada Lovelace" in page
