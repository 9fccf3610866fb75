"""Each point of a combo page's speed chart is ``site-builder estimate`` for exactly that
configuration (the prompt already in context, a window of prompt + generated tokens)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.site import fmt
from site_builder.site.pages.charts import curve
from site_builder.site.picks import headline_pick
from site_builder.site.results import Results
from tests.site.conftest import Built
from tests.site.test_engine_match import estimate_batch

POINT = re.compile(r"([0-9.]+K|[0-9,]+): ([0-9.,]+) tok/s")


@pytest.mark.parametrize("combo", ["dual-rtx-4090", "single-rtx-4090", "mac-studio-m2-ultra"])
def test_speed_chart_points_equal_the_cli(
    shipped: Built,
    shipped_results: Results,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    combo: str,
) -> None:
    catalog = shipped_results.catalog
    pick = headline_pick(shipped_results, combo)
    assert pick is not None
    page = shipped.html(f"hardware-combos/{combo}/")
    desc = re.search(
        r'<desc id="svg-speed-[^"]*">Decode speed by context length\. ([^<]*)</desc>', page
    )
    assert desc is not None
    shown = dict(POINT.findall(desc.group(1)))
    queries = curve(catalog, pick.query)
    assert len(shown) == len(queries) >= 3
    lines = []
    for q in queries:
        line = {"combo": combo, "model": q.model, "quant": q.quant, "runtime": q.runtime}
        line |= {"context": q.context, "prompt": q.prompt}
        if q.split:
            line["split"] = q.split
        lines.append(line)
    results = estimate_batch(capsys, tmp_path, shipped.layout.catalog, lines)
    for q, result in zip(queries, results, strict=True):
        assert shown[fmt.tokens(q.prompt)] == fmt.tok_s(result["decode_tok_s"]), q
