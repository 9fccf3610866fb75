"""The shipped benchmarks generated from measurement transcriptions are exactly what
``tools/import_measurements.py`` writes from them today: no generated file was edited by hand,
none is stale, none lacks its transcription (``tools/measurements/README.md``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
TRANSCRIPTIONS = sorted((REPO / "tools" / "measurements").glob("*.yaml"))


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_measurements", REPO / "tools" / "import_measurements.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


@pytest.mark.parametrize("path", TRANSCRIPTIONS, ids=lambda p: p.stem)
def test_generated_benchmarks_equal_their_transcription(path: Path) -> None:
    made = SCRIPT.files_of(path)
    assert made, f"{path.name} generates no benchmark"
    for name, text in made.items():
        shipped = REPO / "catalog" / "benchmarks" / name
        assert shipped.is_file(), f"{name} missing: run tools/import_measurements.py {path.name}"
        assert shipped.read_text() == text, f"{name} differs from what {path.name} generates"


def test_every_generated_benchmark_has_its_transcription() -> None:
    made = {name for path in TRANSCRIPTIONS for name in SCRIPT.files_of(path)}
    generated = {
        p.name
        for p in (REPO / "catalog" / "benchmarks").glob("*.yaml")
        if SCRIPT.generated_by(p) is not None
    }
    assert generated - made == set()
    assert len(generated) > 100  # the check reads the shipped files, not an empty folder
