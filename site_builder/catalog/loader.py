"""Load ``catalog/``: read every file, validate it, check references, fail once with all errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from site_builder.catalog.locate import locate
from site_builder.catalog.messages import did_you_mean, field_path, message_for
from site_builder.catalog.rules import check_all
from site_builder.catalog.store import Catalog
from site_builder.catalog.yamlsafe import Document, YamlIssue, decode, parse
from site_builder.errors import CatalogError, Problem, display_path
from site_builder.schema import KINDS

SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*[a-z0-9]$")
QUANT_SLUG = re.compile(r"^[A-Z0-9][A-Za-z0-9_.\-]*$")


def load_catalog(root: Path) -> Catalog:
    """Load and validate the catalog under ``root``; raise :class:`CatalogError` on any problem."""
    problems: list[Problem] = []
    entities: dict[str, dict[str, BaseModel]] = {kind: {} for kind in KINDS}
    documents: dict[tuple[str, str], tuple[str, Document]] = {}
    if not root.is_dir():
        raise CatalogError([Problem(display_path(root), 1, 1, "", "catalog folder not found")])
    problems += _check_layout(root)
    known: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind, path in _catalog_files(root):
        slug, shown = path.stem, display_path(path)
        known[kind].add(slug)
        document = _read(path, shown, problems)
        if document is None:
            continue
        entity = _validate(KINDS[kind], document, shown, problems)
        problems += _check_slug(kind, slug, shown, entities[kind])
        if entity is not None and slug not in entities[kind]:
            entities[kind][slug] = entity
            documents[(kind, slug)] = (shown, document)
    for issue in check_all(entities, known):
        shown, document = documents[(issue.kind, issue.slug)]
        line, col = locate(document.root, issue.loc)
        problems.append(Problem(shown, line, col, field_path(issue.loc), issue.message))
    if problems:
        raise CatalogError(problems)
    paths = {key: shown for key, (shown, _) in documents.items()}
    by_kind: dict[str, Any] = {
        kind: dict(sorted(items.items())) for kind, items in entities.items()
    }
    return Catalog(**by_kind, paths=paths)


def _check_layout(root: Path) -> Iterator[Problem]:
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.name in KINDS:
            continue
        hint = did_you_mean(entry.name, KINDS) if entry.is_dir() else ""
        yield Problem(
            display_path(entry),
            1,
            1,
            "",
            f"unexpected {'folder' if entry.is_dir() else 'file'}{hint}; "
            f"the catalog holds {', '.join(KINDS)}",
        )


def _catalog_files(root: Path) -> Iterator[tuple[str, Path]]:
    for kind in KINDS:
        folder = root / kind
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if not path.name.startswith("."):
                    yield kind, path


def _read(path: Path, shown: str, problems: list[Problem]) -> Document | None:
    if path.suffix != ".yaml" or not path.is_file():
        problems.append(Problem(shown, 1, 1, "", "catalog entries are .yaml files"))
        return None
    text = decode(path.read_bytes())
    parsed = parse(text) if isinstance(text, str) else [text]
    if isinstance(parsed, Document):
        return parsed
    problems += [_from_issue(shown, issue) for issue in parsed]
    return None


def _from_issue(shown: str, issue: YamlIssue) -> Problem:
    return Problem(shown, issue.line, issue.col, "", issue.message)


def _validate(
    model: type[BaseModel], document: Document, shown: str, problems: list[Problem]
) -> BaseModel | None:
    try:
        return model.model_validate(document.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = error["loc"]
            line, col = locate(document.root, loc, key=error["type"] == "extra_forbidden")
            problems.append(Problem(shown, line, col, field_path(loc), message_for(error, model)))
        return None


def _check_slug(
    kind: str, slug: str, shown: str, existing: dict[str, BaseModel]
) -> Iterator[Problem]:
    pattern = QUANT_SLUG if kind == "quants" else SLUG
    if not pattern.match(slug):
        yield Problem(shown, 1, 1, "", f"file name {slug!r} is not a valid ID ({pattern.pattern})")
    if slug in existing:
        yield Problem(shown, 1, 1, "", f"duplicate ID {slug!r} in {kind}")
