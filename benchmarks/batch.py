"""`site-builder estimate --batch` end to end: JSON Lines in, strict JSON Lines out.

Writes N batch lines (combo x model x rated runtime x loadable quant x context, cycled in
catalog order; 100,000 by default, a bulk batch, so the fixed start-up of about 0.3 s, printed
apart, does not stand in for the cost per configuration), runs the real CLI on them in a
subprocess, checks one answer per line and prints configurations per second of wall time,
catalog load and interpreter start included (best of a few rounds). Then the engine's own
rate on the same configurations: ``estimate`` called in this process on each line's
configuration (built beforehand), one pass with fresh lookups, CPU seconds of one core (best
of the same number of rounds).
Targets: >= 15,000/s, and the engine's own rate at most 2x the batch's (the scale issue).
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
from site_builder.engine import estimate
from site_builder.engine.estimate import prepare
from site_builder.engine.request import config_from

ROOT = Path(__file__).resolve().parents[1]
CONTEXTS = (4096, 8192, 32768)
TARGET_PER_S = 15_000
TARGET_RATIO = 2.0


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
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/

    print(machine.speed_line(), flush=True)
    catalog = load_catalog(ROOT / "catalog")
    batch = list(itertools.islice(itertools.cycle(list(lines(catalog))), args.lines))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.jsonl"
        path.write_text("".join(json.dumps(b) + "\n" for b in batch), encoding="utf-8")
        best = min(run_once(path, len(batch)) for _ in range(args.rounds))
        path.write_text(json.dumps(batch[0]) + "\n", encoding="utf-8")
        start_up = min(run_once(path, 1) for _ in range(args.rounds))
    rate = len(batch) / best
    print(f"estimate --batch: {len(batch):,} lines in {best:.2f} s wall -> {rate:,.0f} configs/s")
    print(f"of it start-up (interpreter, catalog, one line): {start_up:.2f} s")
    print(f"target >= {TARGET_PER_S:,}/s: {'met' if rate >= TARGET_PER_S else 'NOT met'}")
    engine = max(engine_rate(catalog, batch) for _ in range(args.rounds))
    ratio = engine / rate
    print(
        f"the engine alone on the same configurations: {engine:,.0f}/s on one core; "
        f"the batch end to end is {ratio:.2f}x slower "
        f"(target <= {TARGET_RATIO:g}x: {'met' if ratio <= TARGET_RATIO else 'NOT met'})"
    )


def engine_rate(catalog: Catalog, batch: list[dict[str, object]]) -> float:
    """Configurations per CPU second of ``estimate`` alone on the batch's configurations: one
    pass, fresh lookups (as the batch has), the configurations built beforehand."""
    configs = [config_from(catalog, line) for line in batch]
    lookups = prepare(catalog)
    started = time.process_time()
    for config in configs:
        estimate(catalog, config, lookups)
    return len(configs) / (time.process_time() - started)


if __name__ == "__main__":
    main()
