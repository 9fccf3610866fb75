"""A build with nothing changed stops at once; any change to an input or to the published site
builds again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.site import build as site_build
from site_builder.site import stamp
from site_builder.site.build import build
from site_builder.site.layout import Layout
from tests.site.conftest import CONTENT, fixture_layout


def _mtimes(site: Path) -> dict[str, int]:
    return {str(p.relative_to(site)): p.stat().st_mtime_ns for p in site.rglob("*")}


def test_a_second_build_with_nothing_changed_builds_nothing(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    first = build(layout)
    before = _mtimes(layout.site)
    again = build(layout)
    assert not first.up_to_date and again.up_to_date
    assert (again.pages, again.configurations) == (first.pages, first.configurations)
    assert _mtimes(layout.site) == before


def test_an_edited_input_builds_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    layout = fixture_layout(tmp_path, content=content)
    build(layout)
    page = next(p for p in sorted(content.rglob("*.md")))
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence added later.\n", "utf-8")
    again = build(layout)
    assert not again.up_to_date
    pages = [p.read_text("utf-8") for p in layout.site.rglob("*.html")]
    assert any("A sentence added later." in text for text in pages)


def test_a_changed_site_builds_again(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    build(layout)
    home = layout.site / "index.html"
    built = home.read_bytes()
    home.write_text("edited by hand", encoding="utf-8")
    assert not build(layout).up_to_date
    assert home.read_bytes() == built


def test_a_missing_or_broken_stamp_builds_again(tmp_path: Path) -> None:
    layout: Layout = fixture_layout(tmp_path)
    build(layout)
    (layout.work / stamp.STAMP).write_text("{not json", encoding="utf-8")
    assert not build(layout).up_to_date
    (layout.work / stamp.STAMP).unlink()
    assert not build(layout).up_to_date
    assert build(layout).up_to_date


def test_an_input_edited_while_the_build_runs_builds_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    layout = fixture_layout(tmp_path, content=content)
    page = next(p for p in sorted(content.rglob("*.md")))
    original = site_build._build

    def edited_meanwhile(layout: Layout) -> site_build.BuildReport:
        page.write_text(page.read_text(encoding="utf-8") + "\nSaved mid-build.\n", "utf-8")
        return original(layout)

    monkeypatch.setattr(site_build, "_build", edited_meanwhile)
    build(layout)
    monkeypatch.setattr(site_build, "_build", original)
    again = build(layout)
    assert not again.up_to_date
    pages = [p.read_text("utf-8") for p in layout.site.rglob("*.html")]
    assert any("Saved mid-build." in text for text in pages)
