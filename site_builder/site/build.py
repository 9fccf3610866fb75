"""``build()``: the pipeline, stage by stage.

load and validate the catalog -> run the engine -> build typed page contexts -> render Markdown
(pages, content, API, schemas) -> write the docs folder -> mkdocs (strict) into a staging
folder -> check every link -> swap the staging folder into ``site/``.

Nothing is published unless every stage succeeds: a failure leaves the previous ``site/``
as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog
from site_builder.site import api, content, fragments, links, mkdocs_run, nav, output, render
from site_builder.site.layout import Layout
from site_builder.site.pages import SiteData, all_pages
from site_builder.site.results import compute


@dataclass
class BuildReport:
    """What a build produced, and how long each stage took (seconds)."""

    site: Path
    pages: int = 0
    configurations: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - started


def build(layout: Layout) -> BuildReport:
    """Build the whole site from ``layout``'s inputs into ``layout.site``."""
    report = BuildReport(layout.site)
    with report.stage("load"):
        catalog = load_catalog(layout.catalog)
    with report.stage("engine"):
        results = compute(catalog)
    with report.stage("render"):
        docs = generate_docs(layout, SiteData(catalog, results, layout.content))
        write_docs(layout, docs)
    staging = output.staging_dir(layout.site)
    try:
        with report.stage("mkdocs"):
            mkdocs_run.build(layout.config, staging, build_epoch(catalog))
            fragments.inject_site(staging, layout.fragments)
        with report.stage("links"):
            links.check_site(staging)
    except BaseException:
        output.discard(staging)
        raise
    output.publish(staging, layout.site)
    report.pages = sum(1 for name in docs.docs if name.endswith(".md"))
    report.configurations = len(results.grid)
    return report


@dataclass(frozen=True)
class Generated:
    """The docs folder's files and the HTML fragments, by relative path."""

    docs: dict[str, str | bytes]
    fragments: dict[str, str | bytes]


def generate_docs(layout: Layout, data: SiteData) -> Generated:
    """Every file of the docs folder (pages, content, API and schemas, assets) and fragment."""
    pages = all_pages(data)
    env = render.environment(layout.templates)
    files: dict[str, str | bytes] = {
        p.path: render.render(env, p.template, p.context) for p in pages
    }
    files.update(content.render_content(layout.content, data))
    files.update(api.files(data))
    files.update(assets(layout))
    blocks: dict[str, str | bytes] = {
        f.file: render.render(env, f.template, f.context) for p in pages for f in p.fragments
    }
    return Generated(files, blocks)


def write_docs(layout: Layout, generated: Generated) -> None:
    """Write the docs folder, the fragments and the generated mkdocs configuration."""
    output.write_tree(layout.docs, generated.docs)
    output.write_tree(layout.fragments, generated.fragments)
    text = mkdocs_run.config_text(layout, nav.nav(generated.docs), nav.NOT_IN_NAV)
    if not layout.config.is_file() or layout.config.read_text(encoding="utf-8") != text:
        layout.config.write_text(text, encoding="utf-8")


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
    dates += [c.price.as_of for c in catalog.combos.values() if c.price]
    dates += [m.release_date for m in catalog.models.values() if m.release_date]
    newest = max(dates, default=datetime.date(2025, 1, 1))
    return int(datetime.datetime.combine(newest, datetime.time(), datetime.UTC).timestamp())
