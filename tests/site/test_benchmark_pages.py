"""``/benchmarks/``: an index and pages of benchmark blocks that stay small as measurements grow."""

from __future__ import annotations

import re

from site_builder.catalog import load_catalog
from site_builder.site.pages.bench_rows import PENDING_PAGE, PER_PAGE, locations
from tests.site.conftest import ROOT, Built

KB = 1024


def test_measured_benchmarks_fill_pages_in_catalog_order() -> None:
    catalog = load_catalog(ROOT / "catalog")
    where = locations(catalog)
    measured = [s for s, b in catalog.benchmarks.items() if b.status == "measured"]
    assert [where[s] for s in measured] == [
        f"benchmarks/measured-{i // PER_PAGE + 1}.md" for i in range(len(measured))
    ]
    pending = [s for s, b in catalog.benchmarks.items() if b.status == "pending"]
    assert {where[s] for s in pending} <= {PENDING_PAGE}


def test_no_benchmarks_page_grows_with_the_catalog(shipped: Built) -> None:
    """The one page of about 200 benchmarks weighed 1 MB; the index lists them in one table
    and each page of blocks holds at most PER_PAGE."""
    site = shipped.site / "benchmarks"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert len(index.encode()) < 200 * KB
    parts = sorted(site.glob("measured-*/index.html"))
    assert parts and all(p.stat().st_size < 300 * KB for p in parts)
    for part in parts:
        assert f'href="{part.parent.name}/"' in index, part  # the index links every part
        blocks = re.findall(r'<h2 id="[^"]+">', part.read_text(encoding="utf-8"))
        assert 0 < len(blocks) <= PER_PAGE


def test_a_row_measured_at_several_requests_says_how_many(shipped: Built) -> None:
    """Serving runs at 4 to 64 requests share their prompt and output lengths; without the
    request count their rows read as repeats of one condition."""
    page = (shipped.site / "stacks" / "8x-h200-sglang-deepseek-r1" / "index.html").read_text(
        encoding="utf-8"
    )
    for requests in (4, 8, 16, 32, 64):
        assert f"pp1024 tg1024, {requests} requests" in page
    assert "pp128 tg256<" in page  # the single-stream row names no count


def test_a_row_says_the_mean_concurrency_it_is_estimated_at(shipped: Built) -> None:
    """A capped run that held fewer requests on average is estimated at that mean; its row says
    so beside the cap (the cookbook's 16-request DeepSeek-R1 run on 8x B200 held 13.93)."""
    pages = sorted((shipped.site / "benchmarks").glob("measured-*/index.html"))
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "pp496 tg509, 16 requests (13.9 on average)" in text
    assert "pp1024 tg1024, 4 requests (" not in text  # InferenceX prints no mean: none shown
