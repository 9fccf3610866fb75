"""What a change to the catalog or content does to the site: pages added, removed and changed,
and the engine's results that moved, as a Markdown report (``site-builder diff``).

Each side is rendered by this checkout's engine and templates up to the pages (no mkdocs, no
API): :func:`snapshot` keeps every page's full text (its asides and fragments inlined) and,
for every combo x model, the recommended setup and each setup's verdict, decode and prefill at
the headline context. :func:`compare` lists what differs; :func:`report` writes it grouped by
combo and model.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from site_builder.catalog import Catalog, load_catalog
from site_builder.site import fragments, reuse, urls
from site_builder.site.build import BuildReport, fragment_files, rendered
from site_builder.site.escape import md
from site_builder.site.evaluate import evaluate
from site_builder.site.layout import Layout
from site_builder.site.results import HEADLINE_CONTEXT, Query
from site_builder.site.sitedata import SiteData
from site_builder.site.store import Store

THRESHOLD_PCT = 5.0
"""A speed moved when it changed by more than this share of its old value."""


class Figure(NamedTuple):
    """One setup's result at the headline context."""

    verdict: str
    decode_tok_s: float | None
    prefill_tok_s: float | None


Pair = tuple[str, str]
"""(combo, model)."""


class Pick(NamedTuple):
    """The recommended setup of a combo x model ("nothing runs" without one)."""

    setup: str
    figure: Figure | None


@dataclass(frozen=True)
class Snapshot:
    """The site one catalog and content produce: pages by URL, results by combo and model."""

    pages: dict[str, str]
    figures: dict[Pair, dict[str, Figure]]
    """(combo, model) -> setup ("runtime quant [split]") -> its result."""
    recommended: dict[Pair, Pick]
    """(combo, model) -> the recommended setup and its result."""
    names: dict[str, str] = field(default_factory=dict)
    """Combo and model IDs -> the names readers know them by."""


def snapshot(layout: Layout, last_work: Path | None = None) -> Snapshot:
    """Render ``layout``'s catalog and content as the build does, up to the pages.
    ``last_work``: the work folder of an earlier build, whose results of the combos this catalog
    and content leave unchanged are read back instead of evaluated again
    (:func:`~site_builder.site.reuse.from_last_build`)."""
    catalog = load_catalog(layout.catalog)
    if last_work is None:
        return _snapshot(layout, catalog, None)
    last = dataclasses.replace(layout, work=last_work)
    return reuse.from_last_build(last, catalog, partial(_snapshot, layout, catalog))


def _snapshot(layout: Layout, catalog: Catalog, last: Store | None) -> Snapshot:
    data = SiteData(catalog, evaluate(catalog, layout.content, store=last), layout.content)
    site = rendered(layout, data, BuildReport(layout.site))
    inlined = {**fragment_files(layout, data), **site.asides}
    texts = {k: v for k, v in inlined.items() if isinstance(v, str)}
    pages = {
        urls.site_url(path): fragments.inline(text, texts)
        for path, text in site.docs.items()
        if path.endswith(".md") and isinstance(text, str)
    }
    names = {slug: c.name for slug, c in catalog.combos.items()}
    names.update((slug, m.name) for slug, m in catalog.models.items())
    return Snapshot(pages, _figures(data), _recommended(data), names)


def _figures(data: SiteData) -> dict[Pair, dict[str, Figure]]:
    out: dict[Pair, dict[str, Figure]] = {}
    for combo in data.catalog.combos:
        for model in data.catalog.models:
            cell = data.results.for_cell(combo, model, HEADLINE_CONTEXT)
            out[(combo, model)] = {
                setup(q): Figure(e.verdict, e.decode_tok_s, e.prefill_tok_s) for q, e in cell
            }
    return out


def _recommended(data: SiteData) -> dict[Pair, Pick]:
    out: dict[Pair, Pick] = {}
    for pair in itertools.product(data.catalog.combos, data.catalog.models):
        top = data.results.recommendation(*pair).headline
        if top is None:
            out[pair] = Pick("nothing runs", None)
            continue
        e, split = top.estimate, top.estimate.split
        label = f"{top.config.runtime} {top.config.quant}"
        label = f"{label} ({split})" if split not in ("none", "") else label
        out[pair] = Pick(label, Figure(e.verdict, e.decode_tok_s, e.prefill_tok_s))
    return out


