"""``build()``: the pipeline, stage by stage.

:func:`generate` (load and validate the catalog -> evaluate every engine result and
recommendation once, :mod:`site_builder.site.evaluate` -> the editorial checks that need the
engine, :mod:`site_builder.site.checks` (typed figures, stacks that do not run, unexplained
outliers, all reported at once) -> render pages, content, API files and fragments from the
frozen results) -> write the docs folder -> mkdocs (strict; only the changed pages after the
first build, :mod:`site_builder.site.mkdocs_incremental`) -> its output copied into a
staging folder -> add the fragments and data files -> check every link -> swap the staging
folder into ``site/``. The data files (API, configurator tables) are written by processes
started as soon as the results are frozen; the fragments by one started when the pages are
rendered.

Nothing is published unless every stage succeeds: a failure leaves the previous ``site/``
as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import resource
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog
from site_builder.site import (
    api,
    browser_engine,
    checks,
    content,
    fragments,
    links,
    lock,
    mkdocs_run,
    nav,
    output,
    render,
    reuse,
    search_pieces,
    sidecar,
    sitemap,
    stamp,
    urls,
)
from site_builder.site.costs import price_dates
from site_builder.site.evaluate import evaluate
from site_builder.site.families import FAMILIES, FORKED, all_fragments, all_pages
from site_builder.site.fragments import Fragment
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo, answers_only, journaled, kept
from site_builder.site.sitedata import Family, Page, SiteData


@dataclass
class BuildReport:
    """What a build produced, and how long each stage took (seconds)."""

    site: Path
    pages: int = 0
    configurations: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds of each stage: this process's and its workers' that ended during it (a
    worker is counted in the stage that waits for it)."""
    reused: int = 0
    """How many combos' engine results came from the last build (unchanged inputs:
    :meth:`~site_builder.site.store.Store.reuse`)."""
    rendered: int = 0
    """How many pages mkdocs rendered (only those whose Markdown changed, after the first
    build: :mod:`site_builder.site.mkdocs_incremental`)."""
    up_to_date: bool = False
    """Nothing the build reads or wrote had changed since the last one, so it built nothing
    (:mod:`site_builder.site.stamp`)."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (a stage entered twice adds up)."""
        started, cpu = time.perf_counter(), cpu_seconds()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu_seconds() - cpu

    def stages(self) -> str:
        """Each stage's wall and CPU seconds, in order (``engine 17.2 s (CPU 30 s)``)."""
        return ", ".join(
            f"{name} {seconds:.1f} s (CPU {self.cpu.get(name, 0.0):.0f} s)"
            for name, seconds in self.timings.items()
        )


def cpu_seconds() -> float:
    """User and system CPU seconds of this process and of its ended, waited-for workers."""
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return sum(r.ru_utime + r.ru_stime for r in (own, workers))


def build(layout: Layout) -> BuildReport:
    """Build the whole site from ``layout``'s inputs into ``layout.site`` (one build at a time
    per site and work folder: :mod:`site_builder.site.lock`). When nothing it reads or wrote
    has changed since the last build, the site is already what it would build: it stops there
    (:mod:`site_builder.site.stamp`)."""
    with lock.exclusive(layout), sidecar.stopped_on_failure():
        output.prepare_site_folder(layout.site)
        inputs = stamp.inputs_digest(layout)
        last = stamp.up_to_date(layout, inputs)
        if last is not None:
            return BuildReport(layout.site, last.pages, last.configurations, up_to_date=True)
        stamp.forget(layout)
        report = _build(layout)
        stamp.record(layout, inputs, report.pages, report.configurations)
        return report


