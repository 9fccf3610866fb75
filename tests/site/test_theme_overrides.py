"""Theme overrides stay minimal: each copies Material's partial with one change, so a Material
upgrade that changes the partial fails here (copy it again and reapply the change)."""

from __future__ import annotations

from pathlib import Path

import material

from tests.site.conftest import ROOT, Built

THEME = Path(material.__file__).resolve().parent / "templates"
DIALOG = '<div class="md-search" data-md-component="search" role="dialog"'
NAMED = DIALOG + " aria-label=\"{{ lang.t('search') }}\""


def test_the_search_partial_only_names_its_dialog() -> None:
    theirs = (THEME / "partials" / "search.html").read_text(encoding="utf-8")
    ours = (ROOT / "templates" / "overrides" / "partials" / "search.html").read_text("utf-8")
    assert DIALOG + ">" in theirs
    assert ours == theirs.replace(DIALOG + ">", NAMED + ">", 1)


def test_built_pages_name_the_search_dialog(built: Built) -> None:
    assert f'{DIALOG} aria-label="Search">' in built.html("")
