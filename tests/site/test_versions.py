"""The versions that key the build stamp, the reuse of results and mkdocs' kept pages: those of
the distributions site-builder runs on, whatever else is installed and however it is started."""

from __future__ import annotations

import importlib.metadata
import sys

import pytest

from site_builder.site import versions
from site_builder.site.versions import required

# name -> (version, requirement lines), as importlib.metadata reports them
INSTALLED = {
    "site-builder": (
        "0.1.0",
        ["mkdocs==1.6.1", "Mkdocs_Material[imaging]>=9.5", 'pytest>=8; extra == "dev"'],
    ),
    "mkdocs": ("1.6.1", ["click>=7", 'colorama>=0.4; platform_system == "Windows"']),
    "mkdocs-material": (
        "9.8.2",
        ["pygments>=2", 'pillow>=10; extra == "imaging"', 'mkdocs-git>=1; extra == "git"'],
    ),
    "click": ("8.5.1", []),
    "pygments": ("2.21.0", []),
    "pillow": ("11.0.0", []),
    "pytest": ("9.0.0", ["pluggy>=1"]),
    "pluggy": ("1.6.0", []),
    "ruff": ("0.14.0", []),
}


class Dist:
    def __init__(self, name: str) -> None:
        self.version, self.requires = INSTALLED[name]


def distribution(name: str) -> Dist:
    key = versions.normalized(name)
    if key not in INSTALLED:
        raise importlib.metadata.PackageNotFoundError(name)
    return Dist(key)


def test_the_closure_of_what_site_builder_requires_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    versions.versions.cache_clear()
    try:
        lines = versions.versions().splitlines()
    finally:
        versions.versions.cache_clear()  # the next caller reads what is installed
    assert lines == [
        sys.version,
        "click==8.5.1",
        "mkdocs-material==9.8.2",
        "mkdocs==1.6.1",
        "pillow==11.0.0",  # the extra site-builder asks of mkdocs-material
        "pygments==2.21.0",
        "site-builder==0.1.0",
    ]  # no pytest, pluggy or ruff (the dev extra, or not required); colorama not installed


@pytest.mark.parametrize(
    ("line", "extras", "expected"),
    [
        ("mkdocs==1.6.1", frozenset(), ("mkdocs", frozenset())),
        (
            "pymdown-extensions[extra, other]>=10",
            frozenset(),
            ("pymdown-extensions", {"extra", "other"}),
        ),
        ('pytest>=8; extra == "dev"', frozenset(), None),
        ("pytest>=8 ; extra == 'Dev'", frozenset({"dev"}), ("pytest", frozenset())),
        ('colorama; platform_system == "Windows"', frozenset(), ("colorama", frozenset())),
    ],
)
def test_a_requirement_line_names_what_it_brings_in(
    line: str, extras: frozenset[str], expected: tuple[str, set[str]] | None
) -> None:
    assert required(line, extras) == expected


def test_the_installed_closure_names_each_distribution_once() -> None:
    """Under ``python -m`` from the project folder, the editable install's egg-info there is
    found too: each name still comes once, and the dev tools are not named."""
    lines = versions.versions().splitlines()[1:]
    names = [line.split("==")[0] for line in lines]
    assert len(names) == len(set(names)) and "site-builder" in names
    assert not {"pytest", "ruff", "mypy", "hypothesis", "playwright"} & set(names)
