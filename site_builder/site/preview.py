"""The live preview between rebuilds: what ``site-builder serve``'s mkdocs hook does.

mkdocs serves a dirty build: after the first build, it converts and renders only the pages
whose generated Markdown changed (:func:`site_builder.site.output.write_tree` rewrites only
changed files). Around that, a :class:`Session` (one per served layout, kept in this module so
it outlives mkdocs reloading its configuration and hook on every rebuild):

* the hook regenerates the docs' pages before each build
  (:func:`site_builder.site.regenerate.pages_first`, which also marks the pages whose own
  large blocks changed as changed, so their HTML is rendered again) while a forked process
  makes the other files; once the build has shown the pages, a thread writes those files
  (:meth:`~site_builder.site.regenerate.Later.written`: the fragments, the API and the
  configurator's data) and, if any changed, asks for one more build (the pages placing a
  changed fragment). The next edit waits for it. A page placing a fragment not written yet (a
  new combo's) shows :data:`PENDING` until then;
* watches catalog/, content/ and templates/ only, not the generated docs it writes itself
  (each edit used to build twice: once for the edit, once for the docs the first build wrote);
* keeps every page's search entries, so the search index of a dirty build still holds the
  pages it did not render (Material's own merge keeps one changed page only), then splits it
  (:mod:`site_builder.site.search_pieces`) and removes the previous pieces. After the first
  build that runs in a thread while the browser reloads (search answers from the previous
  pieces for the half second it takes);
* polls the watched folders every :data:`POLL_S` seconds (mkdocs polls every 0.5 s);
* keeps the theme's templates compiled and its files listed between builds
  (:mod:`site_builder.site.mkdocs_theme`).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.site import first_pages, mkdocs_theme, search_pieces
from site_builder.site.fragments import inject
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo
from site_builder.site.regenerate import Later, pages_first

SEARCH = "material/search"
POLL_S = 0.1
"""How often the preview looks for edits in catalog/, content/ and templates/ (seconds)."""
LOG = logging.getLogger("mkdocs.site_builder")
_PIECES = re.compile(r"[0-9a-f]{12}")
PENDING = "<p><em>This table is being made; the page reloads once it is.</em></p>"
"""What the preview shows for a fragment not written yet."""
SIGNAL = "preview-written"
"""The folder (in the work folder, watched) where the preview notes that the files it made
after the pages are written: the note asks mkdocs for the build that shows them."""


@dataclass
class Session:
    """The preview's state for one layout (see the module docstring)."""

    layout: Layout
    memo: Memo = field(default_factory=Memo)
    """The engine's answers of the last regeneration (:mod:`site_builder.site.memo`)."""
    search: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Each page's search entries (by page URL), from the last build that rendered it."""
    pages: list[str] = field(default_factory=list)
    """The URLs of the documentation pages of the current build, in mkdocs' order."""
    files: dict[str, str] = field(default_factory=dict)
    """The digest of each file of the catalog, content and templates the docs were last
    generated from (:func:`first_pages.file_digests`)."""
    _seen: int = 0
    _rendered: int = 0
    _started: float = 0.0
    _reading: dict[str, str] = field(default_factory=dict)
    _stub: str | None = None
    """The search index stub naming the current pieces (None before the first build)."""
    _splitting: threading.Thread | None = None
    _later: Later | None = None
    """The files the last regeneration makes after its pages, until a thread writes them."""
    _writing: threading.Thread | None = None

    def changed(self) -> bool:
        """Whether the catalog, content or templates changed since the docs were generated
        (mkdocs' first build comes right after ``serve`` generated them)."""
        self._reading = first_pages.file_digests(self.layout)
        return self._reading != self.files

    def regenerated(self, done: bool) -> bool:
        """Record that the docs were (``done``) generated from the inputs :meth:`changed` read;
        pass ``done`` on."""
        if done:
            self.files = self._reading
        return done

    def on_pre_build(self, config: Any) -> None:
        """A build starts: once the files of the last edit are written, regenerate the pages
        if the catalog, content or templates changed (the edited files' own pages first,
        :mod:`~site_builder.site.first_pages`); the pages' search entries come next."""
        self.written()
        if self.changed():
            edited = first_pages.edited(self.files, self._reading) if self.files else []
            first = first_pages.own_pages(edited)
            self._later = pages_first(self.layout, self.memo, first)
            self.regenerated(self._later is not None)
        self._seen, self._rendered, self._started = 0, 0, time.perf_counter()

    def written(self) -> None:
        """Wait until the files the last regeneration made after its pages are written (write
        them now if the build that was to show its pages failed)."""
        if self._writing is not None:
            self._writing.join()
            self._writing = None
        later, self._later = self._later, None
        if later is not None:
            later.written()

    def _write_later(self, later: Later) -> None:
        """Write the files made after the pages, then ask for the build that shows them (a
        note in the watched :data:`SIGNAL` folder) if any changed."""
        if later.written():
            signal = self.layout.work / SIGNAL
            signal.mkdir(parents=True, exist_ok=True)
            (signal / "written").write_text(f"{time.time_ns()}\n", encoding="utf-8")

    def on_files(self, files: Any, config: Any) -> Any:
        self.pages = [f.url for f in files.documentation_pages()]
        return files

    def on_config(self, config: Any) -> Any:
        return mkdocs_theme.keep_listed(config)

    def on_env(self, env: Any, config: Any, files: Any) -> Any:
        return mkdocs_theme.keep_compiled(env, self.layout.work)

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        plugin = config.plugins.get(SEARCH)
        if plugin is not None:
            entries = plugin.search_index.entries
            self.search[page.url] = list(entries[self._seen :])
            self._seen = len(entries)
        self._rendered += 1
        return inject(output, self.layout.fragments, missing=PENDING)

    def on_post_build(self, config: Any) -> None:
        """Give the site the search index of every page (see the module docstring)."""
        self.settled()
        took = time.perf_counter() - self._started
        LOG.info(f"mkdocs rendered {self._rendered} pages in {took:.1f} s")
        later, self._later = self._later, None
        if later is not None:
            self._writing = threading.Thread(target=self._write_later, args=(later,), daemon=True)
            self._writing.start()
        site = Path(config["site_dir"])
        index = site / search_pieces.INDEX
        if not index.is_file():
            return
        material = json.loads(index.read_text(encoding="utf-8"))
        docs = [e for url in self.pages for e in self.search.get(url, [])]
        whole = {"config": material["config"], "docs": docs}
        if self._stub is None:
            self._split(site, whole)
            return
        index.write_text(self._stub, encoding="utf-8")  # the previous pieces meanwhile
        self._splitting = threading.Thread(target=self._split, args=(site, whole), daemon=True)
        self._splitting.start()

    def on_shutdown(self) -> None:
        """mkdocs is about to remove its temporary site folder: let the threads still writing
        the last edit's files and search pieces finish first (a removal racing them failed
        with "Directory not empty", printed a traceback and left the folder behind)."""
        self.settled()
        if self._writing is not None:
            self._writing.join()
            self._writing = None

    def settled(self) -> None:
        """Wait until the search index of the last build is written."""
        if self._splitting is not None:
            self._splitting.join()
            self._splitting = None

    def _split(self, site: Path, index: dict[str, Any]) -> None:
        self._stub = search_pieces.write_pieces(site, index)
        _remove_old_pieces((site / search_pieces.INDEX).parent, json.loads(self._stub))

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        server.unwatch(config.docs_dir)
        signal = self.layout.work / SIGNAL
        signal.mkdir(parents=True, exist_ok=True)
        server.watch(str(signal))
        observer = server.observer
        if hasattr(observer, "_timeout"):  # watchdog's polling observer: the folders added next
            observer._timeout = POLL_S
        return server


def _remove_old_pieces(folder: Path, index: dict[str, Any]) -> None:
    """Remove the pieces folders of earlier builds (each build names its own by a digest)."""
    current = index["config"]["pieces"]["folder"]
    for path in folder.iterdir():
        if path.is_dir() and _PIECES.fullmatch(path.name) and path.name != current:
            shutil.rmtree(path)


_SESSIONS: dict[Layout, Session] = {}


def session(layout: Layout) -> Session:
    """The preview session of ``layout`` (the same object on every rebuild)."""
    return _SESSIONS.setdefault(layout, Session(layout))
