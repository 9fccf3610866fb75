"""Reading and validating ``catalog/``.

``load_catalog`` is imported on first use: the engine needs only :class:`Catalog`, and the
browser's copy of the engine (:mod:`site_builder.site.in_browser`) has no YAML parser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from site_builder.catalog.store import Catalog

if TYPE_CHECKING:
    from site_builder.catalog.loader import load_catalog

__all__ = ["Catalog", "load_catalog"]


def __getattr__(name: str) -> Any:
    if name == "load_catalog":
        from site_builder.catalog.loader import load_catalog

        return load_catalog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