def _build(layout: Layout) -> BuildReport:
    report = BuildReport(layout.site)
    catalog = loaded(layout, report)
    staging = output.staging_dir(layout.site)
    try:
        # the writers of what reads the catalog alone run until the extras stage waits for them
        # with the others (no wait outside a stage)
        with sidecar.all_computed(catalog_writers(layout, catalog)) as early:
            data = reuse.carried(evaluated(layout, report, catalog))
            site = _pages(layout, data, report, early)
        with report.stage("extras"):
            # the search index's pieces worked out in a new interpreter while the pages are
            # copied (a fork would start with all of this process's memory: at 10,000 pages it
            # was the largest worker, 1.4 GiB)
            stub = sidecar.spawned(search_pieces.pieces_into, staging, layout.html)
            output.merge(layout.html, staging)
            output.link_tree(layout.catalog_data, staging)
            output.link_tree(layout.extras, staging)
            fragments.inject_site(staging, layout.fragments)
            search_pieces.write_stub(staging, stub.result())
            sitemap.rewrite(staging, site.dates)
        with report.stage("links"):
            links.check_site(staging)
    except BaseException:
        output.discard(staging)
        raise
    output.publish(staging, layout.site)
    if data.results.store is not None:
        data.results.store.record()
    report.pages = sum(1 for name in site.paths if name.endswith(".md"))
    report.configurations = data.results.size()
    report.reused = len(data.results.store.reusable) if data.results.store else 0
    return report


def _pages(
    layout: Layout, data: SiteData, report: BuildReport, early: list[sidecar.Pending[list[str]]]
) -> Written:
    """Render and write every page, then mkdocs; meanwhile the data files and the fragments
    are written in other processes, and the extras stage waits for them and the ``early``
    ones."""
    with sidecar.all_computed(data_writers(layout, data)) as writing:
        site = streamed(layout, data, report)
        with report.stage("write"):
            write_config(layout, site.paths)
        with sidecar.all_computed(page_writers(layout, data, site)) as more:
            with report.stage("mkdocs"):
                data.results.let_rows_go()  # rendered: mkdocs' forks need not start with them
                report.rendered = mkdocs_run.build(
                    layout.config, layout.html, build_epoch(data.catalog)
                )
            with report.stage("extras"):  # every wait here, none outside a stage
                for job in [*early, *writing, *more]:
                    job.result()
    return site


@dataclass(frozen=True)
class Generated:
    """The docs folder (what mkdocs reads) and the frozen results; :meth:`extras` renders the
    files mkdocs does not see (the build renders them in a second process while mkdocs
    runs)."""

    layout: Layout
    data: SiteData
    docs: Files
    asides: Files
    """The pages' own large HTML blocks (:func:`fragments.set_aside`), by fragment file."""

    def extras(self) -> Extras:
        """The matrix fragments and the per-combo estimate tables."""
        return Extras(self.fragments(), self.static())

    def fragments(self) -> Files:
        """The matrix and compare fragments, and the pages' asides."""
        return {**fragment_files(self.layout, self.data), **self.asides}

    def static(self) -> Files:
        """The API and the browser's engine (:func:`static_files`)."""
        return static_files(self.data)


def static_files(data: SiteData) -> Files:
    """The API and the files of the configurator's engine in the browser."""
    return {**catalog_files(data.catalog), **results_files(data)}


def catalog_files(catalog: Catalog) -> Files:
    """What reads the catalog only: the API's index, entity files and schemas, and the engine
    in the browser (Pyodide, the engine's modules, the catalog snapshot)."""
    return {**api.catalog_files(catalog), **browser_engine.files(catalog)}


def results_files(data: SiteData) -> Files:
    """The API files of the engine's results: matrix briefs, recommendations, the per-combo
    estimate tables."""
    return {path: text for path, text in results_stream(data) if text is not None}


def results_stream(
    data: SiteData, folder: Path | None = None
) -> Iterator[tuple[str, str | bytes | None]]:
    """:func:`results_files`, the estimate tables made and handed on one combo at a time
    (those of unchanged combos kept in ``folder``: :func:`api.combo_stream`)."""
    yield from api.brief_files(data)
    yield from api.combo_stream(data, folder)


def generate(
    layout: Layout, report: BuildReport | None = None, memo: Memo | None = None
) -> Generated:
    """The stages before mkdocs, shared by ``build``, ``serve`` and the golden tests: load
    and validate the catalog -> evaluate every engine result once (``serve`` keeps a
    :class:`~site_builder.site.memo.Memo` of the answers between edits) -> the prose check ->
    render pages, content and the small API files (reading the frozen results only)."""
    report = report or BuildReport(layout.site)
    return rendered(layout, evaluated(layout, report, loaded(layout, report), memo), report)


