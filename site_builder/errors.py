"""Exceptions of site_builder.

SiteBuilderError
 +-- CatalogError   problems in the editors' data (catalog/ or content/), all at once
 +-- BuildError     the site could not be produced (mkdocs failed, broken internal link, ...)
 +-- UsageError     a bad command-line argument (exit code 2)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One error in one file, located at the offending key or value (1-based line and column)."""

    path: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.col}: {where}{self.message}"


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working directory when possible."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class SiteBuilderError(Exception):
    """Base of every error this package raises on purpose."""


class CatalogError(SiteBuilderError):
    """The catalog has problems; ``problems`` holds every one of them, sorted."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        in_content = sum(1 for p in self.problems if p.path.endswith(".md"))
        in_catalog = len(self.problems) - in_content
        parts = [f"{_errors(in_catalog)} in the catalog"] if in_catalog or not in_content else []
        parts += [f"{_errors(in_content)} in content"] if in_content else []
        super().__init__(" and ".join(parts))


def _errors(count: int) -> str:
    return f"{count} error{'s' if count != 1 else ''}"


class BuildError(SiteBuilderError):
    """The site could not be built."""


class UsageError(SiteBuilderError):
    """A command-line argument names an unknown ID or holds an invalid value."""
