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

from site_builder.site.build import generate
from tests.site.conftest import fixture_layout

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden_files() -> dict[str, str]:
    """Relative path -> text of every golden file, as the current code renders them."""
    with tempfile.TemporaryDirectory() as folder:
        site = generate(fixture_layout(Path(folder)))
        fragments = site.extras().fragments
    files = {p: str(c) for p, c in site.docs.items() if p.endswith(".md")}
    files.update({f"fragments/{p}": str(c) for p, c in fragments.items()})
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
