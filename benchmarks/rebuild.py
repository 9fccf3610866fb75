"""Rebuilds of the shipped catalog against a clean build (issue 13): after editing one combo
file, and with nothing changed.

Each round copies ``catalog/`` into a temporary folder and runs ``site-builder build`` on it,
each build in a new interpreter like the CLI: a clean build (a new work folder and site), then
one after editing one combo file's text (its ``summary:`` line: its pages change, its engine
results are kept), one after editing an engine input of it (its ``psu_w:``: its results are
worked out again too), one after editing a GPU (the RTX 3090's ``board_power_w:``: the
combos holding it worked out again, every page made; no target), then one with nothing
changed. Prints each build's wall time
and stages, then the medians over ``--rounds`` rounds and the ratios to the clean build.
Targets: a one-combo rebuild <= 25 % of a clean build, a rebuild with nothing changed <= 10 %.
Run: python benchmarks/rebuild.py [--rounds N] [--combo SLUG]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = (
    "import sys; sys.path.insert(0, {src!r}); from site_builder.cli import main; "
    "sys.exit(main(['build', '--catalog', {catalog!r}, '--site', {site!r}, '--work', {work!r}]))"
)


def timed_build(catalog: Path, folder: Path) -> tuple[float, str]:
    """Wall seconds and summary line of ``site-builder build`` of ``catalog`` into
    ``folder``'s site and work folders."""
    code = BUILD.format(
        src=str(ROOT), catalog=str(catalog), site=str(folder / "site"), work=str(folder / "work")
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    lines = done.stdout.splitlines()
    line = next((t for t in lines if t.startswith("built ") or "up to date" in t), "")
    return wall, re.sub(r" into .*|: nothing .*", "", line)


def edit_entity(path: Path, key: str, round_number: int) -> None:
    """Change the entity's ``summary:`` line (a different text each round) or add one to its
    numeric ``key:`` line (a watt to ``psu_w:``, ``board_power_w:``)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(f"{key}:") and key == "summary":
            lines[i] = line.rstrip("\n") + f" Edited {round_number}.\n"
            break
        if line.startswith(f"{key}:"):
            lines[i] = f"{key}: {float(line.split(':', 1)[1]) + 1:g}\n"
            break
    else:
        raise SystemExit(f"{path} has no {key}: line")
    path.write_text("".join(lines), encoding="utf-8")


EDITS = {
    "one combo's text": ("combos", "summary"),
    "one combo's engine input": ("combos", "psu_w"),
    "one GPU's spec": ("gpus", "board_power_w"),
}
"""Each edit: the catalog folder and the key of the line it changes (the combo is
``--combo``, the GPU :data:`GPU`)."""
GPU = "rtx-3090"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--combo", default="dual-rtx-4090")
    args = parser.parse_args()
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/

    print(machine.speed_line(), flush=True)
    found: dict[str, list[float]] = {"clean": [], **{k: [] for k in EDITS}, "no change": []}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        catalog = folder / "catalog"
        shutil.copytree(ROOT / "catalog", catalog)
        for i in range(args.rounds):
            shutil.rmtree(folder / "out", ignore_errors=True)
            for kind in found:
                if kind in EDITS:
                    kinds, key = EDITS[kind]
                    slug = args.combo if kinds == "combos" else GPU
                    edit_entity(catalog / kinds / f"{slug}.yaml", key, i)
                wall, line = timed_build(catalog, folder / "out")
                found[kind].append(wall)
                print(f"round {i + 1}, {kind}: {wall:.1f} s wall; {line}", flush=True)
    clean = statistics.median(found["clean"])
    for kind, walls in found.items():
        median = statistics.median(walls)
        print(f"{kind}: median {median:.1f} s, {median / clean:.0%} of a clean build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
