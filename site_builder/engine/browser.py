"""The engine in the reader's browser: the configurator loads this module with Pyodide and asks
it what ``site-builder estimate --batch`` answers for the reader's choices, through the same
request code (:mod:`site_builder.engine.request`), on the catalog the build validated
(:mod:`site_builder.catalog.snapshot`)."""

from __future__ import annotations

import json

from site_builder.catalog import snapshot
from site_builder.engine.estimate import prepare
from site_builder.engine.request import answer


class Engine:
    """The engine over one catalog snapshot."""

    def __init__(self, catalog_json: str) -> None:
        self.catalog = snapshot.load(catalog_json)
        self.lookups = prepare(self.catalog)

    def answer(self, line: str) -> str:
        """The JSON answer to one request line (an estimate, or ``{"error": ...}``)."""
        return json.dumps(answer(self.catalog, line, self.lookups), allow_nan=False)
