"""What page builders read and produce: :class:`SiteData` (the catalog, the frozen engine
results, editorial content) and :class:`Page` (a Markdown path, its template, its context)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from site_builder.catalog import Catalog
from site_builder.site.results import Results


@dataclass(frozen=True)
class SiteData:
    """Everything page builders read: the catalog, the engine's results, editorial content."""

    catalog: Catalog
    results: Results
    content: Path
    unchanged: frozenset[str] = frozenset()
    """The combos whose outputs a build takes from the last one (its pages, fragments and
    data files made from them alone: :meth:`carries`); empty unless a build says so."""

    def carries(self, combos: Iterable[str] | None) -> bool:
        """Whether what is made from ``combos`` alone (None: not known) is as the last
        build made it."""
        return combos is not None and bool(self.unchanged) and set(combos) <= self.unchanged


@dataclass(frozen=True)
class Page:
    """One generated page: docs-relative Markdown path, template name, typed context."""

    path: str
    template: str
    context: object
    """The template's context, or a function making it (called when the page is rendered)."""
    combos: tuple[str, ...] | None = None
    """The combos whose entities and engine answers are all the page reads beside the shared
    catalog, when that is known: a live preview keeps the page while they are unchanged
    (:mod:`site_builder.site.memo`)."""
    text: tuple[str, ...] | None = None
    """Those of :attr:`combos` whose editorial text (:data:`memo.PROSE`) the page shows (None:
    every one): an edit to the text of the others keeps it."""
    names: tuple[str, ...] = ()
    """Those of :attr:`combos` whose name alone the page reads (it names or links to them):
    an edit to anything else of them keeps it."""
    answers: tuple[str, ...] = ()
    """Those of :attr:`combos` of which the page reads only what the engine's answers read
    (neither name nor text: a GPU page's held-out record reads the cards and interconnect of
    the combos benchmarks name): an edit to their name or text keeps it."""

    def made(self) -> object:
        """The template's context (made now when :attr:`context` is a function)."""
        return self.context() if callable(self.context) else self.context


def combo_reads(catalog: Catalog, slug: str) -> tuple[str, ...]:
    """The combos a combo's own pages (its page and its will-it-run table) read: itself, its
    related combos (names, compare links), and the combos named by benchmarks on its cards
    (their measured results and evidence labels are worked out on those combos)."""
    combo = catalog.combos[slug]
    named = catalog.named_by_cards.get(tuple(sorted(combo.card_slugs())), ())
    return tuple(dict.fromkeys([slug, *(r.combo for r in combo.related), *named]))


def named_only(catalog: Catalog, slug: str) -> tuple[str, ...]:
    """Those of :func:`combo_reads` of which a combo's own pages read the name alone: its
    related combos (a link each, and a compare link naming both), unless read otherwise."""
    reads = combo_reads(catalog, slug)
    named = catalog.named_by_cards.get(tuple(sorted(catalog.combos[slug].card_slugs())), ())
    return tuple(c for c in reads if c != slug and c not in named)


Family = Callable[[SiteData], Iterator[Page]]
