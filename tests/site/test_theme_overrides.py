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


def test_the_bundle_requests_the_search_index_the_way_main_html_holds_it() -> None:
    """templates/overrides/main.html holds Material's XMLHttpRequest for the search index until
    first use; a Material that fetches it another way must be handled there again."""
    (bundle,) = (THEME / "assets" / "javascripts").glob("bundle.*.min.js")
    code = bundle.read_text(encoding="utf-8")
    assert 'new URL("search/search_index.json"' in code
    assert (
        "new XMLHttpRequest" in code and "fetch(" not in code.split("search_index.json")[0][-400:]
    )
    ours = (ROOT / "templates" / "overrides" / "main.html").read_text(encoding="utf-8")
    assert "search\\/search_index\\.json" in ours and '{% extends "base.html" %}' in ours
