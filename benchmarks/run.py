"""Engine throughput: configurations per second over the whole catalog.

The batch is every combo x model x quant x runtime (rated for the combo, loading the quant)
x 4 contexts, the grid the site evaluates. Prints configurations per second and microseconds
per configuration (best of a few rounds), per verdict and per runtime. Target: >= 20,000/s
(the engine-truth issue).
Times are CPU seconds of this process (time.process_time), so other work on the machine does
not distort them; one core. Each round starts from fresh lookups (``prepare``), so no round
reads plans a previous round remembered.
Run: python benchmarks/run.py [--catalog DIR] [--rounds N]   (also: make bench)
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Config, config_for_combo, estimate
from site_builder.engine.estimate import Lookups, prepare

CONTEXTS = (4096, 8192, 32768, 131072)
TARGET_PER_S = 20_000


def grid(catalog: Catalog) -> list[Config]:
    """combo x model x (rated runtime, loadable quant) x context."""
    configs = []
    for slug, combo in catalog.combos.items():
        runtimes = sorted(r.runtime for r in combo.runtimes if r.runtime in catalog.runtimes)
        for model in catalog.models:
            for runtime in runtimes:
                formats = catalog.runtimes[runtime].quant_formats
                for quant, entry in catalog.quants.items():
                    if entry.format not in formats:
                        continue
                    for context in CONTEXTS:
                        configs.append(
                            config_for_combo(
                                catalog,
                                slug,
                                model=model,
                                quant=quant,
                                runtime=runtime,
                                context_tokens=context,
                            )
                        )
    return configs


def run_once(
    catalog: Catalog, configs: list[Config], lookups: Lookups | None
) -> tuple[float, Counter[str]]:
    """Seconds to estimate every configuration, and the verdict counts."""
    verdicts: Counter[str] = Counter()
    start = time.process_time()
    for config in configs:
        verdicts[estimate(catalog, config, lookups).verdict] += 1
    return time.process_time() - start, verdicts


def per_runtime(catalog: Catalog, configs: list[Config]) -> dict[str, float]:
    """Microseconds per configuration for each runtime."""
    out = {}
    for runtime in sorted({c.runtime for c in configs}):
        subset = [c for c in configs if c.runtime == runtime]
        seconds, _ = run_once(catalog, subset, prepare(catalog))
        out[runtime] = seconds / len(subset) * 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path, default=Path("catalog"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/

    print(machine.speed_line(), flush=True)
    catalog = load_catalog(args.catalog)
    configs = grid(catalog)
    start = time.perf_counter()
    prepare(catalog)
    prep = time.perf_counter() - start
    rounds = range(max(args.rounds, 1))
    best, verdicts = min(run_once(catalog, configs, prepare(catalog)) for _ in rounds)
    plain, _ = run_once(catalog, configs[::10], None)
    rate = len(configs) / best
    combos, n = len(catalog.combos), len(configs)
    print(f"configurations: {n:,} ({combos} combos x models x runtimes x quants x 4 contexts)")
    print(f"best of {args.rounds}: {best:.3f} s CPU -> {rate:,.0f} configurations/s")
    print(f"per configuration: {best / n * 1e6:.1f} us")
    print(f"prepare(catalog): {prep * 1000:.1f} ms once; without it: {n // 10 / plain:,.0f}/s")
    print(f"target >= {TARGET_PER_S:,}/s: {'met' if rate >= TARGET_PER_S else 'NOT met'}")
    print("verdicts: " + ", ".join(f"{v} {n:,}" for v, n in sorted(verdicts.items())))
    for runtime, micros in per_runtime(catalog, configs).items():
        print(f"  {runtime:<14}{micros:8.1f} us/config")


if __name__ == "__main__":
    main()
