"""mkdocs' theme environment between a live preview's builds (site/mkdocs_theme.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from mkdocs.theme import Theme

from site_builder.site import mkdocs_theme


def test_the_theme_files_are_listed_once_until_the_sites_own_theme_files_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "overrides"
    custom.mkdir()
    (custom / "main.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    theme = Theme(name="mkdocs", custom_dir=str(custom))
    mkdocs_theme.keep_listed(SimpleNamespace(theme=theme))  # type: ignore[arg-type]
    listings = []
    real = jinja2.Environment.list_templates

    def listing(env: jinja2.Environment, *args: Any) -> list[str]:
        listings.append(env)
        return real(env, *args)

    monkeypatch.setattr(jinja2.Environment, "list_templates", listing)
    first = theme.get_env().list_templates()
    assert theme.get_env().list_templates() == first and len(listings) == 1  # a new build's env
    assert "main.html" in first and "css/base.css" in first  # the site's and the theme's files
    (custom / "extra.css").write_text("p {}", encoding="utf-8")
    assert "extra.css" in theme.get_env().list_templates() and len(listings) == 2
