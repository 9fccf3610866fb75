"""The prose check for price ratios: a ratio typed into a combo's prose must agree with the
prices its pages show (the fixture: two RTX 4090s at $3,340 new, two RTX 3090s at $2,998)."""

from __future__ import annotations

import pytest

from site_builder.catalog import load_catalog
from site_builder.site import price_check, prose
from site_builder.site.evaluate import evaluate
from site_builder.site.sitedata import SiteData
from tests.site.conftest import CATALOG, CONTENT

DROP = "state the ratio the prices give, or drop it"


@pytest.fixture(scope="module")
def data() -> SiteData:
    catalog = load_catalog(CATALOG)
    return SiteData(catalog, evaluate(catalog, CONTENT, for_pages=False), CONTENT)


def problems(data: SiteData, text: str, combo: str) -> list[str]:
    names = prose.Names.of(data.catalog)
    passage = prose.Passage(f"catalog/combos/{combo}.yaml", text, (combo,), in_catalog=True)
    return [
        f"{r.line}:{r.column}: {message}"
        for r in price_check.ratios(text)
        if (message := price_check.problem(data, names, passage, r))
    ]


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        ("at about twice the price", 2.0),
        ("Half the cost of a new pair", 0.5),
        ("costs 1.5x the price", 1.5),
        ("three times the price", 3.0),
        ("a third of the price", 1 / 3),
        ("10 × the cost", 10.0),
    ],
)
def test_ratios_are_found(text: str, ratio: float) -> None:
    (found,) = price_check.ratios(text)
    assert found.ratio == pytest.approx(ratio)


@pytest.mark.parametrize(
    "text", ["at a fraction of the price", "for the price of one card", "twice the power"]
)
def test_vague_or_other_comparisons_are_not_ratios(text: str) -> None:
    assert list(price_check.ratios(text)) == []


def test_a_related_note_compares_the_related_combo_with_this_one(data: SiteData) -> None:
    text = "related:\n- combo: dual-rtx-4090\n  note: Faster, at about twice the price.\n"
    assert problems(data, text, "dual-rtx-3090") == [
        "3:26: 'twice the price' compares prices by hand and the prices the pages show "
        "contradict it: dual-rtx-4090 $3,340 new, 2023-11-23, dual-rtx-3090 $2,998 new, "
        f"2020-09-24, a ratio of 1.11; {DROP}",
    ]


def test_a_sentence_naming_a_combo_compares_this_one_with_it(data: SiteData) -> None:
    held = "cons:\n- Costs 1.1x the price of two RTX 3090s.\n"
    assert problems(data, held, "dual-rtx-4090") == []
    flipped = "cons:\n- Costs 1.5x the price of two RTX 4090s.\n"
    (message,) = problems(data, flipped, "dual-rtx-3090")
    assert message.startswith("2:9: '1.5x the price' compares prices by hand and the prices")
    assert "a ratio of 0.90" in message


def test_a_ratio_with_nothing_to_compare_is_an_error(data: SiteData) -> None:
    assert problems(data, "cons:\n- Twice the price.\n", "dual-rtx-4090") == [
        "2:3: 'Twice the price' compares prices by hand but names no second combo: name it, "
        "or drop the ratio",
    ]


def content_problems(data: SiteData, text: str) -> list[str]:
    names = prose.Names.of(data.catalog)
    passage = prose.Passage("content/guides/prices.md", text, ())
    return [
        message
        for r in price_check.ratios(text)
        if (message := price_check.problem(data, names, passage, r))
    ]


def test_a_guide_compares_the_first_combo_it_names_with_the_second(data: SiteData) -> None:
    assert content_problems(data, "Two RTX 4090s cost 1.1x the price of two RTX 3090s.") == []
    (message,) = content_problems(data, "Two RTX 4090s cost twice the price of two RTX 3090s.")
    assert "dual-rtx-4090 $3,340 new, 2023-11-23, dual-rtx-3090 $2,998 new" in message


def test_a_guide_ratio_naming_one_combo_is_an_error(data: SiteData) -> None:
    assert content_problems(data, "A used 3090 is half the price.") == [
        "'half the price' compares prices by hand but does not name the two combos it "
        "compares: name both, or drop it"
    ]
