"""Wall time and peak memory of a full build of the shipped catalog, against the build before
the catalog grew to full breadth (issue 12), per page built.

Builds the shipped catalog with this checkout and with :data:`BASELINE_COMMIT` (checked out
into a temporary git worktree, run with the same interpreter), interleaved ``--rounds`` times
so machine noise hits both alike, and prints each build's wall time, peak memory (the build
process and, separately, its largest forked worker) and stage timings, then the medians, the
growth in pages and the ratios per page. Target: time and memory per page <= 1.0x the
baseline's. Without git history the recorded baseline (:data:`BASELINE_S`,
:data:`BASELINE_PAGES`) stands in for time.
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
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
BASELINE_COMMIT = "c995891"
BASELINE_S = 7.95
BASELINE_PAGES = 160
"""The catalog before issue 12 (32 GPUs, 25 models, 19 combos): 160 pages, median of two
builds 7.95 s (peak 220 MiB, largest worker 296 MiB) on the project's 2-core machine,
2026-11-30."""

BUILD = (
    "import resource, sys; sys.path.insert(0, {src!r}); from site_builder.cli import main; "
    "code = main(['build', '--site', {site!r}, '--work', {work!r}]); "
    "print('peak_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


class Build(NamedTuple):
    wall_s: float
    pages: int
    peak_mib: float
    """The build process's peak resident memory."""
    worker_mib: float
    """The largest forked worker's peak resident memory."""
    line: str


def timed_build(source: Path, site: Path) -> Build:
    """Wall seconds, pages, peak memory and summary line of ``site-builder build`` of
    ``source``'s catalog."""
    code = BUILD.format(src=str(source), site=str(site / "site"), work=str(site / "work"))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    line = next((t for t in done.stdout.splitlines() if t.startswith("built ")), "")
    peak = next((t.split() for t in done.stdout.splitlines() if t.startswith("peak_kib")), [])
    pages = re.search(r"built (\d+) pages", line)
    return Build(
        wall,
        int(pages.group(1)) if pages else 0,
        int(peak[1]) / 1024 if peak else 0.0,
        int(peak[2]) / 1024 if peak else 0.0,
        re.sub(r" into .*", "", line),
    )


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
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/

    print(machine.speed_line(), flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        baseline = baseline_tree(folder)
        try:
            mine: list[Build] = []
            theirs: list[Build] = []
            for i in range(args.rounds):
                build = timed_build(ROOT, folder / f"site-{i}")
                mine.append(build)
                print(f"this checkout: {_describe(build)}")
                if baseline is not None:
                    build = timed_build(baseline, folder / f"base-{i}")
                    theirs.append(build)
                    print(f"baseline {BASELINE_COMMIT}: {_describe(build)}")
        finally:
            if baseline is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT)
    report(mine, theirs)
    return 0


def _describe(build: Build) -> str:
    return (
        f"{build.wall_s:.2f} s wall, {build.pages} pages, peak {build.peak_mib:.0f} MiB "
        f"(largest worker {build.worker_mib:.0f} MiB); {build.line}"
    )


def _median(builds: list[Build], field: str) -> float:
    return statistics.median(float(getattr(b, field)) for b in builds)


def report(mine: list[Build], theirs: list[Build]) -> None:
    """Medians, growth in pages, and time and memory per page against the baseline."""
    wall, pages = _median(mine, "wall_s"), _median(mine, "pages")
    base_wall = _median(theirs, "wall_s") if theirs else BASELINE_S
    base_pages = _median(theirs, "pages") if theirs else BASELINE_PAGES
    growth = pages / base_pages
    time_ratio = (wall / pages) / (base_wall / base_pages)
    print(
        f"median build: {wall:.2f} s for {pages:.0f} pages; baseline {base_wall:.2f} s for "
        f"{base_pages:.0f} pages ({'measured now' if theirs else 'recorded'}); pages grew "
        f"{growth:.2f}x, time grew {wall / base_wall:.2f}x: time per page {time_ratio:.2f}x "
        f"({'OK' if time_ratio <= 1.0 else 'SLOWER per page than the baseline'})"
    )
    if theirs:
        for field, name in (("peak_mib", "build process"), ("worker_mib", "largest worker")):
            mem, base = _median(mine, field), _median(theirs, field)
            ratio = (mem / pages) / (base / base_pages)
            print(
                f"peak memory, {name}: {mem:.0f} MiB vs {base:.0f} MiB: grew {mem / base:.2f}x, "
                f"per page {ratio:.2f}x ({'OK' if ratio <= 1.0 else 'MORE per page'})"
            )


if __name__ == "__main__":
    raise SystemExit(main())
