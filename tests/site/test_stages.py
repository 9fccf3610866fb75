"""Evaluate once, then render: the engine runs only in the evaluate stage; rendering reads the
frozen results; ``build``, ``serve`` and the golden tests share :func:`generate`."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import Config
from site_builder.engine import estimate as engine_estimate
from site_builder.engine.estimate import estimate_with
from site_builder.errors import BuildError
from site_builder.site import build, prose, regenerate
from site_builder.site.evaluate import evaluate
from site_builder.site.families import all_pages
from site_builder.site.results import Query, UnplannedQuery
from site_builder.site.sitedata import SiteData
from tests.site import regenerate_golden
from tests.site.conftest import fixture_layout

ENGINE = getattr(estimate_with, "__code__", None)
"""``estimate_with``'s code where the engine runs from source (None where it is compiled)."""
ENTRIES = (engine_estimate, estimate_with)
"""What Python code calls into a compiled engine through (site_builder/engine/native.py)."""


class EngineCalls:
    """Counts calls of the engine's ``estimate_with`` (however a module bound it): from source,
    each call's frame; compiled, each call into it from Python code (compiled functions calling
    each other make no profiler event, so ``estimate`` calling ``estimate_with`` counts once)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        from_source = event == "call" and frame.f_code is ENGINE
        if from_source or (event == "c_call" and any(arg is entry for entry in ENTRIES)):
            self.count += 1


def test_the_counter_sees_engine_calls(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    catalog = load_catalog(layout.catalog)
    config = Config(
        gpus=(("rtx-4090", 1),), model="llama-3.1-8b-instruct", quant="Q4_K_M", runtime="llama-cpp"
    )
    calls = EngineCalls()
    sys.setprofile(calls)
    try:
        engine_estimate(catalog, config)
    finally:
        sys.setprofile(None)
    assert calls.count == 1


def test_rendering_makes_no_engine_call(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    catalog = load_catalog(layout.catalog)
    data = SiteData(catalog, evaluate(catalog, layout.content), layout.content)
    calls = EngineCalls()
    sys.setprofile(calls)
    try:
        assert not prose.problems(data, layout.catalog)
        docs, asides = build.markdown_files(layout, data, all_pages(data))
        site = build.Generated(layout, data, docs, asides)
        extras = site.extras()
    finally:
        sys.setprofile(None)
    assert calls.count == 0
    assert docs and extras.fragments and extras.static


def test_an_unplanned_query_is_an_error(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    catalog = load_catalog(layout.catalog)
    results = evaluate(catalog, layout.content)
    combo, model = next(iter(results.recommendations))
    with pytest.raises(UnplannedQuery, match="no planned engine result"):
        results.get(Query(combo, model, "Q4_K_M", "llama-cpp", context=12345))
    with pytest.raises(BuildError, match="frozen"):
        results.add({})


@pytest.mark.parametrize("user", [regenerate_golden.golden_files])
def test_build_serve_and_golden_share_generate(user: Any) -> None:
    assert "generate(" in inspect.getsource(user)


def test_the_preview_runs_generate_s_stages() -> None:
    """The preview renders the edited page first, so it runs generate's stages itself:
    ``checked_data`` (load, evaluate, the prose check, as ``generate`` composes them), then
    the shared render of every page, or the edited pages here and the others in the fork with
    the same page renderer."""
    stages = inspect.getsource(build.checked_data)
    assert "evaluated(layout, report, loaded(layout, report), memo)" in stages
    assert "checked(layout, data, report)" in stages
    made = inspect.getsource(regenerate._made)
    for step in ("checked_data(layout, report, memo)", "shared_markdown_files(", "rendered_pages("):
        assert step in made
    assert "rendered_pages(" in inspect.getsource(regenerate._whole)


def test_build_runs_generate_s_stages() -> None:
    """The build calls generate's stages itself (its data writers start between them: the
    catalog's after loading, the results' after evaluating), rendering with ``streamed``,
    which runs the same checks as ``rendered`` and writes the pages as it renders them."""
    stages = inspect.getsource(build.generate)
    stage = "rendered(layout, evaluated(layout, report, loaded(layout, report), memo), report)"
    assert stage in stages
    source = inspect.getsource(build._build)
    for stage in ("loaded(layout, report)", "evaluated(layout, report, catalog)"):
        assert stage in source
    assert "_pages(layout, data, report, early)" in source
    assert "streamed(layout, data, report)" in inspect.getsource(build._pages)
    for renders in (build.rendered, build.streamed):
        assert "checked(layout, data, report)" in inspect.getsource(renders)
