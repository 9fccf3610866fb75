"""How the build scales with the catalog: synthetic catalogs of about 1k, 3k and 10k pages.

Each synthetic catalog is the shipped one plus copies of its combos (``<slug>-copy-<n>``, named
"<name> (copy n)", everything else as shipped: valid entries, the same specs and sources), as
many as the target page count needs. Each is built with ``site-builder build`` in a fresh
process; the script prints pages, wall and CPU seconds (the build and its forked workers), CPU
per page, peak memory (the build process and its largest worker), the build's stages' wall
seconds, the output size of each top-level folder of the site, the files over 1 MB and what the
heaviest pages load before the first interaction (``benchmarks/page_weight.py``).

Run: python benchmarks/scale.py [--pages 1000 3000 10000] [--keep DIR]
A 1k-page build takes minutes on two cores; 10k pages takes far longer and needs the memory
the report shows (that is what it measures).
"""

from __future__ import annotations

import argparse
import gzip
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PAGES_PER_COMBO = 4.6
"""Pages a copied combo adds: its page, its will-it-run matrix and the compare pages of its
related combos (measured: 89 copies added 410 pages to the shipped catalog, 2026-11-30)."""

BUILD = (
    "import resource, sys; from site_builder.cli import main; "
    "code = main(['build', '--catalog', {catalog!r}, '--site', {site!r}, '--work', {work!r}]); "
    "print('peak_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
    "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


class Result(NamedTuple):
    pages: int
    combos: int
    wall_s: float
    cpu_s: float
    peak_mib: float
    worker_mib: float
    stages: str
    """The build's own account of its stages' wall seconds (``load 0.8 s, engine 17.2 s, ...``)."""
    sizes: dict[str, int]
    large: list[tuple[str, int, int]]
    """Files over :data:`LIMIT` bytes: (path in the site, bytes, gzipped bytes)."""


LIMIT = 1_000_000
"""The issue's bound on one output file (bytes)."""
TABLE_GZ_LIMIT = 200_000
"""The bound on a configurator table, gzipped (the one kind of file allowed over LIMIT)."""
FIXED = re.compile(
    r"assets/engine/(pyodide\.|python_stdlib\.zip|.*\.whl)|assets/javascripts/.*\.map"
)
"""Files of the same size whatever the catalog holds: the browser engine's runtime (Pyodide,
its standard library, pydantic-core's wheel) and the theme's source map."""


def synthetic_catalog(target_pages: int, shipped_pages: int, folder: Path) -> int:
    """Write the shipped catalog plus enough combo copies for ``target_pages`` into
    ``folder``; return the number of combos."""
    shutil.copytree(ROOT / "catalog", folder)
    combos = sorted((ROOT / "catalog" / "combos").glob("*.yaml"))
    copies = max(0, int((target_pages - shipped_pages) / PAGES_PER_COMBO))
    for n in range(copies):
        source = combos[n % len(combos)]
        round_ = n // len(combos) + 1
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"^name: (.*)$", rf"name: \1 (copy {round_})", text, count=1, flags=re.M)
        (folder / "combos" / f"{source.stem}-copy-{round_}.yaml").write_text(text, "utf-8")
    return len(combos) + copies


