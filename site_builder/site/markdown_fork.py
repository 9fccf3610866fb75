"""mkdocs' Markdown conversion on two cores: every other page converted in a forked process,
the others meanwhile in this one.

mkdocs converts each page's Markdown in turn (``Page.render``: Python-Markdown with its
extensions and mkdocs' link and anchor processors), about half of a build's mkdocs time. This
plugin, added by :func:`site_builder.site.mkdocs_run.build`, forks when the navigation is
known: the child converts every other page to be rendered (all of them, or in an incremental
build the modified ones, :mod:`~site_builder.site.mkdocs_incremental`) exactly as
``Page.render`` would and sends back what ``render`` sets (the HTML, table of contents,
title, anchors, links to other pages' anchors) with the warnings it logged; the parent
converts the other pages the same way at the same time (it used to wait for the child at its
first page and convert its own in turn after: one core's work at a time). When mkdocs then
renders each page, its ``render`` takes what was converted instead of converting again, and
re-logs its warnings at that moment, so strict mode, the warnings' order and every byte of the
output are as one process makes them (a test holds a build with the fork equal to one
without).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from site_builder.site import sidecar
from site_builder.site.mkdocs_memory import pack, unpack


@dataclass(frozen=True)
class Rendered:
    """What ``Page.render`` sets on a page, and the warnings it logged (logger, level, text)."""

    content: bytes | None
    """The HTML, compressed (:func:`~site_builder.site.mkdocs_memory.pack`): the child holds
    half the site's pages until it sends them, and the parent until it builds them."""
    toc: Any
    title: str | None
    anchors: set[str] | None
    links: dict[str, dict[str, str]] | None
    """Links to other pages' anchors, by the linked file's ``src_uri``."""
    warnings: list[tuple[str, int, str]]


class MarkdownFork(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Converts every other page in a forked process, and meanwhile the others in this one
    (see the module docstring)."""

    def __init__(self) -> None:
        self._pending: sidecar.Pending[dict[str, Rendered]] | None = None
        self._done: dict[str, Rendered] = {}
        self._converting = False

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        pages = [f for f in files.documentation_pages() if f.is_modified()]
        self._pending = sidecar.start(lambda: dict(_converted(pages[1::2], config, files)))
        self._converting = True  # this process's pages, while the fork converts the others
        try:
            self._done = dict(_converted(pages[::2], config, files))
        finally:
            self._converting = False
        return nav

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self._converting:
            return markdown
        uri = page.file.src_uri
        if self._pending is not None and uri not in self._done:
            self._done |= self._pending.result()
            self._pending = None
        found = self._done.pop(uri, None)
        if found is not None:
            page.render = lambda config, files: _install(page, found, files)  # type: ignore[method-assign]
        return markdown


def _converted(
    theirs: Sequence[File], config: MkDocsConfig, files: Files
) -> Iterator[tuple[str, Rendered]]:
    """(src_uri, what ``render`` set) of each page of ``theirs``, as the build loop would
    convert it (source read, ``page_markdown`` events run, then rendered)."""
    for file in theirs:
        page = file.page or Page(None, file, config)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown or "", page=page, config=config, files=files
        )
        with _warnings() as logged:
            page.render(config, files)
        links = page.links_to_anchors
        html, page.content, page.markdown = page.content, None, ""
        yield (
            file.src_uri,
            Rendered(
                None if html is None else pack(html),
                page.toc,
                page._title_from_render,
                page.present_anchor_ids,
                None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
                logged,
            ),
        )


def _install(page: Page, found: Rendered, files: Files) -> None:
    """Set what ``render`` would have set on ``page``, and log its warnings now."""
    page.content = None if found.content is None else unpack(found.content)
    page.toc = found.toc
    page._title_from_render = found.title
    page.present_anchor_ids = found.anchors
    if found.links is not None:
        page.links_to_anchors = {}
        for uri, links in found.links.items():
            linked = files.get_file_from_path(uri)
            if linked is not None:
                page.links_to_anchors[linked] = links
    for name, level, text in found.warnings:
        logging.getLogger(name).log(level, text)


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def _warnings() -> Iterator[list[tuple[str, int, str]]]:
    """Record what mkdocs logs in the ``with`` body (in the child, instead of reporting it)."""
    logger = logging.getLogger("mkdocs")
    recorder = _Recorder()
    saved = list(logger.handlers)
    logger.handlers = [recorder]
    try:
        yield recorder.records
    finally:
        logger.handlers = saved
