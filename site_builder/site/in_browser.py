"""The engine in the reader's browser: the configurator and the compare picker load this module
with Pyodide and ask it what ``site-builder estimate --batch`` answers for the reader's choices,
through the same request code (:mod:`site_builder.engine.request`), and for the table of a
build-your-own hardware choice (:mod:`site_builder.site.custom`), on the catalog the build
validated (:mod:`site_builder.catalog.snapshot`). It imports nothing of the site beyond the
table format (:mod:`site_builder.site.tables`) and the build-your-own sweep."""

from __future__ import annotations

import json

from site_builder.catalog import snapshot
from site_builder.engine.estimate import prepare
from site_builder.engine.request import answer
from site_builder.errors import BuildError
from site_builder.site import custom
from site_builder.site.tables import dump


class Engine:
    """The engine over one catalog snapshot."""

    def __init__(self, catalog_json: str) -> None:
        self.catalog = snapshot.load(catalog_json)
        self.lookups = prepare(self.catalog)
        self.sweep = custom.Sweep(self.catalog)

    def add_combo(self, slug: str, text: str) -> None:
        """Know the combo ``slug`` from its snapshot document (the browser fetches it the
        first time a question names it)."""
        self.catalog = snapshot.with_combo(self.catalog, slug, text)

    def answer(self, line: str) -> str:
        """The JSON answer to one request line (an estimate, or ``{"error": ...}``)."""
        return json.dumps(answer(self.catalog, line, self.lookups), allow_nan=False)

    def table(self, key: str) -> str:
        """The configurator table of the build-your-own hardware ``key`` (``any-rtx-4090-x2``),
        as the API would serialise it, or ``{"error": ...}`` for a key that names none."""
        try:
            build = custom.by_key(self.catalog, key)
        except BuildError as exc:
            return json.dumps({"error": str(exc)})
        return dump(custom.table_json(self.catalog, build, self.lookups, self.sweep))
