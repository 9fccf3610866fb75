"""mkdocs' Markdown conversion shared with a forked process, and its pages kept compressed
between conversion and writing, change nothing: the same bytes as a plain mkdocs build, and
every page's warnings still fail the strict build, whichever process converted it."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site import mkdocs_run
from site_builder.site.build import build
from site_builder.site.layout import Layout
from tests.site.conftest import CONTENT, fixture_layout, folder_differences


def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        mkdocs_run,
        "build",
        functools.partial(mkdocs_run.build, fork_markdown=False, compact_pages=False),
    )


def test_a_forked_conversion_and_compact_pages_build_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = build(fixture_layout(tmp_path / "shared"))
    _one_process(monkeypatch)
    alone = build(fixture_layout(tmp_path / "alone"))
    assert shared.pages == alone.pages > 10
    assert folder_differences(shared.site, alone.site) == []


def _broken_guides(tmp_path: Path) -> Layout:
    """Content with two guides side by side, each linking to a page that does not exist (one
    lands in each process's half)."""
    content = tmp_path / "content"
    for path in CONTENT.rglob("*"):
        target = content / path.relative_to(CONTENT)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    guides = content / "guides"
    guides.mkdir(exist_ok=True)
    for name in ("zz-broken-a", "zz-broken-b"):
        (guides / f"{name}.md").write_text(
            f"# {name}\n\nSee [nowhere](/hardware-combos/{name}-target.md).\n", encoding="utf-8"
        )
    return fixture_layout(tmp_path, content=content)


@pytest.mark.parametrize("fork", [True, False])
def test_warnings_of_pages_converted_in_either_process_fail_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    if not fork:
        _one_process(monkeypatch)
    with pytest.raises(BuildError) as failed:
        build(_broken_guides(tmp_path))
    message = str(failed.value)
    assert "zz-broken-a-target.md" in message and "zz-broken-b-target.md" in message
    assert message.index("zz-broken-a-target") < message.index("zz-broken-b-target")
