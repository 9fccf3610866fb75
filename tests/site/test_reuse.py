"""A build takes the engine's results about each combo whose inputs are unchanged from the last
successful build (:meth:`site_builder.site.store.Store.reuse`), and builds the same bytes as a
clean build: with the results kept in memory or stored batch by batch, after an edit to a combo,
to what every combo reads, or to nothing; a failed build leaves nothing to reuse."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from site_builder.cli import main
from site_builder.errors import BuildError
from site_builder.site import evaluate as evaluate_stage
from site_builder.site import regenerate, reuse, stamp, store
from site_builder.site.build import build
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo
from tests.site.conftest import edit, editable_layout, fixture_layout, folder_differences


def _same_as_clean(layout: Layout, folder: Path) -> None:
    clean = build(fixture_layout(folder, catalog=layout.catalog, content=layout.content))
    assert clean.reused == 0
    assert folder_differences(layout.site, clean.site) == []


EDITS = {
    "combo": ("combos/dual-rtx-3090.yaml", "psu_w: 1200", "psu_w: 1300", 1),
    # its editorial text only: no result reads it (memo.PROSE), its pages are made again
    "combo text": ("combos/dual-rtx-3090.yaml", "Cheapest 48 GB of VRAM.", "The cheapest.", 2),
    # its name: no result reads it either (memo.answers_digest), every page naming it is made
    "combo name": ("combos/dual-rtx-3090.yaml", "name: Dual RTX 3090", "name: Twin RTX 3090", 2),
    # a GPU: only the combo holding it is evaluated again (reuse.combo_keys)
    "gpu": ("gpus/rtx-3090.yaml", "board_power_w: 350", "board_power_w: 340", 1),
}


@pytest.fixture(scope="module")
def clean_sites() -> dict[str, Path]:
    """The clean build of each edited catalog, by edit: the in-memory and the stored case of
    one edit are held to the same site (both modes build the same bytes)."""
    return {}


@pytest.mark.parametrize("sealing", [False, True], ids=["in-memory", "stored"])
@pytest.mark.parametrize("kind", sorted(EDITS))
def test_a_rebuild_reuses_the_combos_an_edit_leaves_and_builds_the_same_site(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_sites: dict[str, Path],
    kind: str,
    sealing: bool,
) -> None:
    if sealing:
        monkeypatch.setattr(reuse, "STORE_FROM_COMBOS", 1)
        monkeypatch.setattr(evaluate_stage, "BATCH_COMBOS", 1)
    layout = editable_layout(tmp_path / "edited")
    first = build(layout)
    assert first.reused == 0
    path, old, new, reused = EDITS[kind]
    edit(layout.catalog / path, old, new)
    again = build(layout)
    assert again.reused == reused
    # a reused combo counts its configurations as evaluating it does
    assert again.configurations == first.configurations
    if kind not in clean_sites:
        clean = build(fixture_layout(tmp_path / "clean", layout.catalog, layout.content))
        assert clean.reused == 0
        clean_sites[kind] = clean.site
    assert folder_differences(layout.site, clean_sites[kind]) == []


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


def test_pages_the_preview_wrote_are_not_kept_by_the_next_build(tmp_path: Path) -> None:
    layout = editable_layout(tmp_path / "edited")
    build(layout)
    combo = layout.catalog / "combos/dual-rtx-3090.yaml"
    edit(combo, "Cheapest 48 GB of VRAM.", "The cheapest 48 GB.")
    assert regenerate.regenerate(layout, Memo())  # the preview writes the edited pages
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


TYPED = (
    "Two consumer-flagship Ada cards in one workstation.",
    "They run Llama 3.3 70B at 95 tok/s, as the Dual RTX 3090 (NVLink) does.",
)
"""A typed figure about the other combo: ``validate`` then reads both (it evaluates only the
combos its checks read: this one's stack and the one the sentence names)."""


def _validate(
    layout: Layout, work: Path, swept: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """``validate`` on ``layout``'s catalog with ``work`` as the last build's folder: its exit
    code and error output (``swept`` gets the combos each sweep evaluated)."""
    args = ["validate", "--catalog", str(layout.catalog), "--content", str(layout.content)]
    swept.clear()
    code = main([*args, "--work", str(work)])
    return code, capsys.readouterr().err


@pytest.fixture
def swept(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The combos each sweep of the evaluate stage is asked to evaluate, in order."""
    found: list[list[str]] = []
    real = evaluate_stage.sweep

    def spy(*args: Any, combos: list[str], **kwargs: Any) -> Any:
        found.append(list(combos))
        return real(*args, combos=combos, **kwargs)

    monkeypatch.setattr(evaluate_stage, "sweep", spy)
    return found


def test_validate_evaluates_only_the_combos_an_edit_touched_since_the_last_build(
    tmp_path: Path, swept: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    layout = editable_layout(tmp_path)
    build(layout)
    combo = layout.catalog / "combos/dual-rtx-4090.yaml"
    edit(combo, *TYPED)  # its text only: no combo's results change (memo.PROSE)
    reusing = _validate(layout, layout.work, swept, capsys)
    assert swept == [[]]
    fresh = _validate(layout, tmp_path / "no-build", swept, capsys)
    assert swept == [["dual-rtx-3090", "dual-rtx-4090"]]
    assert reusing == fresh
    assert fresh[0] == 1 and "'95 tok/s' is typed by hand" in fresh[1]
    edit(combo, "psu_w: 1500", "psu_w: 1600")
    assert _validate(layout, layout.work, swept, capsys) == fresh
    assert swept == [["dual-rtx-4090"]]


def test_validate_evaluates_every_combo_when_a_build_writes_the_work_folder_meanwhile(
    tmp_path: Path, swept: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    layout = editable_layout(tmp_path)
    build(layout)
    edit(layout.catalog / "combos/dual-rtx-4090.yaml", *TYPED)  # validate reads both combos
    record = layout.results / store.KEYS
    real = evaluate_stage.sweep

    def build_meanwhile(*args: Any, **kwargs: Any) -> Any:
        record.write_bytes(record.read_bytes())  # what a build records when it ends
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluate_stage, "sweep", build_meanwhile)
        assert _validate(layout, layout.work, swept, capsys)[0] == 1
    assert swept == [[], ["dual-rtx-3090", "dual-rtx-4090"]]  # all reused, then all fresh


def test_validate_evaluates_again_when_a_file_of_the_last_build_is_unreadable(
    tmp_path: Path, swept: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    layout = editable_layout(tmp_path)
    build(layout)
    (layout.results / "dual-rtx-3090.summary.pickle").write_bytes(b"not a pickle")
    edit(layout.catalog / "combos/dual-rtx-4090.yaml", *TYPED)
    found = _validate(layout, layout.work, swept, capsys)
    assert swept == [["dual-rtx-3090", "dual-rtx-4090"]]  # the reused summary failed first
    assert found == _validate(layout, tmp_path / "no-build", swept, capsys)