def checked_data(layout: Layout, report: BuildReport, memo: Memo | None = None) -> SiteData:
    """:func:`generate` up to the render stage: loaded, evaluated and the prose check done
    (the live preview renders the edited page first, :mod:`site_builder.site.regenerate`)."""
    data = evaluated(layout, report, loaded(layout, report), memo)
    checked(layout, data, report)
    return data


def loaded(layout: Layout, report: BuildReport) -> Catalog:
    """Load and validate the catalog."""
    with report.stage("load"):
        return load_catalog(layout.catalog)


def evaluated(
    layout: Layout, report: BuildReport, catalog: Catalog, memo: Memo | None = None
) -> SiteData:
    """Evaluate every engine result once (a build of a large catalog stores each combo's
    results in the work folder as they are complete, and takes those of unchanged combos from
    the last build: :func:`~site_builder.site.reuse.store_for`)."""
    with report.stage("engine"):
        store = reuse.store_for(layout, catalog, build_epoch(catalog)) if memo is None else None
        results = evaluate(catalog, layout.content, memo=memo, store=store)
    return SiteData(catalog, results, layout.content)


def rendered(layout: Layout, data: SiteData, report: BuildReport) -> Generated:
    """The prose check, then the pages and content rendered from the frozen results."""
    checked(layout, data, report)
    with report.stage("render"):
        docs, asides = shared_markdown_files(layout, data)
    return Generated(layout, data, docs, asides)


def streamed(layout: Layout, data: SiteData, report: BuildReport) -> Written:
    """:func:`rendered` for a build: the prose check, then the pages written as they are
    rendered (:func:`written`)."""
    checked(layout, data, report)
    with report.stage("render"):
        return written(layout, data)


def checked(layout: Layout, data: SiteData, report: BuildReport) -> None:
    """The checks that need the engine's results (the prose check and its kin)."""
    with report.stage("prose"):
        checks.check(data, layout.catalog)


Files = dict[str, str | bytes]


@dataclass(frozen=True)
class Extras:
    """Files mkdocs does not need: HTML fragments and large static data, by relative path."""

    fragments: Files
    static: Files


def markdown_files(layout: Layout, data: SiteData, pages: list[Page]) -> tuple[Files, Files]:
    """The docs folder (rendered pages, content, assets) and the pages' asides."""
    return docs_and_asides(layout, data, rendered_pages(layout, pages))


def shared_markdown_files(layout: Layout, data: SiteData) -> tuple[Files, Files]:
    """:func:`markdown_files` of every page, the :data:`~families.FORKED` families rendered in
    a forked process meanwhile (only their text comes back); with a memo (the live preview),
    every other page it cannot keep instead (an edit leaves a few pages of any family to
    make). The same files in the same order as one process renders."""
    memo = data.results.recall
    mine_of: Callable[[], list[Page]]
    theirs_of: Callable[[], list[Page]]
    if memo is None:
        others = [family for family in FAMILIES if family not in FORKED]
        mine_of = partial(_pages_of, data, others)
        theirs_of = partial(_pages_of, data, FORKED)
    else:
        data.results.index_cells()  # the memo keeps the shelves: index them here, not in the fork
        mine_pages, their_pages = shared_out(memo, all_pages(data))
        mine_of, theirs_of = (lambda: mine_pages), (lambda: their_pages)
    forked = sidecar.start(journaled(memo, lambda: rendered_pages(layout, theirs_of(), memo)))
    mine = rendered_pages(layout, mine_of(), memo)
    theirs, journal = forked.result()
    if memo is not None:
        memo.replay(journal)
    both = sorted([*mine, *theirs], key=lambda page: page[0])
    return docs_and_asides(layout, data, both)


def _pages_of(data: SiteData, families: list[Family]) -> list[Page]:
    return by_combo(all_pages(data, families))


