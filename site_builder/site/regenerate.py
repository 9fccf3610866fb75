"""The live preview's regeneration after an edit, in two steps: the pages first, then the files
beside them.

:func:`pages_first` runs the Markdown stages (catalog -> engine -> prose check -> pages) and
writes the docs folder's pages and their own large blocks (asides), which is all mkdocs needs
to show the edit. The other files (the matrix and compare fragments, the API and the
configurator's data) are made meanwhile in a forked process (:class:`Later`); the preview
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.errors import BuildError, CatalogError
from site_builder.site import first_pages, sidecar, stamp
from site_builder.site.build import BuildReport, Files, Generated, generate
from site_builder.site.fragments import Fragment
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo, journaled
from site_builder.site.output import remove_stale, write_file, write_files
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
    catalog holds). When many pages changed and ``first`` names one of them (the edited files'
    own pages), the others are written with the files made after the pages
    (:mod:`site_builder.site.first_pages`)."""
    started = time.perf_counter()
    report = BuildReport(layout.site)
    Store(layout.results).forget_outputs()  # the next build must not keep these pages
    try:
        if memo is not None:
            memo.use_files(stamp.folders_digest([layout.content, layout.templates]))
        with sidecar.reaped_later():
            site = generate(layout, report, memo=memo)
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
    with report.stage("write"):  # what no longer is made is removed with the files after it
        showing = pages_showing(site.docs, write_files(layout.fragments, site.asides), layout.docs)
        pages, touched = _for_later(layout.docs, site.docs, showing, first)
        write_files(layout.docs, {name: t for name, t in site.docs.items() if name not in pages})
        left = {*touched, *(layout.docs / name for name in pages)}
        touch([page for page in showing if page not in left])
    LOG.info(f"Regenerated the pages in {time.perf_counter() - started:.1f} s ({report.stages()})")
    pending = sidecar.start(journaled(memo, lambda: _differences(site)))
    return Later(layout, site, memo, pending, time.perf_counter(), pages, touched)


def _for_later(
    folder: Path, docs: Files, showing: list[Path], first: frozenset[str]
) -> tuple[Files, list[Path]]:
    """The pages to make after the first build (:func:`first_pages.deferred` of the pages whose
    Markdown changed or that place a changed aside): those whose Markdown changed, with their
    bytes, and the others (to mark as changed then)."""
    if not first:
        return {}, []
    changed = _changed(folder, {name: text for name, text in docs.items() if name.endswith(".md")})
    names = {*changed, *(page.relative_to(folder).as_posix() for page in showing)}
    left = sorted(first_pages.deferred(names, first))
    return (
        {name: changed[name] for name in left if name in changed},
        [folder / name for name in left if name not in changed],
    )


def _kept(why: str) -> None:
    print(f"error: {why}; keeping the previous pages", file=sys.stderr)


@dataclass(frozen=True)
class Differences:
    """What the files beside the pages change on disk: the new or changed files by folder
    (relative path -> bytes) and every file each folder should hold."""

    docs: Files
    docs_names: frozenset[str]
    fragments: Files
    fragment_names: frozenset[str]


def _differences(site: Generated) -> Differences:
    """The fragments, API and data files of ``site`` (:meth:`Generated.extras`), only those
    that differ from the files on disk sent back (the job of the forked process)."""
    layout, extras = site.layout, site.extras()
    docs = {**site.docs, **extras.static}
    return Differences(
        _changed(layout.docs, extras.static),
        frozenset(docs),
        _changed(layout.fragments, extras.fragments),
        frozenset(extras.fragments),
    )


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
    site: Generated
    memo: Memo | None
    pending: sidecar.Pending[tuple[Differences, list[Any]]]
    started: float
    """When the pages were written (:func:`time.perf_counter`)."""
    pages: Files = field(default_factory=dict)
    """Changed pages left for after the first build (:func:`pages_first`'s ``first``)."""
    touched: list[Path] = field(default_factory=list)
    """Pages placing a changed aside, left for after the first build as well."""

    def written(self) -> list[str] | None:
        """Write the pages left for now, wait for the files and write those that changed,
        remove those no longer made, and mark the pages placing a changed fragment as changed
        (mkdocs builds them again); the files written (pages, docs folder, then fragments), or
        None on an error (reported; the previous data files and fragments kept)."""
        for name, data in self.pages.items():
            write_file(self.layout.docs, name, data)
        touch(self.touched)
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
        touch(pages_showing(self.site.docs, sorted(found.fragments), layout.docs))
        tidied()
        took = time.perf_counter() - self.started
        changed = [*sorted(found.docs), *sorted(found.fragments)]
        later = [*self.pages, *(p.relative_to(layout.docs).as_posix() for p in self.touched)]
        pages = f"{len(later)} more pages and " if later else ""
        LOG.info(f"Wrote {pages}{len(changed)} changed data files and fragments {took:.1f} s later")
        return [*later, *changed]


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
