"""Where the build reads and writes, relative to the project root."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """Inputs (catalog, content, templates, mkdocs.yml) and outputs (work folder, site)."""

    catalog: Path
    content: Path
    templates: Path
    mkdocs_yml: Path
    work: Path
    site: Path

    @classmethod
    def at(
        cls,
        root: Path,
        *,
        catalog: Path | None = None,
        content: Path | None = None,
        site: Path | None = None,
        work: Path | None = None,
    ) -> Layout:
        """The standard layout of a project checked out at ``root`` (paths made absolute, since
        mkdocs resolves relative ones against its configuration file)."""
        root = root.resolve()
        return cls(
            catalog=(catalog or root / "catalog").resolve(),
            content=(content or root / "content").resolve(),
            templates=root / "templates",
            mkdocs_yml=root / "mkdocs.yml",
            work=(work or root / ".build").resolve(),
            site=(site or root / "site").resolve(),
        )

    @property
    def docs(self) -> Path:
        """Generated Markdown (mkdocs' docs_dir)."""
        return self.work / "docs"

    @property
    def fragments(self) -> Path:
        """HTML blocks injected into the built pages."""
        return self.work / "fragments"

    @property
    def extras(self) -> Path:
        """Static files added to the built site beside mkdocs' output (large data tables)."""
        return self.work / "extras"

    @property
    def catalog_data(self) -> Path:
        """Static files of the catalog alone (API entities, schemas, the browser engine),
        added to the built site like extras."""
        return self.work / "catalog-data"

    @property
    def results(self) -> Path:
        """The engine's results of the build in progress, one file per combo
        (:mod:`site_builder.site.store`)."""
        return self.work / "results"

    @property
    def compiled(self) -> Path:
        """Compiled Jinja templates, kept between builds
        (:func:`site_builder.site.render.environment`)."""
        return self.work / "jinja"

    @property
    def html(self) -> Path:
        """mkdocs' own output, kept between builds so the next renders only changed pages
        (:mod:`site_builder.site.mkdocs_incremental`); the build copies it into the site."""
        return self.work / "html"

    @property
    def config(self) -> Path:
        """The generated mkdocs configuration."""
        return self.work / "mkdocs.yml"

    @property
    def assets(self) -> Path:
        """Static files copied into the docs folder (CSS, JavaScript)."""
        return self.templates / "assets"
