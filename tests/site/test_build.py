"""The pipeline end to end on the fixture catalog: pages exist, links hold, builds repeat."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.cli import main
from site_builder.errors import BuildError
from site_builder.site.build import build
from tests.site.conftest import (
    CATALOG,
    CONTENT,
    ROOT,
    Built,
    copy_catalog,
    fixture_layout,
    folder_differences,
)

PAGES = [
    "index.html",
    "hardware-combos/index.html",
    "hardware-combos/dual-rtx-4090/index.html",
    "hardware-combos/dual-rtx-3090/index.html",
    "stacks/index.html",
    "stacks/dual-4090-workstation/index.html",
    "will-it-run/index.html",
    "will-it-run/dual-rtx-4090/index.html",
    "compare/dual-rtx-3090-vs-dual-rtx-4090/index.html",
    "models/llama-3.3-70b-instruct/index.html",
    "gpus/rtx-5090/index.html",
    "runtimes/vllm/index.html",
    "benchmarks/index.html",
    "methodology/index.html",
    "configure/index.html",
    "guides/fixture-guide/index.html",
    "reference/catalog/index.html",
    "reference/api/index.html",
    "api/index.json",
    "api/combos.json",
    "api/estimates/dual-rtx-4090.json",
    "api/estimates/dual-rtx-4090.details.json",
    "api/matrix.json",
    "schema/combos.schema.json",
    "sitemap.xml.gz",
    "search/search_index.json",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_exists(built: Built, path: str) -> None:
    assert (built.site / path).is_file()


def test_not_found_page_leads_to_every_section(built: Built) -> None:
    page = (built.site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page
    for section in ("will-it-run", "configure", "hardware-combos", "models", "stacks", "compare"):
        assert f'href="/{section}/"' in page, section
        assert (built.site / section / "index.html").is_file(), section


def test_no_raw_template_syntax(built: Built) -> None:
    for page in built.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("{{", "{%", "<!-- fragment:"):
            assert marker not in text, f"{page}: {marker}"


def test_leaf_pages_stay_out_of_the_nav(built: Built) -> None:
    home = built.html("")
    assert 'href="hardware-combos/"' in home
    assert (
        "hardware-combos/dual-rtx-4090/"
        not in home.split('class="md-nav"', 1)[1].split("</nav>", 1)[0]
    )


def test_two_builds_are_byte_identical(built: Built, tmp_path: Path) -> None:
    again = build(fixture_layout(tmp_path))
    assert folder_differences(built.site, again.site) == []


def test_broken_link_fails_the_build_and_keeps_the_site(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides" / "broken.md").write_text(
        "# Broken\n\nSee [a page that does not exist](/hardware-combos/no-such-combo.md).\n",
        encoding="utf-8",
    )
    layout = fixture_layout(tmp_path, content=content)
    layout.site.mkdir(parents=True)
    (layout.site / "previous.html").write_text("previous build", encoding="utf-8")
    with pytest.raises(BuildError, match=r"hardware-combos/no-such-combo\.md"):
        build(layout)
    assert (layout.site / "previous.html").read_text(encoding="utf-8") == "previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site", "work"]


def test_catalog_error_keeps_the_site(tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    gpu = catalog / "gpus" / "rtx-4090.yaml"
    gpu.write_text(gpu.read_text(encoding="utf-8").replace("vram_gib: 24", "vram_gib: 24000"))
    layout = fixture_layout(tmp_path, catalog=catalog, content=CONTENT)
    layout.site.mkdir(parents=True)
    (layout.site / "previous.html").write_text("previous build", encoding="utf-8")
    with pytest.raises(Exception, match="1 error in the catalog"):
        build(layout)
    assert (layout.site / "previous.html").is_file()


def test_cli_build_with_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    catalog = os.path.relpath(CATALOG, tmp_path)
    content = os.path.relpath(CONTENT, tmp_path)
    args = ["build", "--root", str(ROOT), "--catalog", catalog, "--content", content]
    assert main([*args, "--site", "out", "--work", "work"]) == 0
    assert (tmp_path / "out" / "hardware-combos" / "dual-rtx-4090" / "index.html").is_file()
    assert "python3 -m http.server -d" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "work"]
