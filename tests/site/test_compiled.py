"""Compiled templates are shared within a process (:mod:`site_builder.site.compiled`): a second
environment in a new folder compiles nothing again and still leaves the files for the next
process; an edited template, or an environment set up otherwise, compiles again and renders
what Jinja renders without any cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from site_builder.site import compiled
from site_builder.site.compiled import Compiled

TEMPLATE = "{% if x %}\n  {{ x }}\n{% endif %}\nend\n"


def env(templates: Path, folder: Path | None, **settings: Any) -> jinja2.Environment:
    cache = None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        cache = Compiled(str(folder))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=cache,
        auto_reload=False,
        **settings,
    )


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the templates Jinja compiles from source."""
    seen: list[str] = []
    original = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: Any, name: Any = None, *a: Any, **k: Any) -> Any:
        seen.append(name)
        return original(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    return seen


def test_a_second_environment_compiles_nothing_and_fills_its_own_folder(
    tmp_path: Path, compiles: list[str]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.md").write_text(TEMPLATE + "first\n", encoding="utf-8")
    first = env(templates, tmp_path / "one", trim_blocks=True)
    assert first.get_template("page.md").render(x=1) == "  1\nend\nfirst"
    second = env(templates, tmp_path / "two", trim_blocks=True)
    assert second.get_template("page.md").render(x=1) == "  1\nend\nfirst"
    assert compiles == ["page.md"]
    assert len(list((tmp_path / "two").iterdir())) == 1  # the next process reads it there


@pytest.mark.parametrize(
    ("change", "settings"),
    [
        ("edited source", {"trim_blocks": True}),
        ("other settings", {"trim_blocks": False}),
        ("other settings", {"trim_blocks": True, "keep_trailing_newline": True}),
        ("other settings", {"trim_blocks": True, "extensions": ["jinja2.ext.loopcontrols"]}),
    ],
)
def test_an_edit_or_other_settings_compile_again_and_render_as_without_a_cache(
    tmp_path: Path, compiles: list[str], change: str, settings: dict[str, Any]
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    page = templates / "page.md"
    page.write_text(TEMPLATE, encoding="utf-8")
    env(templates, tmp_path / "one", trim_blocks=True).get_template("page.md").render(x=1)
    if change == "edited source":
        page.write_text(TEMPLATE + "edited\n", encoding="utf-8")
    got = env(templates, tmp_path / "two", **settings).get_template("page.md").render(x=1)
    plain = env(templates, None, **settings).get_template("page.md").render(x=1)
    assert got == plain
    assert compiles == ["page.md"] * 3  # the first, the changed one, the uncached one


def test_a_template_edited_many_times_is_kept_once(tmp_path: Path, compiles: list[str]) -> None:
    """A long live preview edits templates again and again: memory holds the latest code of
    each, not every version."""
    templates = tmp_path / "templates"
    templates.mkdir()
    page = templates / "page.md"
    before = len(compiled._KEPT)
    for n in range(5):
        page.write_text(f"version {n}\n", encoding="utf-8")
        found = env(templates, tmp_path / f"run-{n}").get_template("page.md").render()
        assert found == f"version {n}"
    assert len(compiled._KEPT) == before + 1
    assert compiles == ["page.md"] * 5
