"""Which pages the live preview writes first after an edit (site/first_pages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site import first_pages
from site_builder.site.first_pages import edited, own_pages
from site_builder.site.layout import Layout


@pytest.mark.parametrize(
    ("path", "pages"),
    [
        ("catalog/combos/dual-rtx-4090.yaml", {"hardware-combos/dual-rtx-4090.md"}),
        ("catalog/gpus/rtx-3090.yaml", {"gpus/rtx-3090.md"}),
        ("catalog/models/qwen3-8b.yaml", {"models/qwen3-8b.md"}),
        ("catalog/runtimes/vllm.yaml", {"runtimes/vllm.md"}),
        ("catalog/stacks/dual-4090-workstation.yaml", {"stacks/dual-4090-workstation.md"}),
        ("content/runtimes/llama-cpp.md", {"runtimes/llama-cpp.md"}),
        ("content/guides/multi-gpu-buying-guide.md", {"guides/multi-gpu-buying-guide.md"}),
        # their pages are many (or a template's, all): nothing goes first
        ("catalog/quants/Q4_K_M.yaml", set()),
        ("catalog/benchmarks/some-run.yaml", set()),
        ("catalog/interconnects/nvlink-4.yaml", set()),
        ("templates/combo.md.j2", set()),
        ("content/index.md", set()),
    ],
)
def test_an_edited_file_s_own_page(path: str, pages: set[str]) -> None:
    assert own_pages([path]) == pages


def test_edited_files_are_those_added_removed_or_changed() -> None:
    before = {"catalog/a.yaml": "1", "catalog/b.yaml": "2", "catalog/c.yaml": "3"}
    after = {"catalog/a.yaml": "1", "catalog/b.yaml": "9", "catalog/d.yaml": "4"}
    assert edited(before, after) == ["catalog/b.yaml", "catalog/c.yaml", "catalog/d.yaml"]
    assert edited(after, after) == []


def test_file_digests_name_each_file_by_its_folder_and_change_with_its_bytes(
    tmp_path: Path,
) -> None:
    layout = Layout.at(tmp_path)
    (layout.catalog / "combos").mkdir(parents=True)
    (layout.catalog / "combos" / "x.yaml").write_text("name: X\n", encoding="utf-8")
    layout.content.mkdir()
    (layout.content / "index.md").write_text("# Hi\n", encoding="utf-8")
    found = first_pages.file_digests(layout)
    assert sorted(found) == ["catalog/combos/x.yaml", "content/index.md"]
    (layout.catalog / "combos" / "x.yaml").write_text("name: Y\n", encoding="utf-8")
    again = first_pages.file_digests(layout)
    assert edited(found, again) == ["catalog/combos/x.yaml"]
