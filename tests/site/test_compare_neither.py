"""A compare page's models table: models that run on neither combo, for the same reason on
both, are named once under the table by that reason instead of as rows of "does not fit" or
"not supported" cells (templates/compare_table.html.j2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.site import render
from site_builder.site.context import Link
from site_builder.site.pages.compare import ModelRow, ModelsTable

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
A, B = Link("Dual A", "../../hardware-combos/a/"), Link("Dual B", "../../hardware-combos/b/")
ROW = ModelRow(Link("Small", "../../models/small/"), "Q8_0", ("a", "b", "c", "d"), [])
NO_FIT = '<span class="verdict verdict-no-fit">does not fit</span>'
UNSUPPORTED = '<span class="verdict verdict-unsupported">not supported</span>'
HUGE = Link("Huge", "../../models/huge/")
HUGE_A = '<a href="../../models/huge/">Huge</a>'


def rendered(models: list[ModelRow], neither: list[tuple[str, list[Link]]]) -> str:
    env = render.environment(TEMPLATES)
    return render.render(env, "compare_table.html.j2", ModelsTable(A, B, models, neither))


@pytest.mark.parametrize(
    ("neither", "paragraphs"),
    [
        ([], []),
        (
            [("no-fit", [HUGE])],
            [f'<p class="compare-neither">{NO_FIT} on either combo, at any quant: {HUGE_A}.</p>'],
        ),
        (
            [("no-fit", [HUGE, Link("<script>x</script> | y", "../../m/")])],
            [
                f'<p class="compare-neither">{NO_FIT} on either combo, at any quant: {HUGE_A}, '
                '<a href="../../m/">&lt;script&gt;x&lt;/script&gt; &#124; y</a>.</p>'
            ],
        ),
        (
            [("no-fit", [HUGE]), ("unsupported", [Link("Odd", "../../models/odd/")])],
            [
                f'<p class="compare-neither">{NO_FIT} on either combo, at any quant: {HUGE_A}.</p>',
                f'<p class="compare-neither">{UNSUPPORTED} on either combo, at any quant: '
                '<a href="../../models/odd/">Odd</a>.</p>',
            ],
        ),
    ],
)
def test_models_that_run_on_neither_combo_are_named_under_the_table(
    neither: list[tuple[str, list[Link]]], paragraphs: list[str]
) -> None:
    html = rendered([ROW], neither)
    assert html.count("<tbody>") == 1
    found = [line for line in html.splitlines() if "compare-neither" in line]
    assert found == paragraphs
    if paragraphs:
        assert html.index("</table>") < html.index("compare-neither")


def test_no_table_when_no_model_runs_on_either_combo() -> None:
    html = rendered([], [("no-fit", [HUGE])])
    assert "<table" not in html
    assert "compare-neither" in html
