"""mkdocs renders again only the pages whose Markdown changed since the last build.

A build runs mkdocs into its own folder, ``.build/html`` (mkdocs' output before the fragments
and data files are added; the build copies it into the staging folder), and keeps beside it
``.build/html-state.json``: a digest of everything a page's HTML reads beyond its own
Markdown (:func:`shared_digest`: the generated and the project's ``mkdocs.yml``, the theme
overrides, this package's code, the versions of Python and of the distributions it runs on, the
build's epoch, and the list of docs files, since every link between pages resolves against
it), each docs file's digest, and each page's search entries.

The next build, when that digest is unchanged, runs mkdocs ``dirty`` with this plugin, which
decides what is modified by the files' digests (not their modification times): a docs file
whose bytes changed, and every page in the navigation (their titles are in every page's
navigation, and mkdocs knows a page's title only once it read it). The search index of a dirty
build would hold only the pages it rendered, so the plugin keeps every page's entries and
writes the whole index back in mkdocs' page order. mkdocs' warning that a dirty build may
leave navigation inaccurate is dropped: it cannot here, because anything the navigation reads
is in the shared digest.

Otherwise (the first build, any change to the shared inputs, a page added or removed, a build
that failed in mkdocs) it cleans the folder and renders every page. The state is removed
before mkdocs starts and written only when it succeeded, so a failed build renders everything
next time. ``tests/site/test_mkdocs_incremental.py`` holds an incremental build after edits
equal to a clean build, byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

import site_builder
from site_builder.site import stamp, versions

STATE = "html-state.json"
SEARCH = "material/search"
DIRTY_WARNING = "A 'dirty' build is being performed"


@dataclass
class State:
    """What the last successful mkdocs run read: the shared digest, each docs file's digest
    (by ``src_uri``), each page's search entries (by URL)."""

    shared: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    search: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> State | None:
        """The state written at ``path``, or None (none, or unreadable)."""
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            return cls(found["shared"], found["sources"], found["search"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, path: Path) -> None:
        text = json.dumps(
            {"shared": self.shared, "sources": self.sources, "search": self.search},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        path.write_text(text, encoding="utf-8")


def shared_digest(config_file: Path, docs: Path, epoch: int) -> str:
    """SHA-256 of what every page's HTML may read beyond its own Markdown (see the module
    docstring)."""
    digest = hashlib.sha256()
    digest.update(config_file.read_bytes())
    project = config_file.parent / _inherited(config_file)
    digest.update(project.read_bytes() if project.is_file() else b"")
    overrides = project.parent / "templates" / "overrides"
    package = Path(site_builder.__file__).parent
    digest.update(stamp.folders_digest([overrides, package]).encode())
    digest.update(f"{epoch}\n{versions.versions()}\n".encode())
    for path in sorted(docs.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(docs).as_posix()}\n".encode())
    return digest.hexdigest()


def _inherited(config_file: Path) -> str:
    """The ``INHERIT`` path of a generated configuration (empty when there is none)."""
    for line in config_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("INHERIT:"):
            return line.split(":", 1)[1].strip()
    return ""


def sources(docs: Path) -> dict[str, str]:
    """Each docs file's SHA-256, by its path in the docs folder."""
    return {
        path.relative_to(docs).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(docs.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Plan:
    """How this run renders: ``dirty`` (with the last run's ``state``) or everything."""

    dirty: bool
    state: State
    """The state to write when the run succeeds (its search entries filled in by the run)."""
    previous: State | None


def plan(site_dir: Path, config_file: Path, docs: Path, epoch: int, reuse: bool = True) -> Plan:
    """Whether mkdocs may render only what changed into ``site_dir`` (never without
    ``reuse``), and the state this run will leave; the last state is removed now (written
    again on success)."""
    path = state_path(site_dir)
    previous = State.read(path)
    path.unlink(missing_ok=True)
    fresh = State(shared_digest(config_file, docs, epoch), sources(docs))
    dirty = reuse and previous is not None and previous.shared == fresh.shared
    dirty = dirty and site_dir.is_dir()
    return Plan(dirty, fresh, previous if dirty else None)


def state_path(site_dir: Path) -> Path:
    """Where the state of mkdocs' output folder ``site_dir`` is kept (beside it)."""
    return site_dir.parent / STATE


class Incremental(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    """Renders the changed pages and the navigation's, and keeps the whole search index (see
    the module docstring)."""

    def __init__(self, site_dir: Path, run: Plan) -> None:
        self.site_dir = site_dir
        self.run = run
        self.rendered = 0
        self._seen = 0
        self._urls: list[str] = []

    @event_priority(100)  # before the Markdown fork picks the pages it converts
    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        in_nav = {page.file.src_uri for page in nav.pages}
        previous = self.run.previous
        for file in files:
            if previous is not None and file.abs_src_path is not None:
                changed = file.src_uri in in_nav or _changed(file, previous, self.run.state)
                file.is_modified = _modified(file, changed)  # type: ignore[method-assign]
        self._urls = [_page_url(f) for f in files.documentation_pages()]
        return nav

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        plugin = config.plugins.get(SEARCH)
        if plugin is not None:
            entries = plugin.search_index.entries
            self.run.state.search[page.url] = list(entries[self._seen :])
            self._seen = len(entries)
        self.rendered += 1
        return output

    @event_priority(-100)  # after the search plugin wrote its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        state, previous = self.run.state, self.run.previous
        if previous is not None:
            for url in self._urls:
                if url not in state.search and url in previous.search:
                    state.search[url] = previous.search[url]
            index = self.site_dir / "search" / "search_index.json"
            if index.is_file():
                material = json.loads(index.read_text(encoding="utf-8"))
                docs = [e for url in self._urls for e in state.search.get(url, [])]
                whole = {"config": material["config"], "docs": docs}
                index.write_text(json.dumps(whole, separators=(",", ":"), default=str), "utf-8")

    def succeeded(self) -> None:
        """Keep this run's state (mkdocs returned: strict mode fails after ``post_build``)."""
        self.run.state.write(state_path(self.site_dir))


def _changed(file: File, previous: State, state: State) -> bool:
    """Whether a docs file's bytes changed since the last run (a theme file never does: the
    shared digest holds the versions and overrides)."""
    if file.src_uri not in state.sources:
        return False
    return previous.sources.get(file.src_uri) != state.sources[file.src_uri]


def _page_url(file: File) -> str:
    """The URL a page of ``file`` has (``Page.url``: the home page's is empty)."""
    return "" if file.url in (".", "./") else file.url


def _modified(file: File, changed: bool) -> Any:
    """``File.is_modified`` by digest: changed, or not in the output folder."""
    return lambda: changed or not Path(file.abs_dest_path).is_file()


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_WARNING)


@contextlib.contextmanager
def quiet_dirty_warning() -> Iterator[None]:
    """Drop mkdocs' warning about dirty builds (strict mode would fail on it; see the module
    docstring)."""
    logger = logging.getLogger("mkdocs.commands.build")
    found = _DropDirtyWarning()
    logger.addFilter(found)
    try:
        yield
    finally:
        logger.removeFilter(found)
