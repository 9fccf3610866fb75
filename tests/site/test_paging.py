"""Lists that grow with the catalog are cut into parts of at most ``paging.ROWS`` entries: built
with a bound of one entry, the fixture catalog's two combos spread over two parts of each list,
the parts link to each other and back, and the strict build and its link check pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.site import paging
from site_builder.site.build import build
from tests.site.conftest import fixture_layout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(paging, "ROWS", 1)
        layout = fixture_layout(tmp_path_factory.mktemp("paged"))
        build(layout)
    return layout.site


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def combo_links(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


@pytest.mark.parametrize(
    ("url", "rows"),
    [
        ("models/llama-3.1-8b-instruct/", r'<td><a href="[^"]*hardware-combos/([^/"]+)/"'),
        ("runtimes/vllm/", r'<td><a href="[^"]*hardware-combos/([^/"]+)/"'),
        ("hardware-combos/", r'<a class="combo-card" href="[^"]*?([a-z0-9-]+)/" data-name'),
    ],
)
def test_each_part_lists_at_most_the_bound_and_together_they_list_every_combo(
    site: Path, url: str, rows: str
) -> None:
    first = combo_links(page(site, url), rows)
    second = combo_links(page(site, f"{url}part-2/"), rows)
    assert len(first) == len(second) == 1
    assert sorted(first + second) == ["dual-rtx-3090", "dual-rtx-4090"]


def test_the_parts_link_to_each_other_and_back(site: Path) -> None:
    first = page(site, "models/llama-3.1-8b-instruct/")
    assert (
        "This list continues over 2 pages: <strong>part 1</strong> (this page) · "
        '<a href="part-2/">part 2</a>.'
    ) in first
    second = page(site, "models/llama-3.1-8b-instruct/part-2/")
    assert ">Where Llama 3.1 8B Instruct runs, part 2 of 2<" in second
    assert (
        'This list continues over 2 pages: <a href="../">part 1</a> · '
        "<strong>part 2</strong> (this page)."
    ) in second


def test_the_home_page_shows_the_first_cards_and_says_how_many_there_are(site: Path) -> None:
    home = page(site, "")
    assert home.count('class="combo-card"') == 1
    assert "The first 1 of 2 combos." in home


def test_a_list_within_the_bound_is_not_cut() -> None:
    shown, parts, more = paging.continued("models/x.md", [1, 2], "Where X runs", "t", "d")
    assert (list(shown), parts, more) == ([1, 2], paging.WHOLE, [])
    assert not parts.cut