def shared_out(memo: Memo, pages: list[Page]) -> tuple[list[Page], list[Page]]:
    """(this process's ``pages``, a forked one's): every other page the ``memo`` cannot keep
    goes to the fork, in ``pages``' order (so each family is shared evenly); the kept ones
    stay here."""
    made = [
        p
        for p in pages
        if p.combos is None or not memo.holds(_key(p), p.combos, p.text, p.names, p.answers)
    ]
    theirs = {page.path for page in made[1::2]}
    return [p for p in pages if p.path not in theirs], [p for p in pages if p.path in theirs]


def _key(page: Page) -> tuple[str, ...]:
    return ("page", page.path)


def by_combo(pages: list[Page]) -> list[Page]:
    """``pages`` in the order they are best rendered: the pages of one combo together (a
    build reads each combo's results back from its store, keeping a few), the others
    first."""
    return sorted(pages, key=lambda page: page.combos[0] if page.combos else "")


@dataclass(frozen=True)
class Written:
    """What a build keeps of its pages once written: the docs folder's files, each page's
    newest date (its sitemap ``lastmod``, :func:`sitemap.newest_date`) by URL, and the asides'
    fragment files."""

    paths: list[str]
    dates: dict[str, str]
    asides: list[str]


def written(layout: Layout, data: SiteData) -> Written:
    """:func:`shared_markdown_files` for a build: each process writes its pages into the docs
    folder, and their asides into the fragments folder, as it renders them, and keeps only
    their paths and dates, so no process holds the site's Markdown (at 3,000 pages it held
    about 190 MB); then the content pages and assets, and stale files removed."""
    others = [family for family in FAMILIES if family not in FORKED]
    forked = sidecar.start(lambda: _write_pages(layout, data, by_combo(all_pages(data, FORKED))))
    marks = [*_write_pages(layout, data, by_combo(all_pages(data, others))), *forked.result()]
    shared = {**content.render_content(layout.content, data), **assets(layout)}
    for path, text in shared.items():
        output.write_file(layout.docs, path, text)
        if path.endswith(".md") and isinstance(text, str):
            marks.append((path, sitemap.newest_date([text]), []))
    paths = sorted({*(path for path, _, _ in marks), *shared})
    output.remove_stale(layout.docs, set(paths))
    dates = {urls.site_url(path): date for path, date, _ in marks if date is not None}
    return Written(paths, dates, [aside for _, _, asides in marks for aside in asides])


def _write_pages(layout: Layout, data: SiteData, pages: list[Page]) -> list[reuse.PageMark]:
    """Render and write each of ``pages`` (:func:`written`), but those the last build wrote
    from combos unchanged since (:meth:`SiteData.carries`)."""
    env = render.environment(layout.templates, layout.compiled)
    marks = []
    for page in pages:
        mark = reuse.kept_page(layout, page.path) if data.carries(page.combos) else None
        if mark is not None:
            marks.append(mark)
            continue
        text = render.render(env, page.template, page.made(), page.path)
        body, asides = fragments.set_aside(page.path, text)
        output.write_file(layout.docs, page.path, body)
        for file, aside in asides.items():
            output.write_file(layout.fragments, file, aside)
        marks.append((page.path, sitemap.newest_date([body, *asides.values()]), list(asides)))
    return marks


RenderedPage = tuple[str, str, dict[str, str]]
"""A page's path, its Markdown with the large blocks set aside, and those asides."""


def rendered_pages(
    layout: Layout, pages: list[Page], memo: Memo | None = None
) -> list[RenderedPage]:
    """Each page rendered (in ``pages``' order), its large HTML blocks set aside; with a
    ``memo``, a page that reads known combos only is taken from it while they are unchanged."""
    env = render.environment(layout.templates, layout.compiled)

    def made(page: Page) -> RenderedPage:
        text = render.render(env, page.template, page.made(), page.path)
        return (page.path, *fragments.set_aside(page.path, text))

    return [
        made(page)
        if page.combos is None
        else kept(
            memo, _key(page), page.combos, partial(made, page), page.text, page.names, page.answers
        )
        for page in pages
    ]


