"""mkdocs' theme environment between a live preview's builds (site/mkdocs_theme.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from mkdocs.theme import Theme

from site_builder.site import mkdocs_theme


def recorded(monkeypatch: pytest.MonkeyPatch) -> list[jinja2.Environment]:
    """The environments that list the theme's files from here on (one entry per listing)."""
    listings: list[jinja2.Environment] = []
    real = jinja2.Environment.list_templates

    def listing(env: jinja2.Environment, *args: Any) -> list[str]:
        listings.append(env)
        return real(env, *args)

    monkeypatch.setattr(jinja2.Environment, "list_templates", listing)
    return listings


def test_the_theme_files_are_listed_once_until_the_sites_own_theme_files_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "overrides"
    custom.mkdir()
    (custom / "main.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    theme = Theme(name="mkdocs", custom_dir=str(custom))
    mkdocs_theme.keep_listed(SimpleNamespace(theme=theme))  # type: ignore[arg-type]
    listings = recorded(monkeypatch)
    first = theme.get_env().list_templates()
    assert theme.get_env().list_templates() == first and len(listings) == 1  # a new build's env
    assert "main.html" in first and "css/base.css" in first  # the site's and the theme's files
    (custom / "extra.css").write_text("p {}", encoding="utf-8")
    assert "extra.css" in theme.get_env().list_templates() and len(listings) == 2


def test_builds_in_one_process_list_the_theme_files_once_however_the_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each build names the site's theme folder relative to its own work folder; the listing
    is the folder's, so a second build's environment lists nothing again."""
    custom = tmp_path / "overrides"
    custom.mkdir()
    (custom / "main.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    (tmp_path / "work").mkdir()
    listings = recorded(monkeypatch)
    found = []
    for named in (custom, tmp_path / "work" / ".." / "overrides"):
        theme = Theme(name="mkdocs", custom_dir=str(named))
        plugin = mkdocs_theme.ThemeCache(tmp_path / "work")
        plugin.on_config(SimpleNamespace(theme=theme))  # type: ignore[arg-type]
        found.append(theme.get_env().list_templates())
    assert found[0] == found[1] and "main.html" in found[0]
    assert len(listings) == 1
