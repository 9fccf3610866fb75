"""``site-builder diff``: the pages and results a catalog change moves, and nothing else."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.cli import main
from site_builder.commands import diff as commands_diff
from site_builder.site import diff, reuse
from site_builder.site.layout import Layout
from site_builder.site.store import Store
from tests.site.conftest import CONTENT, ROOT, Built, copy_catalog, fixture_layout


def last_build(layout: Layout, catalog: Path) -> Store:
    """The results ``layout``'s build left that a side with ``catalog`` reads back."""
    return reuse.last_build(layout, load_catalog(catalog))


NEW = {"fixture": ("rtx-5090", "dual-rtx-5090"), "shipped": ("rtx-4070-ti-super", "dual-4070tis")}
"""The card and ID of the combo each test adds (one the catalog does not have)."""


def changed_copy(
    folder: Path, source: Path, combo_from: str, gpu: str, bandwidth: str, new: str = "fixture"
) -> Path:
    """A copy of the ``source`` catalog with a new two-card combo named "Dual RTX 5090 (test)"
    (made from ``combo_from``, cards and ID from :data:`NEW`) and ``gpu``'s memory bandwidth
    set to ``bandwidth``."""
    card, slug = NEW[new]
    target = folder / "catalog"
    shutil.copytree(source, target)
    text = (target / "combos" / f"{combo_from}.yaml").read_text(encoding="utf-8")
    first = text.split("gpu: ", 1)[1].split()[0]
    name = text.split("name: ", 1)[1].splitlines()[0]
    text = text.replace(f"gpu: {first}", f"gpu: {card}").replace(name, "Dual RTX 5090 (test)")
    assert not (target / "combos" / f"{slug}.yaml").exists()
    (target / "combos" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    spec = target / "gpus" / f"{gpu}.yaml"
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [
        f"mem_bandwidth_gb_s: {bandwidth}\n" if line.startswith("mem_bandwidth_gb_s:") else line
        for line in lines
    ]
    spec.write_text("".join(lines), encoding="utf-8")
    return target


def explained(page: str, before: diff.Snapshot, after: diff.Snapshot, card: str) -> bool:
    """A changed page shows the new combo or the changed card, or only counts changed (lists
    ordered by a count may reorder)."""
    old, new = before.pages[page], after.pages[page]
    if "Dual RTX 5090 (test)" in new or card in new:
        return True
    return _shape(old) == _shape(new)


def _shape(text: str) -> list[str]:
    return sorted(re.sub(r"\d", "", line) for line in text.splitlines())


def combos_with(catalog: Path, gpu: str) -> set[str]:
    return {p.stem for p in (catalog / "combos").glob("*.yaml") if f"gpu: {gpu}\n" in p.read_text()}


def test_fixture_diff_lists_the_new_pages_and_the_moved_numbers(tmp_path: Path) -> None:
    before = diff.snapshot(fixture_layout(tmp_path / "a"))
    changed = changed_copy(
        tmp_path, ROOT / "tests/site/fixtures/catalog", "dual-rtx-4090", "rtx-3090", "1100"
    )
    after = diff.snapshot(fixture_layout(tmp_path / "b", catalog=changed))
    found = diff.compare(before, after)
    assert found.added and all("dual-rtx-5090" in page for page in found.added)
    assert not found.removed
    assert {m.combo for m in found.moves} == {"dual-rtx-3090"}
    assert any(m.what == "decode tok/s" and m.change_pct and m.change_pct > 5 for m in found.moves)
    assert found.new_pairs == [
        ("dual-rtx-5090", m) for m in sorted(before.names) if m.startswith("llama")
    ]
    assert all(explained(page, before, after, "3090") for page in found.changed)
    text = diff.report(found, "before", "after")
    assert "#### Dual RTX 3090" in text and "`/hardware-combos/dual-rtx-5090/`" in text
    assert "Dual RTX 4090" not in text.split("### Results that moved")[1].split("### New")[0]


def test_the_same_catalog_reports_nothing(tmp_path: Path, built: Built) -> None:
    """Also when one side reads back the results a build of the same catalog left (its every
    combo): the same snapshot."""
    one = diff.snapshot(fixture_layout(tmp_path / "a"))
    layout = fixture_layout(tmp_path / "b")
    assert last_build(built.layout, layout.catalog).reusable == set(
        load_catalog(layout.catalog).combos
    )
    two = diff.snapshot(layout, built.layout.work)
    assert two == one
    found = diff.compare(one, two)
    assert found.empty
    assert diff.report(found, "a", "b").endswith("No page and no result changed.\n")


def test_a_git_ref_is_read_from_git(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    copy_catalog(repo)
    shutil.copytree(CONTENT, repo / "content")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    spec = repo / "catalog" / "gpus" / "rtx-4090.yaml"
    spec.write_text(
        spec.read_text().replace("mem_bandwidth_gb_s: 1008", "mem_bandwidth_gb_s: 1300")
    )
    subprocess.run([*git, "commit", "-qam", "faster"], check=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        patch.setenv("GIT_DIR", str(repo / ".git"))
        assert main(["diff", "HEAD~1", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Site diff: HEAD~1 → HEAD")
    assert "#### Dual RTX 4090 (`dual-rtx-4090`)" in out and "Pages added" not in out


def test_a_side_that_is_neither_folder_nor_ref(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "no-such-ref-or-folder", "catalog"]) == 2
    assert "'no-such-ref-or-folder' is neither a folder nor a git ref" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("folders", "spec", "reads"),
    [
        (["p/catalog", "p/.build"], "p", "p/.build"),  # a project folder after `make site`
        (["p/catalog"], "p", None),  # never built
        (["p/gpus", "p/.build"], "p", None),  # a catalog folder
        ([], "main", None),  # a git ref
    ],
)
def test_only_a_built_project_folders_side_reads_back_its_last_build(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    folders: list[str],
    spec: str,
    reads: str | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in folders:
        Path(folder).mkdir(parents=True)
    assert commands_diff.last_work(spec) == (Path(reads) if reads else None)


def test_names_cannot_break_the_report() -> None:
    move = diff.Move("c", "m", "llama-cpp Q4_K_M", "verdict", "fits", "tight")
    found = diff.Diff([], [], [], [move], [], [], {"c": "A | <script>", "m": "B`x`"})
    text = diff.report(found, "a", "b")
    assert "A \\| &lt;script&gt;" in text and "<script>" not in text and "B\\`x\\`" in text


def test_the_shipped_catalog_with_one_combo_added_and_one_card_changed(
    tmp_path: Path, shipped: Built
) -> None:
    """The acceptance case: the new combo's pages, the moved numbers on the combos holding the
    changed card, nothing else. Both sides read back the shipped site's build: the side after
    evaluates only the combos the edit touched (the new one and those holding the card)."""
    catalog = ROOT / "catalog"
    changed = changed_copy(tmp_path, catalog, "dual-rtx-3060", "rtx-3060", "400", "shipped")
    holding = combos_with(catalog, "rtx-3060")
    layout = Layout.at(ROOT, site=tmp_path / "s1", work=tmp_path / "w1")
    assert last_build(shipped.layout, catalog).reusable == set(load_catalog(catalog).combos)
    before = diff.snapshot(layout, shipped.layout.work)
    after = diff.snapshot(
        Layout.at(ROOT, catalog=changed, site=tmp_path / "s2", work=tmp_path / "w2"),
        shipped.layout.work,
    )
    found = diff.compare(before, after)
    assert found.added and all("dual-4070tis" in page for page in found.added)
    assert "/hardware-combos/dual-4070tis/" in found.added and not found.removed
    assert {m.combo for m in found.moves} == holding
    assert {c for c, _ in found.new_pairs} == {"dual-4070tis"} and not found.gone_pairs
    assert all(explained(page, before, after, "3060") for page in found.changed)
