"""Stack recipes run as written: every stack's workload and each variation runs on its combo.

A recipe whose setup the engine computes as not fitting fails the build at the workload's line,
saying what makes it fit (the largest context window that does, which is also what its launch
command then allocates), so a published variation always fits, and its command and its
expected outcome describe the same setup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from site_builder.catalog import yamlsafe
from site_builder.catalog.locate import locate
from site_builder.errors import Problem
from site_builder.schema import Workload
from site_builder.site import fmt
from site_builder.site.results import is_runnable, workload_query
from site_builder.site.sitedata import SiteData

STEP = 1024
"""Context windows are suggested in whole multiples of this many tokens."""


def problems(data: SiteData, catalog_dir: Path) -> Iterator[Problem]:
    catalog = data.catalog
    for slug, stack in catalog.stacks.items():
        setups: list[tuple[tuple[str | int, ...], Workload]] = [(("workload",), stack.workload)]
        setups += [
            (("variations", i, "workload"), v.workload) for i, v in enumerate(stack.variations)
        ]
        for loc, workload in setups:
            message = _problem(data, stack.combo, workload)
            if message:
                shown = catalog.paths[("stacks", slug)]
                line, col = _position(catalog_dir / "stacks" / f"{slug}.yaml", loc)
                yield Problem(shown, line, col, _field(loc), message)


def _problem(data: SiteData, combo: str, workload: Workload) -> str:
    estimate = data.results.get(workload_query(combo, workload))
    if is_runnable(estimate):
        return ""
    why = estimate.reasons[0] if estimate.reasons else fmt.verdict_words(estimate.verdict)
    if estimate.verdict == "no-fit" and estimate.max_context >= STEP:
        window = estimate.max_context // STEP * STEP
        return (
            f"this setup does not fit at {workload.context_tokens:,} tokens of context ({why}); "
            f"it fits with a window of {window:,} tokens or fewer: set context_tokens: {window} "
            "and use the same window in the setup commands"
        )
    return f"this setup does not run on the stack's combo ({why}): choose another quant or runtime"


def _field(loc: tuple[str | int, ...]) -> str:
    """``variations[2].workload``, as the loader names fields."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _position(path: Path, loc: tuple[str | int, ...]) -> tuple[int, int]:
    parsed = yamlsafe.parse(path.read_text(encoding="utf-8"))
    if isinstance(parsed, list):
        return 1, 1
    return locate(parsed.root, loc)
