"""Reader language: the built site speaks to readers, not in the engine's or the catalog's codes.

Checked on the shipped catalog's site (built once, the ``shipped`` fixture of conftest):
no verdict code used as a word in a sentence ("is fits", "none split"), no "card(s)", no card
named by its catalog ID ("card 0 (rtx-4090)"), no schema field name (``fp16_tflops``) and no
contributor instructions on reader pages. Machine-facing pages (the JSON API, the JSON
Schemas, the catalog reference) and commands (``<pre>``/``<code>``, where flags belong) are
left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.schema import Gpu, Interconnect, Model, Quant
from tests.site.conftest import Built

MACHINE_PAGES = ("api/", "schema/", "reference/catalog/", "search/", "assets/")
"""Folders whose pages are for programs or for catalog editors, not readers."""
FIELD_NAMES = sorted(
    {f for m in (Gpu, Model, Quant, Interconnect) for f in m.model_fields if "_" in f}
)
"""Schema field names a reader could not know (those with an underscore)."""
INSTRUCTIONS = ("benchmark's file", "add the results", "Record the", "record the", "before running")
"""Contributor instructions in pending-benchmark rows: they belong in CONTRIBUTING.md or the
benchmark's file."""


def reader_text(page: str) -> str:
    """What a reader sees of a built page: visible text and tooltips (``title``), without
    scripts, styles and commands."""
    page = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", page, flags=re.DOTALL)
    tips = " ".join(re.findall(r'\btitle="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page) + " " + tips
    return " ".join(html.unescape(text).split())


def _pages(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): reader_text(path.read_text(encoding="utf-8"))
        for path in sorted(site.rglob("*.html"))
        if not path.relative_to(site).as_posix().startswith(MACHINE_PAGES)
    }


@pytest.fixture(scope="module")
def pages(shipped: Built) -> dict[str, str]:
    """Reader pages of the shipped site, path -> reader text."""
    found = _pages(shipped.site)
    assert len(found) > 100
    return found


def offenders(pages: dict[str, str], pattern: re.Pattern[str]) -> Iterator[str]:
    """``page: …excerpt…`` for every match of ``pattern`` in reader text."""
    for path, text in pages.items():
        for m in pattern.finditer(text):
            yield f"{path}: …{text[max(m.start() - 60, 0) : m.end() + 40]}…"


def assert_none(pages: dict[str, str], pattern: re.Pattern[str]) -> None:
    found = list(offenders(pages, pattern))
    assert not found, f"{len(found)} times, e.g.\n" + "\n".join(found[:10])


@pytest.mark.parametrize("phrase", ["is fits", "none split", "card(s)"])
def test_no_engine_codes_in_sentences(pages: dict[str, str], phrase: str) -> None:
    assert_none(pages, re.compile(re.escape(phrase)))


def test_cards_are_named_not_identified(shipped: Built, pages: dict[str, str]) -> None:
    """``card 1 (RTX 4090)``, never ``card 0 (rtx-4090)``: display names, counted from 1."""
    slugs = "|".join(re.escape(s) for s in load_catalog(shipped.layout.catalog).gpus)
    assert_none(pages, re.compile(rf"\bcards? \d+(?:(?:-| and )\d+)? \((?:{slugs})\)"))
    assert_none(pages, re.compile(r"\bcard 0 \("))


def test_configurator_reasons_name_cards(shipped: Built) -> None:
    """The configurator's tables carry the engine's reasons, which readers see as they are."""
    slugs = "|".join(re.escape(s) for s in load_catalog(shipped.layout.catalog).gpus)
    pattern = re.compile(rf"\bcards? \d+(?:(?:-| and )\d+)? \((?:{slugs})\)")
    data = sorted((shipped.site / "api" / "estimates").glob("*.json"))
    assert data
    bad = [p.name for p in data if pattern.search(p.read_text(encoding="utf-8"))]
    assert not bad, bad


@pytest.mark.parametrize("field", FIELD_NAMES)
def test_no_schema_field_names(pages: dict[str, str], field: str) -> None:
    assert_none(pages, re.compile(rf"\b{field}\b"))


def pending_sections(site: Path) -> dict[str, str]:
    """Reader text of the "Pending" benchmark sections (benchmarks page, combo pages)."""
    found = {}
    for path in [
        site / "benchmarks" / "index.html",
        *sorted(site.glob("hardware-combos/*/index.html")),
    ]:
        page = path.read_text(encoding="utf-8")
        start = page.find('id="pending"')
        if start >= 0:
            end = page.find("<h2", start)
            found[path.relative_to(site).as_posix()] = reader_text(
                page[start : end if end > 0 else None]
            )
    return found


@pytest.mark.parametrize("phrase", INSTRUCTIONS)
def test_pending_benchmarks_hold_no_contributor_instructions(
    shipped: Built,
    phrase: str,
) -> None:
    sections = pending_sections(shipped.site)
    assert "benchmarks/index.html" in sections
    assert_none(sections, re.compile(re.escape(phrase)))