def build(catalog: Path, out: Path) -> Result:
    """Build ``catalog`` into ``out`` in a fresh process; measure it."""
    code = BUILD.format(catalog=str(catalog), site=str(out / "site"), work=str(out / "work"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    line = next(t for t in done.stdout.splitlines() if t.startswith("built "))
    peak = next(t.split() for t in done.stdout.splitlines() if t.startswith("peak_kib"))
    pages = int(re.search(r"built (\d+) pages", line).group(1))  # type: ignore[union-attr]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    combos = len(list((catalog / "combos").glob("*.yaml")))
    site = out / "site"
    peaks = int(peak[1]) / 1024, int(peak[2]) / 1024
    stages = re.search(r"\((load .*?)\) into", line)
    found = stages.group(1) if stages else "?"
    return Result(pages, combos, wall, cpu, *peaks, found, sizes(site), large(site))


def large(site: Path) -> list[tuple[str, int, int]]:
    """Every file of the site over :data:`LIMIT` bytes, with its gzipped size."""
    out = []
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.stat().st_size > LIMIT:
            data = path.read_bytes()
            out.append((path.relative_to(site).as_posix(), len(data), len(gzip.compress(data))))
    return out


def sizes(site: Path) -> dict[str, int]:
    """Bytes under each top-level folder of the site (files at the top count as '.')."""
    out: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file():
            parts = path.relative_to(site).parts
            key = parts[0] if len(parts) > 1 else "."
            out[key] = out.get(key, 0) + path.stat().st_size
    return dict(sorted(out.items(), key=lambda item: -item[1]))


def report(result: Result) -> None:
    print(
        f"{result.pages:,} pages ({result.combos} combos): {result.wall_s:.1f} s wall, "
        f"{result.cpu_s:.1f} CPU-s ({1000 * result.cpu_s / result.pages:.0f} ms CPU per page), "
        f"peak {result.peak_mib:.0f} MiB (largest worker {result.worker_mib:.0f} MiB)"
    )
    print(f"  stages (wall): {result.stages}")
    total = sum(result.sizes.values())
    folders = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in list(result.sizes.items())[:8])
    print(f"  output {total / 1e6:.1f} MB: {folders}")
    tables = [f for f in result.large if f[0].startswith("api/estimates/")]
    fixed = [f for f in result.large if FIXED.match(f[0])]
    other = [f for f in result.large if f not in tables and f not in fixed]
    if tables:
        gz = max(f[2] for f in tables)
        verdict = "OK" if gz <= TABLE_GZ_LIMIT else "OVER"
        print(
            f"  files over 1 MB: {len(tables)} configurator tables (allowed; largest "
            f"{gz / 1e3:.0f} KB gzipped, limit {TABLE_GZ_LIMIT / 1e3:.0f}: {verdict})"
        )
    if fixed:
        names = ", ".join(f"{p.rsplit('/', 1)[-1]} {b / 1e6:.1f} MB" for p, b, _ in fixed)
        print(f"  files over 1 MB: fixed size, the same for any catalog ({names})")
    for path, size, gz in other:
        print(f"  files over 1 MB: {path} {size / 1e6:.1f} MB ({gz / 1e6:.1f} MB gzipped): OVER")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--keep", type=Path, help="keep the synthetic catalogs and sites here")
    args = parser.parse_args()
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/
    import page_weight

    print(machine.speed_line(), flush=True)
    with tempfile.TemporaryDirectory() as name:
        folder = args.keep or Path(name)
        shipped = build(ROOT / "catalog", folder / "shipped")
        print("shipped catalog:")
        report(shipped)
        page_weight.report(folder / "shipped" / "site")
        first: Result | None = None
        for target in args.pages:
            catalog = folder / f"catalog-{target}"
            synthetic_catalog(target, shipped.pages, catalog)
            print(f"synthetic catalog for about {target:,} pages:")
            result = build(catalog, folder / f"site-{target}")
            report(result)
            page_weight.report(folder / f"site-{target}" / "site")
            if first is None:
                first = result
                continue
            compare(result, [first])
        if first is not None and len(args.pages) > 1:
            print("the first size again, after the others (this machine's speed drifts):")
            size = args.pages[0]
            again = build(folder / f"catalog-{size}", folder / f"site-{size}-again")
            report(again)
            compare(result, [first, again])
    return 0


def compare(result: Result, baselines: list[Result]) -> None:
    """Print ``result``'s CPU per page and per combo against each baseline and, with two, their
    mean (the same build's CPU time varies by up to a third from one hour to the next here). Per
    combo shows what the page mix hides: copied combos add fewer pages each than the shipped
    catalog has per combo, so CPU per page rises with the copies' share even at a constant cost
    a combo."""
    rows = [(f"{b.pages:,} pages", b.cpu_s / b.pages, b.cpu_s / b.combos) for b in baselines]
    if len(rows) > 1:
        pages, combos = (sum(r[1] for r in rows), sum(r[2] for r in rows))
        rows.append(("their mean", pages / len(rows), combos / len(rows)))
    for name, page, combo in rows:
        print(
            f"  CPU per page {result.cpu_s / result.pages / page:.2f}x that at {name} "
            f"(target <= 1.1x); per combo {result.cpu_s / result.combos / combo:.2f}x"
        )
    first = baselines[0]
    mix = (first.pages / first.combos) / (result.pages / result.combos)
    print(
        f"  pages per combo {result.pages / result.combos:.2f} against "
        f"{first.pages / first.combos:.2f} at {first.pages:,} pages: at the same CPU per combo, "
        f"CPU per page would read {mix:.2f}x from the page mix alone"
    )


if __name__ == "__main__":
    raise SystemExit(main())
