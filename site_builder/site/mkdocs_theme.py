"""mkdocs' theme templates kept compiled between builds.

mkdocs makes a new Jinja environment for its theme on every build and compiles the templates
it renders (Material's ``base.html``, ``main.html`` and their partials, about 56) from their
source each time: about a third of a second of every build, most of what mkdocs does in a live
preview's rebuild of one page. :func:`keep_compiled` gives that environment a bytecode cache in
the work folder (``.build/theme-jinja/``), as :func:`site_builder.site.render.environment`
does for the site's own templates: Jinja keys each compiled template by its name and a
checksum of its source, so an edited template is compiled again and the output is the same.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files

FOLDER = "theme-jinja"
"""The cache's folder under the work folder."""


def keep_compiled(env: jinja2.Environment, work: Path) -> jinja2.Environment:
    """``env`` (mkdocs' theme environment, at its ``on_env`` event) with its compiled templates
    kept in ``work``'s :data:`FOLDER`."""
    folder = work / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    return env


class ThemeCache(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """The plugin a build adds (the live preview's hook calls :func:`keep_compiled` itself)."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        return keep_compiled(env, self.work)
