"""How fast this machine runs Python right now: one line every benchmark prints first.

The 2-core machine these benchmarks run on changes speed from day to day: ``estimate --batch``
on the code of commit 4c1909d read 30,192 configurations/s the day that commit was measured,
and 10,360/s with the same code, catalog and benchmark on 2026-12-01 at 18:00 UTC (2.9x
slower). The benchmarks judge their targets on the figures as measured; this line says how
fast the machine was while they ran, so figures from two days can be told apart from a change
in the code. The workload is fixed, pure Python, and does what the build does most (small
dicts, float arithmetic and rounding, string formatting, a sort, ``json.dumps``); CPU seconds
of one core, best of three. Lower is faster.
Run alone: python benchmarks/machine.py
"""

from __future__ import annotations

import json
import time

BASELINE_S = 0.335
"""The workload's time on 2026-12-01 at 18:00 UTC, when 4c1909d's batch read 10,360/s."""


def workload() -> int:
    """The fixed work: 60,000 rows built, sorted and written as JSON (its length returned)."""
    rows = []
    for i in range(60_000):
        x = (i * 2654435761 % 1000003) / 7.0
        rows.append({"id": i, "value": round(x, 2), "name": f"row-{i % 97}", "root": x**0.5})
    rows.sort(key=lambda row: (row["name"], row["value"]))
    return len(json.dumps(rows))


def reference_s(rounds: int = 3) -> float:
    """CPU seconds of :func:`workload`, best of ``rounds``."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        workload()
        times.append(time.process_time() - started)
    return min(times)


def speed_line() -> str:
    """The line the benchmarks print: the workload's time now and against the baseline."""
    seconds = reference_s()
    return (
        f"machine: reference workload {seconds:.3f} CPU-s, {seconds / BASELINE_S:.2f}x its "
        f"{BASELINE_S} s of 2026-12-01 18:00 UTC (benchmarks/machine.py; lower is faster)"
    )


if __name__ == "__main__":
    print(speed_line())