def docs_and_asides(
    layout: Layout, data: SiteData, pages: list[RenderedPage]
) -> tuple[Files, Files]:
    """The docs folder (the rendered pages, content, assets) and the pages' asides."""
    files: Files = {}
    asides: Files = {}
    for path, text, found in pages:
        files[path] = text
        asides.update(found)
    files.update(content.render_content(layout.content, data))
    files.update(assets(layout))
    return files, asides


def fragment_files(layout: Layout, data: SiteData) -> Files:
    """The matrix and compare fragments (mkdocs never reads them)."""
    return {file: text for file, text in fragment_stream(layout, data) if text is not None}


def fragment_stream(layout: Layout, data: SiteData) -> Iterator[tuple[str, str | bytes | None]]:
    """:func:`fragment_files` made one at a time (a build writes each as it is made; None:
    the last build's file is kept, :meth:`SiteData.carries`)."""
    env = render.environment(layout.templates, layout.compiled)
    memo = data.results.recall

    def rendered(fragment: Fragment) -> str:
        return render.render(env, fragment.template, fragment.made())

    for f in all_fragments(data):
        if data.carries(f.combos) and (layout.fragments / f.file).is_file():
            yield f.file, None  # the last build's
            continue
        yield f.file, answers_only(memo, ("fragment", f.key), f.combos, partial(rendered, f))


def write_config(layout: Layout, docs: Collection[str]) -> None:
    """Write the mkdocs configuration of a docs folder holding ``docs`` (paths)."""
    text = mkdocs_run.config_text(layout, nav.nav(docs), nav.NOT_IN_NAV)
    if not layout.config.is_file() or layout.config.read_text(encoding="utf-8") != text:
        layout.config.write_text(text, encoding="utf-8")


def catalog_writers(layout: Layout, catalog: Catalog) -> list[Callable[[], list[str]]]:
    """The job that writes the data files of the catalog alone (:func:`catalog_files`), in
    its own process while the engine runs and the pages render (at a lower priority: it takes
    what the other processes leave of the cores)."""
    return [lambda: output.write_tree(layout.catalog_data, catalog_files(catalog))]


def data_writers(layout: Layout, data: SiteData) -> list[Callable[[], list[str]]]:
    """The job that writes the data files of the results no page needs, in its own process,
    started as soon as the results are frozen (while pages render and mkdocs runs): the combos
    a small catalog's build kept in memory into the store, for the next build
    (:func:`~site_builder.site.reuse.stored_for_later`), then the API's recommendations and the
    combos' estimate tables (the only reader of the other context lengths)."""

    def job() -> list[str]:
        reuse.stored_for_later(data.results)
        return output.write_stream(layout.extras, results_stream(data, layout.extras))

    return [job]


def page_writers(layout: Layout, data: SiteData, site: Written) -> list[Callable[[], list[str]]]:
    """The job that renders and writes the matrix and compare fragments, in its own process
    while mkdocs runs (the pages' asides are already written)."""
    stream = fragment_stream(layout, data)
    return [lambda: output.write_stream(layout.fragments, stream, keep=site.asides)]


def assets(layout: Layout) -> dict[str, str | bytes]:
    """Static files (CSS, JavaScript) copied from ``templates/assets/``."""
    if not layout.assets.is_dir():
        return {}
    return {
        f"assets/{path.relative_to(layout.assets).as_posix()}": path.read_bytes()
        for path in sorted(layout.assets.rglob("*"))
        if path.is_file()
    }


def build_epoch(catalog: Catalog) -> int:
    """The build's timestamp: the newest date in the catalog, so two builds are identical."""
    dates = [b.measured_on for b in catalog.benchmarks.values() if b.measured_on]
    dates += price_dates(catalog)
    dates += [m.release_date for m in catalog.models.values() if m.release_date]
    newest = max(dates, default=datetime.date(2025, 1, 1))
    return int(datetime.datetime.combine(newest, datetime.time(), datetime.UTC).timestamp())
