"""Reading and validating ``catalog/``."""

from site_builder.catalog.loader import load_catalog
from site_builder.catalog.store import Catalog

__all__ = ["Catalog", "load_catalog"]
