"""A build with every job in one process writes the same bytes as the usual build, whose
sweep, page families, Markdown conversion, writers and link check run in forked processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site import sidecar
from site_builder.site.build import build
from tests.site.conftest import Built, fixture_layout


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_one_process_builds_the_same_site(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sidecar.forking()  # the usual build forks (Linux)
    monkeypatch.setenv(sidecar.ONE_PROCESS, "1")
    assert not sidecar.forking()
    layout = fixture_layout(tmp_path)
    build(layout)
    one, usual = files(layout.site), files(built.site)
    assert sorted(one) == sorted(usual)
    assert [name for name in one if one[name] != usual[name]] == []
