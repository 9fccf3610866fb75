"""``validate`` evaluates only the combos its checks read (:func:`checks.combos_read`): the
problems it reports equal those of a full evaluation, and its results refuse to answer about
any other combo rather than answer with nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.errors import CatalogError
from site_builder.site import checks
from site_builder.site.evaluate import evaluate
from site_builder.site.results import HEADLINE_CONTEXT, UnplannedQuery
from site_builder.site.sitedata import SiteData
from tests.site.conftest import CATALOG, CONTENT

BOTH = {"dual-rtx-3090", "dual-rtx-4090"}
STACK_ONLY = {"dual-rtx-4090"}  # the fixture's one stack runs there


def _problems(catalog_dir: Path, content: Path, combos: set[str] | None) -> list[str]:
    catalog = load_catalog(catalog_dir)
    results = evaluate(catalog, content, for_pages=False, only=combos)
    try:
        checks.check(SiteData(catalog, results, content), catalog_dir)
    except CatalogError as exc:
        return [str(p) for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("text", "read", "flagged"),
    [
        ("Nothing typed here.", STACK_ONLY, False),
        ("Llama 3.1 8B on a Dual RTX 3090 runs at 500 tok/s.", BOTH, True),
        ("Llama 3.1 8B on a Dual RTX 4090 has a TTFT of 90 ms.", STACK_ONLY, True),
        ("Llama 3.3 70B needs about 40 GiB.", BOTH, True),  # a need holds on any hardware
        ("A card of 24 GiB.", STACK_ONLY, False),  # a memory figure naming no model
        ("The Dual RTX 3090 is about half the price of the Dual RTX 4090.", BOTH, True),
        ("Eight users share 400 tok/s on a Dual RTX 3090 with Llama 3.1 8B.", STACK_ONLY, True),
    ],
)
def test_validate_reads_only_what_it_evaluates(
    tmp_path: Path, text: str, read: set[str], flagged: bool
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "guides" / "typed.md").write_text(f"# Typed\n\n{text}\n", encoding="utf-8")
    catalog = load_catalog(CATALOG)
    assert checks.combos_read(catalog, content, CATALOG) == read
    whole = _problems(CATALOG, content, None)
    assert _problems(CATALOG, content, read) == whole
    assert any("typed.md" in p for p in whole) == flagged, whole


def test_results_refuse_a_combo_not_evaluated() -> None:
    catalog = load_catalog(CATALOG)
    results = evaluate(catalog, CONTENT, for_pages=False, only=STACK_ONLY)
    model = "llama-3.1-8b-instruct"
    assert results.for_cell("dual-rtx-4090", model, HEADLINE_CONTEXT)
    with pytest.raises(UnplannedQuery, match="'dual-rtx-3090' was not evaluated"):
        results.for_cell("dual-rtx-3090", model, HEADLINE_CONTEXT)
