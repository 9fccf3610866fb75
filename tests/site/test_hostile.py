"""Hostile catalog strings render as text: no broken table, no script element."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from site_builder.site.build import build
from tests.site.conftest import CONTENT, Built, copy_catalog, fixture_layout

HOSTILE = "Evil | *Model* <script>alert(1)</script> {: onclick=alert(2) }"
EDITS = {
    "models/llama-3.3-70b-instruct.yaml": ("name: Llama 3.3 70B Instruct", f"name: '{HOSTILE}'"),
    "combos/dual-rtx-4090.yaml": ("name: Dual RTX 4090", f"name: 'Dual {HOSTILE}'"),
    "gpus/rtx-4090.yaml": ("name: NVIDIA GeForce RTX 4090", f"name: 'RTX {HOSTILE}'"),
    "runtimes/vllm.yaml": ("name: vLLM", f"name: 'vLLM {HOSTILE}'"),
    "gpus/rtx-3090.yaml": ("note: 'launch price at release'", f"note: 'price {HOSTILE}'"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("hostile")
    catalog = copy_catalog(folder)
    for relative, (old, new) in EDITS.items():
        path = catalog / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    empty = folder / "content"
    empty.mkdir()
    layout = fixture_layout(folder, catalog=catalog, content=empty)
    return Built(layout, build(layout))


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class _Elements(HTMLParser):
    """Collects script bodies and event-handler attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.in_script = False
        self.scripts: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.scripts.append(data)


def test_no_injected_script_or_handler(hostile: Built) -> None:
    for page in _pages(hostile.site):
        elements = _Elements()
        elements.feed(page.read_text(encoding="utf-8"))
        assert not [s for s in elements.scripts if "alert(" in s], page
        assert elements.handlers == [], page


def test_hostile_name_is_shown_as_text(hostile: Built) -> None:
    page = hostile.html("models/llama-3.3-70b-instruct/")
    assert "Evil | *Model* &lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "url_path",
    [
        "hardware-combos/dual-rtx-4090/",
        "will-it-run/hardware/several-cards/",
        "hardware-combos/dual-rtx-3090/",
        "gpus/rtx-3090/",
        "models/",
        "runtimes/",
    ],
)
def test_tables_keep_their_shape(hostile: Built, url_path: str) -> None:
    page = hostile.html(url_path)
    for table in re.findall(r"<table>.*?</table>", page, re.DOTALL):
        head = re.search(r"<thead>.*?</thead>", table, re.DOTALL)
        assert head is not None
        columns = len(re.findall(r"<th[\s>]", head.group(0)))
        for row in re.findall(r"<tr>.*?</tr>", table.split("</thead>", 1)[1], re.DOTALL):
            assert row.count("<td") == columns, row[:300]


def test_fixture_content_is_untouched() -> None:
    assert CONTENT.is_dir()
