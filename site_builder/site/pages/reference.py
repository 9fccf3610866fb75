"""``/reference/catalog/`` (generated from the schema) and ``/reference/api/``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from site_builder.schema import KINDS
from site_builder.site import tables
from site_builder.site.sitedata import Page, SiteData


@dataclass(frozen=True)
class CatalogReference:
    markdown: str


@dataclass(frozen=True)
class ApiReference:
    kinds: list[str]
    combos: list[str]
    fields: list[str]
    details: list[str]


def pages(data: SiteData) -> Iterator[Page]:
    from site_builder.schema_docs import catalog_reference_markdown

    yield Page(
        "reference/catalog.md",
        "reference_catalog.md.j2",
        CatalogReference(catalog_reference_markdown()),
    )
    yield Page(
        "reference/api.md",
        "reference_api.md.j2",
        ApiReference(
            list(KINDS), list(data.catalog.combos), list(tables.FIGURES), list(tables.DETAILS)
        ),
    )
