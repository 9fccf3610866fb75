"""Wall time of a full build of the shipped catalog, against the build before the
evaluate-once redesign.

Builds the shipped catalog with this checkout and with :data:`BASELINE_COMMIT` (checked out
into a temporary git worktree, run with the same interpreter), interleaved ``--rounds`` times
so machine noise hits both alike, and prints each build's wall time and stage timings, the
medians and their ratio. Target: ratio <= 1.0. Without git history the recorded baseline
median (:data:`BASELINE_S`) stands in.
Run: python benchmarks/build_time.py [--rounds N]   (also: make bench)
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "516915e"
BASELINE_S = 7.7
"""Median of five builds of the baseline commit on the project's 2-core machine, 2026-11-30."""

BUILD = (
    "import sys; sys.path.insert(0, {src!r}); from site_builder.cli import main; "
    "sys.exit(main(['build', '--site', {site!r}, '--work', {work!r}]))"
)


def timed_build(source: Path, site: Path) -> tuple[float, str]:
    """Wall seconds of ``site-builder build`` of ``source``'s catalog, and its summary line."""
    code = BUILD.format(src=str(source), site=str(site / "site"), work=str(site / "work"))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    line = next((t for t in done.stdout.splitlines() if t.startswith("built ")), "")
    return wall, re.sub(r" into .*", "", line)


def baseline_tree(folder: Path) -> Path | None:
    """The baseline commit in a worktree under ``folder``, or None without git history."""
    tree = folder / "baseline"
    added = subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), BASELINE_COMMIT],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return tree if added.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        baseline = baseline_tree(folder)
        try:
            mine, theirs = [], []
            for i in range(args.rounds):
                wall, line = timed_build(ROOT, folder / f"site-{i}")
                mine.append(wall)
                print(f"this checkout: {wall:.2f} s wall; {line}")
                if baseline is not None:
                    wall, line = timed_build(baseline, folder / f"base-{i}")
                    theirs.append(wall)
                    print(f"baseline {BASELINE_COMMIT}: {wall:.2f} s wall; {line}")
        finally:
            if baseline is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT)
    reference = statistics.median(theirs) if theirs else BASELINE_S
    source = "measured now" if theirs else "recorded"
    ratio = statistics.median(mine) / reference
    print(
        f"median build: {statistics.median(mine):.2f} s; baseline {reference:.2f} s ({source}); "
        f"ratio {ratio:.2f} ({'OK' if ratio <= 1.0 else 'SLOWER than the baseline'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
