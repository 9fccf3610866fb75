"""Lists of combos that grow with the catalog, cut into pages of a fixed size.

A page that lists every combo (a model's "where it runs", a runtime's combos, the combo index,
the pairs to compare, the home page's cards) would grow with the catalog without bound: at
3,000 pages (613 combos) a model page was 0.43 MB and the combo index 0.50 MB, so at 10,000
pages they would pass 1 MB. Such a list shows its first :data:`ROWS` entries on its own page
and continues on numbered parts (``/models/<slug>/part-2/`` ...), each bounded the same way,
with links between them. At the shipped catalog's size no list is cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from site_builder.site import urls
from site_builder.site.context import Link
from site_builder.site.sitedata import Page

T = TypeVar("T")

ROWS = 400
"""Most entries one page lists: the longest rows (a model page's, about 0.6 KB of HTML each,
measured at 3,000 pages) keep a page near 0.3 MB."""


@dataclass(frozen=True)
class Parts:
    """Where a cut list continues: every part's link (the first is the page itself), and
    which part this page is (1-based)."""

    links: tuple[Link, ...] = ()
    number: int = 1

    @property
    def cut(self) -> bool:
        """Whether the list is cut into parts at all."""
        return len(self.links) > 1


WHOLE = Parts()
"""A list shown whole on its page."""


def chunks(items: Sequence[T]) -> list[Sequence[T]]:
    """``items`` in consecutive pieces of at most :data:`ROWS`; one (maybe empty) piece for a
    short list."""
    return [items[i : i + ROWS] for i in range(0, len(items), ROWS)] or [items]


def part_path(path: str, number: int) -> str:
    """The docs path of part ``number`` of the list on page ``path`` (part 1 is the page):
    ``models/x.md`` -> ``models/x/part-2.md``; an index ``compare/index.md`` ->
    ``compare/part-2.md``."""
    if number == 1:
        return path
    stem = path.removesuffix(".md").removesuffix("/index")
    return f"{stem}/part-{number}.md"


def parts(path: str, count: int) -> list[Parts]:
    """Each of ``count`` parts' view of the list on page ``path``."""
    links = tuple(Link(f"part {n}", urls.link(part_path(path, n))) for n in range(1, count + 1))
    return [Parts(links if count > 1 else (), n) for n in range(1, count + 1)]


@dataclass(frozen=True)
class ListPart:
    """A part after the first of a cut list (``list_part.md.j2``): ``table`` is the template
    that renders ``rows``, the same one the first page includes."""

    title: str
    description: str
    parts: Parts
    table: str
    rows: Sequence[object]
    legend: bool = False
    """Show the evidence legend above the rows (lists of engine figures)."""


def continued(
    path: str,
    rows: Sequence[T],
    name: str,
    table: str,
    description: str,
    legend: bool = False,
) -> tuple[Sequence[T], Parts, list[Page]]:
    """Cut ``rows`` listed on page ``path`` (whose list is called ``name``): the rows the page
    itself shows, its view of the parts, and the pages of the other parts."""
    pieces = chunks(rows)
    views = parts(path, len(pieces))
    more = [
        Page(
            part_path(path, n),
            "list_part.md.j2",
            ListPart(
                f"{name}, part {n} of {len(pieces)}",
                description,
                views[n - 1],
                table,
                pieces[n - 1],
                legend,
            ),
        )
        for n in range(2, len(pieces) + 1)
    ]
    return pieces[0], views[0], more
