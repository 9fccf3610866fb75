"""A build takes the engine's results about each combo whose inputs are unchanged from the last
successful build (:meth:`site_builder.site.store.Store.reuse`), and builds the same bytes as a
clean build: with the results kept in memory or stored batch by batch, after an edit to a combo,
to what every combo reads, or to nothing; a failed build leaves nothing to reuse."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site import evaluate as evaluate_stage
from site_builder.site import reuse, serve, stamp, store
from site_builder.site.build import BuildReport, build
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo
from tests.site.conftest import edit, editable_layout, fixture_layout, folder_differences


def _same_as_clean(layout: Layout, folder: Path) -> None:
    clean = build(fixture_layout(folder, catalog=layout.catalog, content=layout.content))
    assert clean.reused == 0
    assert folder_differences(layout.site, clean.site) == []


EDITS = {
    "combo": ("combos/dual-rtx-3090.yaml", "psu_w: 1200", "psu_w: 1300", 1),
    "gpu": ("gpus/rtx-3090.yaml", "board_power_w: 350", "board_power_w: 340", 0),
}


@pytest.mark.parametrize("sealing", [False, True], ids=["in-memory", "stored"])
@pytest.mark.parametrize("kind", sorted(EDITS))
def test_a_rebuild_reuses_the_combos_an_edit_leaves_and_builds_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, sealing: bool
) -> None:
    if sealing:
        monkeypatch.setattr(reuse, "STORE_FROM_COMBOS", 1)
        monkeypatch.setattr(evaluate_stage, "BATCH_COMBOS", 1)
    layout = editable_layout(tmp_path / "edited")
    assert build(layout).reused == 0
    path, old, new, reused = EDITS[kind]
    edit(layout.catalog / path, old, new)
    again = build(layout)
    assert again.reused == reused
    _same_as_clean(layout, tmp_path / "clean")


def test_a_rebuild_of_unchanged_inputs_reuses_every_combo(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    first = build(layout)
    stamp.forget(layout)  # past the stop for a build with nothing changed
    again = build(layout)
    assert again.reused == 2 and again.configurations == first.configurations
    _same_as_clean(layout, tmp_path / "clean")


def test_a_failed_build_leaves_nothing_to_reuse(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    build(layout)
    guide = layout.content / "guides" / "fixture-guide.md"
    edit(guide, "/hardware-combos/dual-rtx-4090.md", "/hardware-combos/nowhere.md")
    with pytest.raises(BuildError):
        build(layout)
    assert not (layout.results / store.KEYS).exists()
    edit(guide, "/hardware-combos/nowhere.md", "/hardware-combos/dual-rtx-4090.md")
    assert build(layout).reused == 0


def test_a_reused_combo_counts_its_configurations_as_evaluating_it_does(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    first: BuildReport = build(layout)
    edit(layout.catalog / "combos/dual-rtx-3090.yaml", "psu_w: 1200", "psu_w: 1300")
    assert build(layout).configurations == first.configurations


def test_pages_the_preview_wrote_are_not_kept_by_the_next_build(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    build(layout)
    combo = layout.catalog / "combos/dual-rtx-3090.yaml"
    edit(combo, "Cheapest 48 GB of VRAM.", "The cheapest 48 GB.")
    assert serve.regenerate(layout, Memo())  # the preview writes the edited pages
    edit(combo, "The cheapest 48 GB.", "Cheapest 48 GB of VRAM.")  # back as the build left it
    os.utime(layout.site / "404.html", (0, 0))  # past the stop for a build with nothing changed
    assert build(layout).reused == 2  # the results, but not the pages the preview rewrote
    _same_as_clean(layout, tmp_path / "clean")


def test_a_failed_rebuild_leaves_the_published_site_as_it_was(tmp_path: Path) -> None:
    """The published data files are hard links to the work folder's, which a rebuild replaces
    and never writes in place."""
    layout = editable_layout(tmp_path / "edited")
    build(layout)
    before = tmp_path / "before"
    shutil.copytree(layout.site, before)
    edit(layout.catalog / "gpus/rtx-3090.yaml", "board_power_w: 350", "board_power_w: 340")
    guide = layout.content / "guides" / "fixture-guide.md"
    edit(guide, "/hardware-combos/dual-rtx-4090.md", "/hardware-combos/nowhere.md")
    with pytest.raises(BuildError):
        build(layout)
    assert folder_differences(layout.site, before) == []
