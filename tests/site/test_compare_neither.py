"""A compare page's models table: models that run on neither combo are named once under the
table instead of as rows of "does not fit" cells (templates/compare_table.html.j2)."""

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


def rendered(models: list[ModelRow], neither: list[Link]) -> str:
    env = render.environment(TEMPLATES)
    return render.render(env, "compare_table.html.j2", ModelsTable(A, B, models, neither))


@pytest.mark.parametrize(
    ("neither", "paragraph"),
    [
        ([], None),
        (
            [Link("Huge", "../../models/huge/")],
            f'<p class="compare-neither">{NO_FIT} on either combo, at any quant: '
            '<a href="../../models/huge/">Huge</a>.</p>',
        ),
        (
            [Link("Huge", "../../models/huge/"), Link("<script>x</script> | y", "../../m/")],
            f'<p class="compare-neither">{NO_FIT} on either combo, at any quant: '
            '<a href="../../models/huge/">Huge</a>, '
            '<a href="../../m/">&lt;script&gt;x&lt;/script&gt; &#124; y</a>.</p>',
        ),
    ],
)
def test_models_that_run_on_neither_combo_are_named_under_the_table(
    neither: list[Link], paragraph: str | None
) -> None:
    html = rendered([ROW], neither)
    assert html.count("<tbody>") == 1
    found = [line for line in html.splitlines() if "compare-neither" in line]
    assert found == ([] if paragraph is None else [paragraph])
    if paragraph is not None:
        assert html.index("</table>") < html.index("compare-neither")


def test_no_table_when_no_model_runs_on_either_combo() -> None:
    html = rendered([], [Link("Huge", "../../models/huge/")])
    assert "<table" not in html
    assert "compare-neither" in html
