"""Time `site-builder validate` on the shipped catalog and on a synthetic 10x catalog.

Prints wall-clock figures and files per second; the target is under 1 s for the shipped catalog
(issue: "validate passes on the shipped catalog in under 1 s").
Run: .venv/bin/python benchmarks/validate_speed.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_S = 1.0


def _time_in_process(root: Path, repeats: int = 5) -> float:
    from site_builder.catalog import load_catalog

    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        load_catalog(root)
        best = min(best, time.perf_counter() - start)
    return best


def _time_cli(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "site_builder.cli", "validate", "--catalog", str(root)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def _scaled_copy(root: Path, factor: int, into: Path) -> Path:
    """A catalog with every benchmark and combo duplicated ``factor`` times."""
    out = into / "catalog"
    shutil.copytree(root, out)
    for kind in ("benchmarks", "combos"):
        for path in sorted((root / kind).glob("*.yaml")):
            for i in range(1, factor):
                shutil.copy(path, out / kind / f"{path.stem}-copy{i}.yaml")
    return out


def main() -> None:
    root = REPO / "catalog"
    files = len(list(root.glob("*/*.yaml")))
    load_s = _time_in_process(root)
    cli_s = _time_cli(root)
    print(f"shipped catalog: {files} files")
    print(
        f"  load+validate (in process, best of 5): {load_s * 1000:.0f} ms "
        f"({files / load_s:.0f} files/s)"
    )
    print(
        f"  `site-builder validate` (whole process): {cli_s * 1000:.0f} ms "
        f"(target < {TARGET_S * 1000:.0f} ms: ratio {cli_s / TARGET_S:.2f})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        big = _scaled_copy(root, 10, Path(tmp))
        big_files = len(list(big.glob("*/*.yaml")))
        big_s = _time_in_process(big, repeats=2)
        print(
            f"10x benchmarks+combos: {big_files} files, {big_s * 1000:.0f} ms "
            f"({big_files / big_s:.0f} files/s)"
        )


if __name__ == "__main__":
    main()
