"""`site-builder estimate --batch` end to end: JSON Lines in, strict JSON Lines out.

Writes N batch lines (combo x model x rated runtime x loadable quant x context, cycled in
catalog order), runs the real CLI on them in a subprocess, checks one answer per line and
prints configurations per second of wall time, catalog load and interpreter start included
(best of a few rounds). Target: >= 15,000/s.
Run: python benchmarks/batch.py [--lines N] [--rounds N]   (also: make bench)
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
CONTEXTS = (4096, 8192, 32768)
TARGET_PER_S = 15_000


def lines(catalog: Catalog) -> Iterator[dict[str, object]]:
    """Every combo x model x rated runtime x loadable quant x context, in catalog order."""
    for slug, combo in catalog.combos.items():
        runtimes = sorted(r.runtime for r in combo.runtimes if r.runtime in catalog.runtimes)
        for model in catalog.models:
            for runtime in runtimes:
                formats = catalog.runtimes[runtime].quant_formats
                for quant, entry in catalog.quants.items():
                    if entry.format in formats:
                        for context in CONTEXTS:
                            yield {
                                "combo": slug,
                                "model": model,
                                "quant": quant,
                                "runtime": runtime,
                                "context": context,
                            }


def run_once(path: Path, count: int) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "estimate", "--batch", str(path)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    answers = done.stdout.splitlines()
    assert len(answers) == count, (len(answers), count)
    json.loads(answers[-1])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog(ROOT / "catalog")
    batch = list(itertools.islice(itertools.cycle(list(lines(catalog))), args.lines))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.jsonl"
        path.write_text("".join(json.dumps(b) + "\n" for b in batch), encoding="utf-8")
        best = min(run_once(path, len(batch)) for _ in range(args.rounds))
    rate = len(batch) / best
    print(f"estimate --batch: {len(batch):,} lines in {best:.2f} s wall -> {rate:,.0f} configs/s")
    print(f"target >= {TARGET_PER_S:,}/s: {'met' if rate >= TARGET_PER_S else 'NOT met'}")


if __name__ == "__main__":
    main()
