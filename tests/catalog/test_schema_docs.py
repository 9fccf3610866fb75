"""The catalog reference page is generated from field descriptions; none may be missing."""

from __future__ import annotations

from site_builder.schema import KINDS
from site_builder.schema_docs import catalog_reference_markdown, undocumented_fields


def test_every_field_has_a_description() -> None:
    assert undocumented_fields() == []


def test_reference_lists_every_kind_and_field() -> None:
    page = catalog_reference_markdown()
    for kind, model in KINDS.items():
        assert f"## `{kind}/`" in page
        for name in model.model_fields:
            assert f"| `{name}` |" in page


def test_literal_choices_do_not_break_the_table() -> None:
    row = next(
        line
        for line in catalog_reference_markdown().splitlines()
        if line.startswith("| `vendor` |")
    )
    assert row.count(" | ") == 3
