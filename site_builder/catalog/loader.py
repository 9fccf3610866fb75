"""Load ``catalog/``: read every file, validate it, check references, fail once with all errors."""

from __future__ import annotations

import functools
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from site_builder.catalog import hygiene
from site_builder.catalog.locate import locate
from site_builder.catalog.messages import did_you_mean, field_path, message_for
from site_builder.catalog.rules import check_all, check_references
from site_builder.catalog.store import Catalog
from site_builder.catalog.yamlsafe import MAX_BYTES, Document, YamlIssue, decode, parse, too_large
from site_builder.errors import CatalogError, Problem
from site_builder.errors import display_path as _display_path
from site_builder.schema import KINDS
from site_builder.schema.base import QUANT_ID_PATTERN, SLUG_PATTERN

SLUG = re.compile(SLUG_PATTERN)
QUANT_SLUG = re.compile(QUANT_ID_PATTERN)
"""Match IDs with ``fullmatch``: ``$`` alone would let a trailing line break through."""


def load_catalog(root: Path) -> Catalog:
    """Load and validate the catalog under ``root``; raise :class:`CatalogError` on any problem."""
    catalog, problems = load_partial(root)
    if problems:
        raise CatalogError(problems)
    return catalog


def load_partial(root: Path) -> tuple[Catalog, list[Problem]]:
    """Every problem of the catalog under ``root``, and the catalog of the entries that loaded
    (so that ``validate`` can run the checks that need the engine on the rest: every problem in
    one run). An entry is left out when its file fails its schema or it names an entry that is
    left out or missing, so the partial catalog's references all resolve, and a benchmark with
    any problem is left out (it would skew the calibration the outlier check compares with);
    other entries with a cross-field or hygiene problem stay in."""
    problems: list[Problem] = []
    entities: dict[str, dict[str, BaseModel]] = {kind: {} for kind in KINDS}
    documents: dict[tuple[str, str], tuple[str, Document]] = {}
    parsed: list[tuple[str, str, str, Document, set[str]]] = []
    if not root.is_dir():
        raise CatalogError([Problem(display_path(root), 1, 1, "", "catalog folder not found")])
    inside = _Inside(root)
    problems += _check_layout(root, inside)
    known: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for kind, path in _catalog_files(root, inside, problems):
        slug, shown = path.stem, display_path(path)
        known[kind].add(slug)
        read = _read(path, shown, problems)
        if read is None:
            continue
        text, document = read
        entity, invalid = _validate(KINDS[kind], document, shown, problems)
        problems += _check_slug(kind, slug, shown, entities[kind])
        parsed.append((kind, shown, text, document, invalid))
        if entity is not None and slug not in entities[kind]:
            entities[kind][slug] = entity
            documents[(kind, slug)] = (shown, document)
    for kind, shown, text, document, invalid in parsed:
        for loc, message in check_references(kind, document.data, known, invalid):
            problems.append(_located(shown, document, loc, message))
        for loc, message in _hygiene(text):
            problems.append(_located(shown, document, loc, message))
    for issue in check_all(entities, known):
        shown, document = documents[(issue.kind, issue.slug)]
        problems.append(_located(shown, document, issue.loc, issue.message))
    flawed = {p.path for p in problems}
    for (kind, slug), (shown, _) in list(documents.items()):
        if kind == "benchmarks" and shown in flawed:  # nothing depends on a benchmark
            entities[kind].pop(slug, None)
    _resolvable(entities, documents)
    paths = {key: shown for key, (shown, _) in documents.items() if key[1] in entities[key[0]]}
    by_kind: dict[str, Any] = {
        kind: dict(sorted(items.items())) for kind, items in entities.items()
    }
    return Catalog(**by_kind, paths=paths), problems


def _resolvable(
    entities: dict[str, dict[str, BaseModel]],
    documents: dict[tuple[str, str], tuple[str, Document]],
) -> None:
    """Drop, until none is left, every entry that names an entry not in ``entities`` (links
    to related combos aside: nothing is computed from them, and they would chain every combo
    to a broken one)."""
    while True:
        present = {kind: set(items) for kind, items in entities.items()}
        dangling = [
            (kind, slug)
            for kind, items in entities.items()
            for slug in items
            if any(
                loc[0] != "related"
                for loc, _ in check_references(kind, documents[(kind, slug)][1].data, present)
            )
        ]
        if not dangling:
            return
        for kind, slug in dangling:
            del entities[kind][slug]


def display_path(path: Path) -> str:
    """How messages name a file, with any unprintable character of its name escaped (a line
    break, a bidirectional control or an undecodable byte in a file name stays on one line and
    reads as what it is)."""
    shown = _display_path(path)
    if shown.isprintable():
        return shown
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in shown)


def _located(shown: str, document: Document, loc: tuple[str | int, ...], message: str) -> Problem:
    line, col = locate(document.root, loc)
    return Problem(shown, line, col, field_path(loc), message)


