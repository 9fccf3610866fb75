"""Golden files: the fixture catalog's generated Markdown, compared page by page.

After an intended change, run ``make golden`` and review the diff of tests/site/golden/.
"""

from __future__ import annotations

import difflib

import pytest

from tests.site.regenerate_golden import GOLDEN, golden_files

CURRENT = golden_files()


def test_the_same_pages_exist() -> None:
    committed = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert committed == sorted(CURRENT), "pages were added or removed: run `make golden`"


@pytest.mark.parametrize("relative", sorted(CURRENT))
def test_page_matches_golden(relative: str) -> None:
    expected = (GOLDEN / relative).read_text(encoding="utf-8")
    if CURRENT[relative] != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                CURRENT[relative].splitlines(keepends=True),
                f"golden/{relative}",
                "rendered",
                n=1,
            )
        )
        pytest.fail(f"{relative} differs from its golden file (run `make golden`):\n{diff[:4000]}")
