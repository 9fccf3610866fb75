"""Rendering leaves no reference cycles behind: the build's background processes run without
the cyclic garbage collector (``sidecar``), so a cycle a template makes holds its whole context
until the process ends. A macro defined in the template it renders did that: every compare
table's rows stayed in the fragment writer (2 GiB at 10,000 pages)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from site_builder.catalog import load_catalog
from site_builder.site import render
from site_builder.site.evaluate import evaluate
from site_builder.site.families import all_fragments
from site_builder.site.sitedata import SiteData
from tests.site.conftest import CATALOG, CONTENT, ROOT


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_rendering_every_fragment_makes_no_cycles(collector_off: None) -> None:
    catalog = load_catalog(CATALOG)
    data = SiteData(catalog, evaluate(catalog, CONTENT), CONTENT)
    env = render.environment(ROOT / "templates")
    fragments = all_fragments(data)
    kinds = {f.template for f in fragments}
    assert {"compare_table.html.j2", "matrix_global.html.j2"} <= kinds
    gc.collect()
    for fragment in fragments:
        render.render(env, fragment.template, fragment.made())
    assert gc.collect() == 0
