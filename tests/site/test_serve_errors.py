"""The live preview keeps answering whatever breaks: any error while regenerating is reported
and the previous pages stay up (before, an unexpected error escaped the mkdocs hook and every
request hung)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site import regenerate
from site_builder.site.sitedata import SiteData
from tests.site.conftest import fixture_layout


def test_an_unexpected_error_keeps_the_previous_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = fixture_layout(tmp_path)
    assert regenerate.regenerate(layout)
    before = sorted(p.relative_to(layout.docs) for p in layout.docs.rglob("*"))

    def broken(*_: object, **__: object) -> SiteData:
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    monkeypatch.setattr(regenerate, "checked_data", broken)
    assert regenerate.regenerate(layout) is False
    assert "error: unexpected ValueError" in capsys.readouterr().err
    assert sorted(p.relative_to(layout.docs) for p in layout.docs.rglob("*")) == before
