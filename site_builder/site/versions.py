"""The versions a build's output depends on: Python's, and those of ``site-builder`` and of every
distribution it needs to run, transitively (the build stamp, the reuse keys and mkdocs' kept
pages are keyed by them).

The closure follows each installed distribution's declared requirements, with a requirement
that an extra brings in only where the extra is asked for: the ``dev`` extra's tools (pytest,
ruff, mypy, playwright) change no output, so installing them (``make test``) does not make the
next build start over. Names are compared normalized (PEP 503) and a distribution found twice
(the editable install's ``site_builder.egg-info`` in the project folder, on ``sys.path`` under
``python -m``) is read once, so every way of starting the build gives the same text.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
import sys

ROOT = "site-builder"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXTRAS = re.compile(r"\[([^\]]*)\]")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


@functools.cache
def versions() -> str:
    """Python's version, then ``name==version`` of each distribution of the closure, sorted.
    Read once per process (about 65 ms, three times a build): the code a process runs is what it
    imported, whatever is installed after it started."""
    found: dict[str, str] = {}
    _close(ROOT, frozenset(), found, set())
    return "\n".join([sys.version, *sorted(f"{name}=={v}" for name, v in found.items())])


def _close(
    name: str, extras: frozenset[str], found: dict[str, str], seen: set[tuple[str, frozenset[str]]]
) -> None:
    """Add ``name`` (with ``extras``) and what it requires to ``found``; one not installed (a
    requirement for another platform or Python) is left out."""
    key = normalized(name)
    if (key, extras) in seen:
        return
    seen.add((key, extras))
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return
    found[key] = dist.version
    for requirement in dist.requires or []:
        wanted = required(requirement, extras)
        if wanted is not None:
            _close(*wanted, found, seen)


def required(requirement: str, extras: frozenset[str]) -> tuple[str, frozenset[str]] | None:
    """The name and extras a requirement line names, or None when it belongs to an extra not
    in ``extras`` (other markers are not evaluated: a requirement not installed is skipped)."""
    spec, _, marker = requirement.partition(";")
    extra = _EXTRA_MARKER.search(marker)
    if extra is not None and normalized(extra.group(1)) not in extras:
        return None
    name = _NAME.match(spec.strip())
    if name is None:
        return None
    named = _EXTRAS.search(spec)
    asked = named.group(1).split(",") if named else []
    return name.group(0), frozenset(normalized(e) for e in asked if e.strip())


def normalized(name: str) -> str:
    """A distribution or extra name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()
