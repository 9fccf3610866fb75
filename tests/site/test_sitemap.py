"""The sitemap's lastmod: each page's newest shown date, so changing one benchmark's date
changes only the pages that show it."""

from __future__ import annotations

import filecmp
import gzip
from pathlib import Path

import pytest

from site_builder.site import sitemap
from site_builder.site.build import build
from tests.site.conftest import Built, copy_catalog, fixture_layout

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url>
         <loc>https://example.org/</loc>
         <lastmod>2030-01-01</lastmod>
    </url>
    <url>
         <loc>https://example.org/gpus/rtx-4090/</loc>
         <lastmod>2030-01-01</lastmod>
    </url>
</urlset>
"""


def test_a_large_sitemap_is_split_behind_an_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than URLS_PER_FILE pages: sitemap.xml becomes an index of files of that many."""
    monkeypatch.setattr(sitemap, "URLS_PER_FILE", 1)
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    sitemap.rewrite(tmp_path, {"/": "2025-04-29"})
    index = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert index == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "    <sitemap>\n         <loc>https://example.org/sitemap-1.xml</loc>\n    </sitemap>\n"
        "    <sitemap>\n         <loc>https://example.org/sitemap-2.xml</loc>\n    </sitemap>\n"
        "</sitemapindex>\n"
    )
    first, second = ((tmp_path / f"sitemap-{n}.xml").read_text(encoding="utf-8") for n in (1, 2))
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    assert "<loc>https://example.org/</loc>\n         <lastmod>2025-04-29</lastmod>" in first
    assert "gpus/rtx-4090" in second and "<lastmod>" not in second
    assert first.endswith("</urlset>\n") and second.endswith("</urlset>\n")
    for name in ("sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"):
        packed = (tmp_path / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == (tmp_path / name).read_bytes()


def test_page_dates_take_the_newest_date_of_the_page_and_its_asides() -> None:
    docs = {
        "index.md": "Released 2024-07-23 and 2025-04-29; version 12024-01-011 is no date.",
        "gpus/rtx-4090.md": "no date here",
        "models/x.md": "measured 2025-01-20",
        "assets/site.css": "2099-01-01",
    }
    asides = {"aside/models/x/1.html": "<td>2026-02-03</td>", "aside/gone/1.html": "2027-01-01"}
    assert sitemap.page_dates(docs, asides) == {"/": "2025-04-29", "/models/x/": "2026-02-03"}


def test_rewrite_sets_or_drops_each_lastmod(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(SITEMAP, encoding="utf-8")
    sitemap.rewrite(tmp_path, {"/": "2025-04-29"})
    text = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/</loc>\n         <lastmod>2025-04-29</lastmod>" in text
    assert text.count("<lastmod>") == 1 and "2030" not in text
    packed = (tmp_path / "sitemap.xml.gz").read_bytes()
    assert gzip.decompress(packed).decode("utf-8") == text
    sitemap.rewrite(tmp_path, {"/": "2025-04-29"})
    assert (tmp_path / "sitemap.xml.gz").read_bytes() == packed  # no timestamp inside


def test_a_benchmark_date_changes_only_the_pages_that_show_it(built: Built, tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    bench = catalog / "benchmarks" / "dual-3090-llama-3.3-70b-q4km-llamacpp.yaml"
    text = bench.read_text(encoding="utf-8")
    assert "measured_on: 2025-01-20" in text
    bench.write_text(text.replace("measured_on: 2025-01-20", "measured_on: 2025-02-11"))
    layout = fixture_layout(tmp_path / "out", catalog=catalog)
    build(layout)
    changed = []
    for page in sorted(built.site.rglob("*.html")):
        other = layout.site / page.relative_to(built.site)
        if not filecmp.cmp(page, other, shallow=False):
            changed.append(other)
    assert changed
    assert all("2025-02-11" in page.read_text(encoding="utf-8") for page in changed), changed
    old = (built.site / "sitemap.xml").read_text(encoding="utf-8")
    new = (layout.site / "sitemap.xml").read_text(encoding="utf-8")
    assert old.count("<lastmod>") == new.count("<lastmod>") > 0
    moved = [b for a, b in zip(old.splitlines(), new.splitlines(), strict=True) if a != b]
    assert moved and all("2025-02-11" in line for line in moved)
