"""The compiled engine (site_builder/engine/native.py): the same answers as the source, used only
for the sources it was compiled from."""

from __future__ import annotations

import importlib.util
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from site_builder.catalog import load_catalog
from site_builder.engine import config_for_combo, estimate, native
from site_builder.engine.recommend import recommend

ROOT = Path(__file__).resolve().parents[2]

SWEEP = """
import hashlib, sys
from pathlib import Path
from site_builder.catalog import load_catalog
from site_builder.engine import estimate, native, prepare
from site_builder.engine.recommend import candidates
from site_builder.engine.workloads import HEADLINE
from site_builder.site.results import base_config

catalog = load_catalog(Path("catalog"))
models = list(catalog.models)[::7]
lookups = prepare(catalog, remember_plans=False)
answers = [
    estimate(catalog, config, lookups)
    for combo in catalog.combos
    for model in models
    for config in candidates(catalog, base_config(catalog, combo, model), HEADLINE)
]
runnable = sum(1 for a in answers if a.verdict != "unsupported")
print(native.active(), len(answers), runnable, hashlib.sha256(repr(answers).encode()).hexdigest())
"""


def sweep(compiled: bool) -> list[str]:
    """(compiled?, answers, runnable ones, digest of every answer's repr) of a sweep over every
    shipped combo and every seventh model, run in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k != native.SWITCH}
    if not compiled:
        env[native.SWITCH] = "0"
    done = subprocess.run(
        [sys.executable, "-c", SWEEP], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def compiler_here() -> bool:
    return shutil.which("cc") is not None and importlib.util.find_spec("mypyc") is not None


def test_the_compiled_engine_answers_every_configuration_as_the_source_does() -> None:
    if compiler_here():
        print(native.build())  # `make` has compiled these sources; a bare pytest after an edit
    compiled, source = sweep(compiled=True), sweep(compiled=False)
    assert source[0] == "False"
    # where a C compiler and mypyc are installed (`make` installs mypyc), the engine is compiled
    assert compiled[0] == str(compiler_here())
    assert int(compiled[1]) > 40_000 and int(compiled[2]) > 8_000
    assert compiled[1:] == source[1:]


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the package's sources, which :func:`native.key` then reads."""
    copy = tmp_path / "site_builder"
    shutil.copytree(native.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(native, "PACKAGE", copy)
    return copy


@pytest.mark.parametrize(
    ("edited", "stale"),
    [
        ("engine/decode.py", True),
        ("engine/recommend.py", True),  # not compiled, but type-checked with the rest
        ("schema/gpu.py", True),
        ("catalog/store.py", True),
        ("errors.py", True),
        ("site/render.py", False),
        ("catalog/loader.py", False),
    ],
)
def test_an_edit_to_what_the_compiled_code_was_checked_against_makes_it_stale(
    package: Path, edited: str, stale: bool
) -> None:
    before = native.key()
    with (package / edited).open("a") as file:
        file.write("\n# edited\n")
    assert (native.key() != before) is stale


def test_a_build_is_used_only_when_complete_and_not_switched_off(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "ROOT", tmp_path / "native")
    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = tmp_path / "native" / native.key()
    (folder / "site_builder" / "engine").mkdir(parents=True)
    path = ["/source"]
    assert not native.use(path)  # no `complete`: a build cut short
    assert path == ["/source"]
    (folder / native.DONE).write_text("mypyc\n")
    monkeypatch.setenv(native.SWITCH, "0")
    assert not native.use(path)
    assert path == ["/source"]
    monkeypatch.delenv(native.SWITCH)
    assert native.use(path)
    assert path == [str(folder / "site_builder" / "engine"), "/source"]
    assert sys.path[-1] == str(folder)
    with (package / "engine" / "fit.py").open("a") as file:
        file.write("\n# edited\n")
    assert not native.use(["/source"])  # the sources changed since


def test_what_the_build_sends_between_processes_pickles_compiled_or_not() -> None:
    # a compiled frozen dataclass cannot be unpickled field by field: each that crosses
    # processes (estimates, recommendations with their answers and evidence) has a __reduce__
    catalog = load_catalog(ROOT / "catalog")
    base = config_for_combo(
        catalog, "dual-rtx-4090", model="qwen3-30b-a3b", quant="Q4_K_M", runtime="llama-cpp"
    )
    found = recommend(catalog, base, "chat", estimate)
    assert found.headline is not None and found.headline.evidence.label
    again = pickle.loads(pickle.dumps(found))
    assert again == found
    assert type(again.headline) is type(found.headline)


def test_a_compiled_process_holds_every_compiled_module_from_the_start() -> None:
    # a later compile removes this build's folder: nothing may be left to import from it
    if not compiler_here():
        pytest.skip("no C compiler or mypyc here: the engine runs from source")
    print(native.build())
    code = (
        "import sys, site_builder.engine as e; from site_builder.engine import native; "
        "print(native.active(), sorted(n for n in native.MODULES "
        "if f'site_builder.engine.{n}' not in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split(" ", 1) == ["True", "[]\n"]
