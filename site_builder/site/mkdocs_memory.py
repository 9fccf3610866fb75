"""mkdocs' pages kept small between their conversion and their writing.

``mkdocs.commands.build`` converts every page's Markdown before it writes any page (the
navigation and cross-page links need every page converted), and each page keeps its source
Markdown and its HTML until the build ends. At 10,000 pages that held about 600 MiB in the build
process. This plugin, added by :func:`site_builder.site.mkdocs_run.build`:

* lets go of each page's Markdown once it is converted (only its title is read later, which
  ``render`` has set), and keeps its HTML compressed (``zlib`` level 1, about a sixth of the
  size) until the page is built;
* gives the HTML back first thing when the page is built (before the search plugin indexes it);
* lets go of it once the page is written.

The output is the same bytes: the HTML is only stored compressed in between (a test holds the
built site equal to a plain mkdocs build's, ``tests/site/test_markdown_fork.py``).
"""

from __future__ import annotations

import zlib
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

LEVEL = 1
"""zlib's fastest level: the HTML shrinks about six times at a few ms per page."""


def pack(html: str) -> bytes:
    """``html`` compressed."""
    return zlib.compress(html.encode("utf-8"), LEVEL)


def unpack(packed: bytes) -> str:
    """The HTML :func:`pack` compressed."""
    return zlib.decompress(packed).decode("utf-8")


class PageMemory(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Keeps converted pages compressed until they are built (see the module docstring)."""

    def __init__(self) -> None:
        self._packed: dict[str, bytes] = {}

    @event_priority(-100)  # after every other plugin's page_content
    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        self._packed[page.file.src_uri] = pack(html)
        page.markdown = ""  # not None: mkdocs reads None as "not read yet" (no title)
        return ""

    @event_priority(100)  # before the search plugin reads the HTML
    def on_page_context(
        self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> Any:
        packed = self._packed.pop(page.file.src_uri, None)
        if packed is not None:
            page.content = unpack(packed)
        return context

    @event_priority(-100)  # after every other plugin's post_page
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        page.content = None
        return output