class _Inside:
    """Whether a path, symbolic links followed, stays inside the catalog folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def problem(self, path: Path) -> Problem | None:
        """A problem when ``path`` is a symbolic link whose target leaves the catalog."""
        if not path.is_symlink():
            return None
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a loop: reported when the file is read
            return None
        if target == self.root or self.root in target.parents:
            return None
        return Problem(
            display_path(path),
            1,
            1,
            "",
            "symbolic link to a target outside the catalog folder; "
            "links may only point inside catalog/",
        )


def _entries(folder: Path, problems: list[Problem]) -> list[Path]:
    """The folder's entries in name order; an unreadable folder is a problem, not a traceback."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        problems.append(_unreadable(folder, exc, "folder"))
        return []


def _unreadable(path: Path, exc: OSError, what: str = "file") -> Problem:
    reason = exc.strerror or type(exc).__name__
    return Problem(display_path(path), 1, 1, "", f"cannot read the {what} ({reason})")


def _check_layout(root: Path, inside: _Inside) -> list[Problem]:
    problems: list[Problem] = []
    for entry in _entries(root, problems):
        if entry.name.startswith("."):
            continue
        outside = inside.problem(entry)
        if outside is not None:
            problems.append(outside)
            continue
        if entry.name in KINDS:
            continue
        hint = did_you_mean(entry.name, KINDS) if entry.is_dir() else ""
        problems.append(
            Problem(
                display_path(entry),
                1,
                1,
                "",
                f"unexpected {'folder' if entry.is_dir() else 'file'}{hint}; "
                f"the catalog holds {', '.join(KINDS)}",
            )
        )
    return problems


def _catalog_files(
    root: Path, inside: _Inside, problems: list[Problem]
) -> Iterator[tuple[str, Path]]:
    for kind in KINDS:
        folder = root / kind
        if folder.is_dir() and inside.problem(folder) is None:
            for path in _entries(folder, problems):
                if path.name.startswith("."):
                    continue
                outside = inside.problem(path)
                if outside is not None:
                    problems.append(outside)
                    continue
                yield kind, path


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> Document | list[YamlIssue]:
    """:func:`~site_builder.catalog.yamlsafe.parse`, remembered by text: a live preview loads
    the catalog after every edit, and all but the edited files read the same (nothing changes
    a parsed document)."""
    return parse(text)


@functools.lru_cache(maxsize=4096)
def _hygiene(text: str) -> tuple[tuple[hygiene.Loc, str], ...]:
    """:func:`~site_builder.catalog.hygiene.problems` of a file that parsed, remembered by text
    as :func:`_parsed` is (its regular expressions over every string were half of a live
    preview's catalog load)."""
    document = _parsed(text)
    assert isinstance(document, Document)
    return tuple(hygiene.problems(document.data))


def _read(path: Path, shown: str, problems: list[Problem]) -> tuple[str, Document] | None:
    """Parse one file (its text and document): its size is checked before a byte is read, and
    any OS error is located."""
    if path.suffix != ".yaml":
        problems.append(Problem(shown, 1, 1, "", "catalog entries are .yaml files"))
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            problems.append(Problem(shown, 1, 1, "", "catalog entries are .yaml files"))
            return None
        if info.st_size > MAX_BYTES:
            problems.append(Problem(shown, 1, 1, "", too_large(info.st_size)))
            return None
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        problems.append(_unreadable(path, exc))
        return None
    text = decode(raw)
    parsed = _parsed(text) if isinstance(text, str) else [text]
    if isinstance(parsed, Document):
        assert isinstance(text, str)
        return text, parsed
    problems += [_from_issue(shown, issue) for issue in parsed]
    return None


def _from_issue(shown: str, issue: YamlIssue) -> Problem:
    return Problem(shown, issue.line, issue.col, "", issue.message)


def _validate(
    model: type[BaseModel], document: Document, shown: str, problems: list[Problem]
) -> tuple[BaseModel | None, set[str]]:
    """The entity, or None and the field paths of its schema errors (also added to problems)."""
    try:
        return model.model_validate(document.data), set()
    except ValidationError as exc:
        invalid: set[str] = set()
        for error in exc.errors():
            loc = error["loc"]
            line, col = locate(document.root, loc, key=error["type"] == "extra_forbidden")
            invalid.add(field_path(loc))
            problems.append(Problem(shown, line, col, field_path(loc), message_for(error, model)))
        return None, invalid


def _check_slug(
    kind: str, slug: str, shown: str, existing: dict[str, BaseModel]
) -> Iterator[Problem]:
    pattern = QUANT_SLUG if kind == "quants" else SLUG
    if not pattern.fullmatch(slug):
        yield Problem(shown, 1, 1, "", f"file name {slug!r} is not a valid ID ({pattern.pattern})")
    if slug in existing:
        yield Problem(shown, 1, 1, "", f"duplicate ID {slug!r} in {kind}")
