"""The live preview's regeneration after an edit, in two steps: the pages first, then the files
beside them.

:func:`pages_first` runs the Markdown stages (catalog -> engine -> prose check -> pages) and
writes the docs folder's pages and their own large blocks (asides), which is all mkdocs needs
to show the edit; when the edited files have pages of their own, only those
(:mod:`site_builder.site.first_pages`). The other files (the other pages then, the matrix and
compare fragments, the API and the configurator's data) are made meanwhile in a forked
process (:class:`Later`); the preview
writes them once mkdocs has built the pages (:meth:`Later.written`), then builds again the
pages that place a fragment that changed (about a second later). Both steps together write
exactly what one regeneration wrote before (:func:`regenerate`, which the first build and the
tests run in one go).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.errors import BuildError, CatalogError
from site_builder.site import sidecar, stamp
from site_builder.site.build import (
    BuildReport,
    Files,
    Generated,
    RenderedPage,
    checked_data,
    docs_and_asides,
    rendered_pages,
    shared_markdown_files,
)
from site_builder.site.families import all_pages
from site_builder.site.fragments import Fragment
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo, journaled
from site_builder.site.output import remove_stale, write_file, write_files
from site_builder.site.sitedata import Page
from site_builder.site.store import Store

LOG = logging.getLogger("mkdocs.site_builder")


def regenerate(layout: Layout, memo: Memo | None = None) -> bool:
    """Re-render the docs folder and the files beside it (:func:`pages_first`, then
    :meth:`Later.written` at once); False on any error, reported, the previous files kept."""
    later = pages_first(layout, memo)
    return later is not None and later.written() is not None


def pages_first(
    layout: Layout, memo: Memo | None = None, first: frozenset[str] = frozenset()
) -> Later | None:
    """Re-render the docs folder's pages (with the ``memo`` of the previous regeneration's
    engine answers) and start making the other files (:class:`Later`); on any error, report it
    and keep the previous pages (the preview keeps answering every request whatever the
    catalog holds). When ``first`` names the edited files' own pages and each is a generated
    page, only those are rendered and written now; the other pages are made with the files
    after them (:mod:`site_builder.site.first_pages`)."""
    started = time.perf_counter()
    report = BuildReport(layout.site)
    Store(layout.results).forget_outputs()  # the next build must not keep these pages
    try:
        if memo is not None:
            memo.use_files(stamp.folders_digest([layout.content, layout.templates]))
        with sidecar.reaped_later(), sidecar.stopped_on_failure():
            made = _made(layout, report, memo, first)
    except CatalogError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        _kept(str(exc))
        return None
    except BuildError as exc:
        _kept(str(exc))
        return None
    except Exception as exc:  # the preview must survive any input; the build reports it too
        _kept(f"unexpected {type(exc).__name__}: {exc}")
        return None
    site, mine, rest = made
    with report.stage("write"):  # what no longer is made is removed with the files after it
        write_files(layout.docs, site.docs)
        changed = write_files(layout.fragments, site.asides)
        touch(pages_showing(site.docs, changed, layout.docs))
    LOG.info(f"Regenerated the pages in {time.perf_counter() - started:.1f} s ({report.stages()})")
    pending = sidecar.start(journaled(memo, lambda: _differences(site, mine, rest)))
    return Later(layout, memo, pending, time.perf_counter())


def _made(
    layout: Layout, report: BuildReport, memo: Memo | None, first: frozenset[str]
) -> tuple[Generated, list[RenderedPage], list[Page]]:
    """The pages to write now (and, rendered alone, the same as rendered pages), and the pages
    left to render with the files after them: the ``first`` pages alone when each is a
    generated page (else every page, none left)."""
    data = checked_data(layout, report, memo)
    pages = all_pages(data)
    mine = [page for page in pages if page.path in first]
    if not first or len(mine) != len(first):
        with report.stage("render"):
            docs, asides = shared_markdown_files(layout, data)
        return Generated(layout, data, docs, asides), [], []
    with report.stage("render"):
        data.results.index_cells()  # the memo keeps the shelves: index them here, not in the fork
        rendered = rendered_pages(layout, mine, memo)
    docs = {path: text for path, text, _ in rendered}
    asides = {name: html for _, _, found in rendered for name, html in found.items()}
    rest = [page for page in pages if page.path not in first]
    return Generated(layout, data, docs, asides), rendered, rest


def _kept(why: str) -> None:
    print(f"error: {why}; keeping the previous pages", file=sys.stderr)


@dataclass(frozen=True)
class Differences:
    """What the files beside the pages change on disk: the new or changed files by folder
    (relative path -> bytes), every file each folder should hold, and the pages placing a
    changed fragment (their HTML changes though their Markdown did not)."""

    docs: Files
    docs_names: frozenset[str]
    fragments: Files
    fragment_names: frozenset[str]
    showing: tuple[str, ...]


def _differences(site: Generated, mine: list[RenderedPage], rest: list[Page]) -> Differences:
    """The pages left (``rest``, rendered here beside ``mine``, those of ``site``), the
    fragments, API and data files of the whole (:meth:`Generated.extras`), only those that
    differ from the files on disk sent back (the job of the forked process)."""
    if rest:
        site = _whole(site, mine, rest)
    layout, extras = site.layout, site.extras()
    docs = {**site.docs, **extras.static}
    fragments = _changed(layout.fragments, extras.fragments)
    showing = pages_showing(site.docs, sorted(fragments), layout.docs)
    return Differences(
        _changed(layout.docs, docs if rest else extras.static),
        frozenset(docs),
        fragments,
        frozenset(extras.fragments),
        tuple(page.relative_to(layout.docs).as_posix() for page in showing),
    )


def _whole(site: Generated, mine: list[RenderedPage], rest: list[Page]) -> Generated:
    """``site`` with the ``rest`` of its pages rendered, and its content and assets."""
    layout, data = site.layout, site.data
    theirs = rendered_pages(layout, rest, data.results.recall)
    both = sorted([*mine, *theirs], key=lambda page: page[0])
    docs, asides = docs_and_asides(layout, data, both)
    return Generated(layout, data, docs, asides)


def _changed(folder: Path, files: Files) -> Files:
    """Those of ``files`` whose bytes differ from the file under ``folder`` (or that are not
    there)."""
    found: Files = {}
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = folder / name
        if not path.is_file() or path.read_bytes() != data:
            found[name] = data
    return found


@dataclass
class Later:
    """The files a regeneration makes after its pages, computed in a forked process."""

    layout: Layout
    memo: Memo | None
    pending: sidecar.Pending[tuple[Differences, list[Any]]]
    started: float
    """When the pages were written (:func:`time.perf_counter`)."""

    def written(self) -> list[str] | None:
        """Wait for the files and write those that changed (the pages left for now among
        them), remove those no longer made, and mark the pages placing a changed fragment as
        changed (mkdocs builds them again); the files written (docs folder first, then
        fragments), or None on an error (reported; the previous files kept)."""
        try:
            found, journal = self.pending.result()
        except BuildError as exc:
            _kept(str(exc))
            return None
        if self.memo is not None:
            self.memo.replay(journal)
        layout = self.layout
        for name, data in sorted(found.docs.items()):
            write_file(layout.docs, name, data)
        remove_stale(layout.docs, set(found.docs_names))
        for name, data in sorted(found.fragments.items()):
            write_file(layout.fragments, name, data)
        remove_stale(layout.fragments, set(found.fragment_names))
        touch([layout.docs / name for name in found.showing])
        tidied()
        took = time.perf_counter() - self.started
        changed = [*sorted(found.docs), *sorted(found.fragments)]
        LOG.info(f"Wrote {len(changed)} changed data files and fragments {took:.1f} s later")
        return changed


def tidied() -> None:
    """Collect the young garbage of the regeneration just ended and freeze what is left: the
    cyclic collector then skips the memo's millions of objects (about 2.6 million). Without
    it, a full collection walking them could fall in the next edit's critical path (half a
    second, measured on the first edit after the first build; a full collection here instead
    holds the interpreter for 1.6 s). Frozen objects are still freed when no longer referenced;
    a cycle among them is not: after eight edits a full collection found 386 such objects."""
    gc.collect(1)
    gc.freeze()


def touch(pages: list[Path]) -> None:
    """Mark ``pages`` as changed (mkdocs' dirty build compares modification times)."""
    for page in pages:
        os.utime(page)


def pages_showing(
    docs: Mapping[str, str | bytes], fragments: list[str], folder: Path
) -> list[Path]:
    """The docs pages under ``folder`` whose Markdown places one of the ``fragments`` (files
    under the fragments folder): their HTML changes though their Markdown did not."""
    marks = [Fragment(name.removesuffix(".html"), "", None).placeholder for name in fragments]
    return [
        folder / name
        for name, text in docs.items()
        if name.endswith(".md") and isinstance(text, str) and any(m in text for m in marks)
    ]
