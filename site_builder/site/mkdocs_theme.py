"""mkdocs' theme templates kept compiled between builds, and the theme's files listed once.

mkdocs makes a new Jinja environment for its theme on every build and compiles the templates
it renders (Material's ``base.html``, ``main.html`` and their partials, about 56) from their
source each time: about a third of a second of every build, most of what mkdocs does in a live
preview's rebuild of one page. :func:`keep_compiled` gives that environment a bytecode cache in
the work folder (``.build/theme-jinja/``) and this process's memory
(:class:`~site_builder.site.compiled.Compiled`), as :func:`site_builder.site.render.environment`
does for the site's own templates: Jinja keys each compiled template by its name and a
checksum of its source, so an edited template is compiled again and the output is the same.

Every build also lists the theme's files to copy its static ones (about 14,500 in Material's
folders, each matched against a dozen patterns: 0.1-0.15 s of a live preview's rebuild);
:func:`keep_listed` lists them once per process (a serving process, or one that builds
several sites), again whenever the files of the site's own theme folder
(``templates/overrides``) change.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

from site_builder.site.compiled import Compiled

FOLDER = "theme-jinja"
"""The cache's folder under the work folder."""


def keep_compiled(env: jinja2.Environment, work: Path) -> jinja2.Environment:
    """``env`` (mkdocs' theme environment, at its ``on_env`` event) with its compiled templates
    kept in ``work``'s :data:`FOLDER`."""
    folder = work / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = Compiled(str(folder))
    return env


class ThemeCache(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """The plugin a build adds (the live preview's hook calls :func:`keep_compiled` and
    :func:`keep_listed` itself)."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        return keep_listed(config)

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        return keep_compiled(env, self.work)


def keep_listed(config: MkDocsConfig) -> MkDocsConfig:
    """``config`` (at its ``on_config`` event) whose theme's Jinja environments list the
    theme's files from :data:`_LISTED` once they were listed with the same folders."""
    theme = config.theme
    made = theme.get_env

    def get_env() -> jinja2.Environment:
        env = made()
        folders = tuple(os.path.realpath(folder) for folder in theme.dirs)  # one folder, one key
        key = (folders, tuple(theme.static_templates), _custom_files(theme.custom_dir))
        env.list_templates = partial(_listed, env, key)  # type: ignore[method-assign]
        return env

    theme.get_env = get_env  # type: ignore[method-assign]
    return config


_LISTED: dict[tuple[Any, ...], list[str]] = {}
"""The theme's files as mkdocs lists them (:meth:`jinja2.Environment.list_templates`), by the
theme's folders, static templates and own files."""


def _listed(
    env: jinja2.Environment, key: tuple[Any, ...], extensions: Any = None, filter_func: Any = None
) -> list[str]:
    found = _LISTED.get(key)
    if found is None:
        found = _LISTED[key] = jinja2.Environment.list_templates(env, extensions, filter_func)
    return found


def _custom_files(folder: str | None) -> tuple[str, ...]:
    """The files of the site's own theme folder, by relative path."""
    if folder is None:
        return ()
    return tuple(
        sorted(
            os.path.relpath(os.path.join(root, name), folder)
            for root, _, names in os.walk(folder)
            for name in names
        )
    )
