"""After the first build, mkdocs renders only the pages whose Markdown changed, and the site is
the same bytes as a clean build of the same inputs; anything every page reads, a page added or
removed, or a failed mkdocs run renders every page again."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site.build import BuildReport, build
from site_builder.site.layout import Layout
from tests.site.conftest import edit, editable_layout, fixture_layout, folder_differences


def _clean(layout: Layout, folder: Path) -> BuildReport:
    """A clean build of ``layout``'s inputs into ``folder``."""
    return build(fixture_layout(folder, catalog=layout.catalog, content=layout.content))


def test_a_rebuild_after_edits_renders_the_changed_pages_and_equals_a_clean_build(
    tmp_path: Path,
) -> None:
    layout = editable_layout(tmp_path / "edited")
    first = build(layout)
    assert first.rendered == first.pages > 10
    combo = layout.catalog / "combos" / "dual-rtx-3090.yaml"
    edit(combo, "Cheapest 48 GB of VRAM.", "The cheapest 48 GB of VRAM.")
    edit(layout.content / "guides" / "fixture-guide.md", "See [the combo]", "Read [the combo]")
    again = build(layout)
    assert again.pages == first.pages
    assert 0 < again.rendered < first.pages
    assert again.reused == 0  # guides plan engine queries: a content edit reuses no combo
    clean = _clean(layout, tmp_path / "clean")
    assert clean.rendered == clean.pages == again.pages
    assert folder_differences(layout.site, clean.site) == []


def test_a_page_added_renders_every_page(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    first = build(layout)
    guide = layout.content / "guides" / "zz-another.md"
    guide.write_text("# Another guide\n\nSee [the combo](/hardware-combos/dual-rtx-4090.md).\n")
    added = build(layout)
    assert added.rendered == added.pages == first.pages + 1
    guide.unlink()
    removed = build(layout)
    assert removed.rendered == removed.pages == first.pages
    assert not (layout.site / "guides" / "zz-another").exists()
    assert folder_differences(layout.site, _clean(layout, tmp_path / "clean").site) == []


def test_a_failed_mkdocs_run_renders_every_page_next_time(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    build(layout)
    guide = layout.content / "guides" / "fixture-guide.md"
    edit(guide, "/hardware-combos/dual-rtx-4090.md", "/hardware-combos/nowhere.md")
    with pytest.raises(BuildError, match=r"nowhere\.md"):
        build(layout)
    edit(guide, "/hardware-combos/nowhere.md", "/hardware-combos/dual-rtx-4090.md")
    fixed = build(layout)
    assert fixed.rendered == fixed.pages
