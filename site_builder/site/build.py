"""``build()``: the pipeline, stage by stage.

load and validate the catalog -> run the engine -> build typed page contexts -> render Markdown
(pages, content, API, schemas) -> write the docs folder -> mkdocs (strict) into a staging
folder -> check every link -> swap the staging folder into ``site/``.

Nothing is published unless every stage succeeds: a failure leaves the previous ``site/``
as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog
from site_builder.site import api, content, links, mkdocs_run, nav, output, render
from site_builder.site.layout import Layout
from site_builder.site.pages import Page, SiteData, all_pages
from site_builder.site.results import compute


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    site: Path
    pages: int
    configurations: int


def build(layout: Layout) -> BuildReport:
    """Build the whole site from ``layout``'s inputs into ``layout.site``."""
    catalog = load_catalog(layout.catalog)
    results = compute(catalog)
    data = SiteData(catalog, results, layout.content)
    docs = generate_docs(layout, data)
    write_docs(layout, docs)
    staging = output.staging_dir(layout.site)
    try:
        mkdocs_run.build(layout.config, staging, build_epoch(catalog))
        links.check_site(staging)
    except BaseException:
        output.discard(staging)
        raise
    output.publish(staging, layout.site)
    pages = sum(1 for name in docs if name.endswith(".md"))
    return BuildReport(layout.site, pages, len(results.grid))


def generate_docs(layout: Layout, data: SiteData) -> dict[str, str | bytes]:
    """Every file of the docs folder: rendered pages, content, API and schemas, assets."""
    pages = all_pages(data)
    files: dict[str, str | bytes] = render_pages(layout, pages)
    files.update(content.render_content(layout.content, data))
    files.update(api.files(data))
    files.update(assets(layout))
    return files


def render_pages(layout: Layout, pages: list[Page]) -> dict[str, str | bytes]:
    """Markdown of every generated page."""
    env = render.environment(layout.templates)
    return {page.path: render.render(env, page.template, page.context) for page in pages}


def write_docs(layout: Layout, docs: dict[str, str | bytes]) -> None:
    """Write the docs folder and the generated mkdocs configuration."""
    output.write_tree(layout.docs, docs)
    text = mkdocs_run.config_text(layout, nav.nav(docs), nav.NOT_IN_NAV)
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
