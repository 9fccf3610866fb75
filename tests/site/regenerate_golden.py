"""Regenerate tests/site/golden/ from the fixture catalog: ``make golden``.

The golden files are the generated Markdown pages and HTML fragments of the fixture catalog.
Review their diff like code: it shows exactly what a template, escaping or engine change does
to the pages.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from site_builder.catalog import load_catalog
from site_builder.site.build import extra_files, markdown_files
from site_builder.site.pages import SiteData, all_pages
from site_builder.site.results import compute
from tests.site.conftest import fixture_layout

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_files() -> dict[str, str]:
    """Relative path -> text of every golden file, as the current code renders them."""
    with tempfile.TemporaryDirectory() as folder:
        layout = fixture_layout(Path(folder))
        catalog = load_catalog(layout.catalog)
        data = SiteData(catalog, compute(catalog), layout.content)
        docs = markdown_files(layout, data, all_pages(data))
        extras = extra_files(layout, data)
    files = {p: str(c) for p, c in docs.items() if p.endswith(".md")}
    files.update({f"fragments/{p}": str(c) for p, c in extras.fragments.items()})
    return dict(sorted(files.items()))


def main() -> int:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for relative, text in golden_files().items():
        path = GOLDEN / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(golden_files())} golden files into {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