def setup(query: Query) -> str:
    """A grid setup as the report names it: ``llama-cpp Q4_K_M``."""
    return f"{query.runtime} {query.quant}"


class Move(NamedTuple):
    """One result that moved: a setup's verdict or speed, or the recommended setup."""

    combo: str
    model: str
    setup: str
    what: str
    """"recommended", "verdict", "decode tok/s" or "prefill tok/s"."""
    before: str
    after: str
    change_pct: float | None = None
    """How far a speed moved, percent of its old value."""
    pick: bool = False
    """About the recommended setup (its change, or its own figures)."""


@dataclass(frozen=True)
class Diff:
    """What differs between two snapshots."""

    added: list[str]
    removed: list[str]
    changed: list[str]
    moves: list[Move]
    new_pairs: list[Pair]
    gone_pairs: list[Pair]
    names: dict[str, str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moves or self.new_pairs)


def compare(before: Snapshot, after: Snapshot, threshold_pct: float = THRESHOLD_PCT) -> Diff:
    """Pages added, removed and changed; results that moved by combo and model (a verdict, the
    recommended setup, decode or prefill beyond ``threshold_pct``); combo x model pairs that
    appear or disappear (a new combo or model), listed once, not result by result."""
    old, new = before.pages, after.pages
    moves: list[Move] = []
    for pair in sorted(before.figures.keys() & after.figures.keys()):
        moves += _moved(pair, before, after, threshold_pct)
    return Diff(
        added=sorted(new.keys() - old.keys()),
        removed=sorted(old.keys() - new.keys()),
        changed=sorted(p for p in old.keys() & new.keys() if old[p] != new[p]),
        moves=moves,
        new_pairs=sorted(after.figures.keys() - before.figures.keys()),
        gone_pairs=sorted(before.figures.keys() - after.figures.keys()),
        names={**before.names, **after.names},
    )


def _moved(pair: Pair, before: Snapshot, after: Snapshot, threshold_pct: float) -> list[Move]:
    combo, model = pair
    out: list[Move] = []
    was, now = before.recommended.get(pair), after.recommended.get(pair)
    shown = ""
    if was is not None and now is not None:
        if was.setup != now.setup:
            out.append(
                Move(combo, model, now.setup, "recommended", was.setup, now.setup, None, True)
            )
        elif was.figure is not None and now.figure is not None:
            shown = now.setup
            moved = _figure_moves(combo, model, now.setup, was.figure, now.figure, threshold_pct)
            out += [m._replace(pick=True) for m in moved]
    old, new = before.figures[pair], after.figures[pair]
    for name in sorted((old.keys() | new.keys()) - {shown}):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            out.append(Move(combo, model, name, "verdict", _state(a), _state(b)))
        else:
            out += _figure_moves(combo, model, name, a, b, threshold_pct)
    return out


def _figure_moves(
    combo: str, model: str, name: str, a: Figure, b: Figure, threshold_pct: float
) -> list[Move]:
    if a.verdict != b.verdict:
        return [Move(combo, model, name, "verdict", a.verdict, b.verdict)]
    out = []
    for what, x, y in (
        ("decode tok/s", a.decode_tok_s, b.decode_tok_s),
        ("prefill tok/s", a.prefill_tok_s, b.prefill_tok_s),
    ):
        if _beyond(x, y, threshold_pct):
            change = None if x is None or y is None else (y - x) / x * 100
            out.append(Move(combo, model, name, what, _speed(x), _speed(y), change))
    return out


def _state(figure: Figure | None) -> str:
    return "not evaluated" if figure is None else figure.verdict


def _beyond(x: float | None, y: float | None, threshold_pct: float) -> bool:
    if x is None or y is None:
        return (x is None) != (y is None)
    return abs(y - x) > abs(x) * threshold_pct / 100


