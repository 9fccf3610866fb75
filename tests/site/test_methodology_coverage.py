"""``/methodology/`` shows how often the calibrated ranges held a left-out GPU model's results,
and each GPU model's held-out record:
the figures the engine computes (and ``site-builder accuracy`` prints) for the shipped
catalog."""

from __future__ import annotations

import html
import re

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine.accuracy import raw_points
from site_builder.engine.coverage import held_out_coverage
from site_builder.engine.gpu_record import GpuRecord, held_out_by_gpu
from site_builder.site.pages.bench_rows import METRIC_NAMES
from tests.site.conftest import Built


def table_after(page: str, heading: str) -> list[list[str]]:
    """The cells of the first table after ``heading`` in ``page``'s HTML."""
    rest = page[page.index(heading) :]
    table = rest[: rest.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells if row]


def test_the_page_lists_the_held_out_coverage_of_every_calibrated_range(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    expected = held_out_coverage(raw_points(catalog))
    page = (shipped.site / "methodology" / "index.html").read_text(encoding="utf-8")
    rows = table_after(page, "Do the ranges hold?")
    assert rows == [
        [
            catalog.runtimes[c.runtime].name,
            METRIC_NAMES[c.metric][0],
            str(c.n),
            f"{c.share_pct:.0f} %",
        ]
        for c in expected
    ]
    assert rows[0][:2] == ["llama.cpp", "Decode"]


def record_cells(catalog: Catalog, r: GpuRecord) -> list[str]:
    """A held-out record's cells as the pages print them (after the GPU's name, if any)."""
    off = "off" if r.off_target else ""
    name = catalog.runtimes[r.runtime].name
    return [name, METRIC_NAMES[r.metric][0], str(r.n), f"{r.median_ratio:.2f}×", off]


def test_the_page_lists_each_gpu_models_held_out_record(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    expected = held_out_by_gpu(raw_points(catalog))
    page = (shipped.site / "methodology" / "index.html").read_text(encoding="utf-8")
    rows = table_after(page, "Each GPU model, held out.")
    want = [[catalog.gpus[r.gpu].name, *record_cells(catalog, r)] for r in expected]
    assert sorted(rows) == sorted(want)
    assert len(rows) == len(expected)
    # each GPU model's name links to its page
    rest = page[page.index("Each GPU model, held out.") :]
    assert '<a href="../gpus/tesla-p100-16gb/">NVIDIA Tesla P100 PCIe 16GB</a>' in rest


def test_a_gpu_page_shows_its_own_held_out_record(shipped: Built) -> None:
    catalog = load_catalog(shipped.layout.catalog)
    records = held_out_by_gpu(raw_points(catalog))
    p100 = [r for r in records if r.gpu == "tesla-p100-16gb"]
    page = (shipped.site / "gpus" / "tesla-p100-16gb" / "index.html").read_text(encoding="utf-8")
    rows = table_after(page, 'id="how-the-engine-did-on-this-card"')
    assert rows == [record_cells(catalog, r) for r in p100]
    assert ["llama.cpp", "Prefill", "7", "1.75×", "off"] in rows
    # a card no measurement counts for says so instead of showing an empty table
    measured = {r.gpu for r in records}
    bare = next(slug for slug in sorted(catalog.gpus) if slug not in measured)
    page = (shipped.site / "gpus" / bare / "index.html").read_text(encoding="utf-8")
    rest = page[page.index('id="how-the-engine-did-on-this-card"') :]
    assert "No measurement in the catalog counts for this card yet" in rest[:600]