def _speed(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def report(
    diff: Diff, base: str, head: str, threshold_pct: float = THRESHOLD_PCT, limit: int = 0
) -> str:
    """The diff as Markdown: a summary line, the pages, then the results by combo, one row per
    model (the recommended setup's change first, verdicts, then how many other setups' speeds
    moved and by how much). With ``limit``, the report stops before exceeding that many
    characters and says what it left out."""
    if diff.empty:
        return f"## Site diff: {base} → {head}\n\nNo page and no result changed.\n"
    lines = [
        f"## Site diff: {base} → {head}",
        "",
        f"Pages: {len(diff.added)} added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed. Results: {len(diff.moves)} moved (speeds by more than "
        f"{threshold_pct:g} %) on {len({m[:2] for m in diff.moves})} combo × model pairs; "
        f"{len(diff.new_pairs)} pairs new, {len(diff.gone_pairs)} removed.",
    ]
    lines += _moves(diff)
    lines += _pairs("New combo × model pairs", diff.new_pairs, diff.names)
    lines += _pairs("Removed combo × model pairs", diff.gone_pairs, diff.names)
    for title, pages in (
        ("Pages added", diff.added),
        ("Pages removed", diff.removed),
        ("Pages changed", diff.changed),
    ):
        if pages:
            lines += ["", f"### {title} ({len(pages)})", "", *(f"- `{p}`" for p in pages)]
    return _limited(lines, limit)


def _moves(diff: Diff) -> list[str]:
    if not diff.moves:
        return []
    out = ["", "### Results that moved"]
    by_pair: dict[Pair, list[Move]] = {}
    for move in diff.moves:
        by_pair.setdefault((move.combo, move.model), []).append(move)
    combo = None
    for (pair_combo, model), moves in by_pair.items():
        if pair_combo != combo:
            combo = pair_combo
            out += ["", f"#### {md(diff.names.get(combo, combo))} (`{combo}`)", ""]
            out += ["| Model | Recommended | Verdicts | Other speeds |", "|---|---|---|---|"]
        out.append(f"| {md(diff.names.get(model, model))} | {_pair_row(moves)} |")
    return out


def _pair_row(moves: list[Move]) -> str:
    """The recommended setup's change, the verdict changes, the other speed changes."""
    own = [m for m in moves if m.pick]
    pick = "; ".join(_described(m) for m in own) or "—"
    rest = [m for m in moves if not m.pick]
    verdicts = [m for m in rest if m.what == "verdict"]
    verdict = "; ".join(f"{md(m.setup)}: {m.before} → {m.after}" for m in verdicts) or "—"
    changes = [m.change_pct for m in rest if m.change_pct is not None]
    others = f"{len(changes)} moved, {_range(changes)}" if changes else "—"
    return f"{pick} | {verdict} | {others}"


def _described(move: Move) -> str:
    if move.what == "recommended":
        return f"{md(move.before)} → {md(move.after)}"
    return f"{md(move.setup)}: {move.what} {move.before} → {move.after}"


def _range(changes: list[float]) -> str:
    low, high = min(changes), max(changes)
    if f"{low:+.0f}" == f"{high:+.0f}":
        return f"{low:+.0f} %"
    return f"{low:+.0f} % to {high:+.0f} %"


def _limited(lines: list[str], limit: int) -> str:
    """The lines joined, cut before ``limit`` characters with a note (0: no limit)."""
    text = "\n".join(lines) + "\n"
    if not limit or len(text) <= limit:
        return text
    kept: list[str] = []
    size = 0
    note = "\n_Report cut at {n} of {total} lines: run `site-builder diff` for all of it._\n"
    for line in lines:
        if size + len(line) + 1 + len(note) + 20 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept) + note.format(n=len(kept), total=len(lines))


def _pairs(title: str, pairs: list[Pair], names: dict[str, str]) -> list[str]:
    """Pairs in one line per combo (a new combo) or per model (a new model), whichever is
    fewer."""
    if not pairs:
        return []
    by_combo = len({c for c, _ in pairs}) <= len({m for _, m in pairs})
    groups: dict[str, list[str]] = {}
    for combo, model in pairs:
        key, other = (combo, model) if by_combo else (model, combo)
        groups.setdefault(key, []).append(other)
    out = ["", f"### {title} ({len(pairs)})", ""]
    for key, others in groups.items():
        shown = ", ".join(md(names.get(o, o)) for o in others[:5])
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        out.append(f"- {md(names.get(key, key))}: {shown}{more}")
    return out
