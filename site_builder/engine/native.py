"""The engine's arithmetic compiled to C, used only where the compiled copy is of this very source.

The modules of :data:`MODULES` are plain, fully typed Python; mypyc (the compiler that ships with
mypy) turns them into C extensions that run the same operations on the same IEEE doubles about
twice as fast (a sweep of 69,086 configurations: 3.4 CPU-s from source, 1.3 compiled, the same
results to the last bit). ``make native`` (:func:`build`; ``make site``, ``make test`` and
``make bench`` run it first) compiles them into ``.build/native/<key>/`` beside the package,
where ``key`` is a hash of every source the compiled code was type-checked against
(:func:`key`).

When the engine package is imported, :func:`use` puts that folder first on the package's search
path if it holds a complete build for the sources as they are now; otherwise (no C compiler or
mypyc, a source edited since, or ``SITE_BUILDER_NATIVE=0``) the modules load from source, as in
the reader's browser. An edit to an engine file therefore takes effect at once, from source,
until the next compile. A test holds the compiled engine's answers equal to the source's.

Compiled, a frozen dataclass cannot be unpickled field by field: one that crosses processes (the
build sends estimates and recommendations between them) defines ``__reduce__``.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent / ".build" / "native"
"""Where compiled builds live, one folder per :func:`key`."""
MODULES = (
    "calibration",
    "concurrency",
    "corrections",
    "decode",
    "estimate",
    "evidence",
    "fit",
    "fitting",
    "launch",
    "links",
    "memory",
    "names",
    "offload",
    "placement",
    "plan",
    "power",
    "prefill",
    "recommend",
    "resolve",
    "result",
    "shapes",
    "support",
    "workloads",
)
"""The engine modules compiled (``site_builder/engine/<name>.py``): the ones an estimate runs,
the recommender and the calibration's cross-validation (run once a build, about 4 CPU-s from
source). ``config`` stays Python (the recommender copies its instances' ``__dict__``), as does
what is not on a build's hot path."""
TYPED = ("engine", "schema", "catalog/store.py", "catalog/__init__.py", "errors.py")
"""The sources (under the package) the compiled code is type-checked against: an edit to any
of them makes a compiled build stale."""
DONE = "complete"
"""The file a finished build writes last: a folder without it is not used."""
SWITCH = "SITE_BUILDER_NATIVE"
"""Environment variable: ``0`` runs the engine from source."""


def use(path: list[str]) -> bool:
    """Put the compiled build of the current sources first on the engine package's ``path``
    (its ``__path__``) and its runtime library on ``sys.path``, when there is one and
    :data:`SWITCH` is not ``0``; True when it did."""
    if os.environ.get(SWITCH) == "0" or not ROOT.is_dir():
        return False
    folder = ROOT / key()
    if not (folder / DONE).is_file():
        return False
    path.insert(0, str(folder / "site_builder" / "engine"))
    sys.path.append(str(folder))
    return True


def load(package: str) -> None:
    """Import every compiled module of ``package`` (the engine's) at once: a compile of edited
    sources later removes this build's folder, and a module imported after that would come
    from source beside compiled ones."""
    import importlib

    for name in MODULES:
        importlib.import_module(f"{package}.{name}")


def active() -> bool:
    """Whether this process runs the compiled engine."""
    from site_builder.engine import decode

    return any(str(decode.__file__).endswith(suffix) for suffix in EXTENSION_SUFFIXES)


def key(package: Path | None = None) -> str:
    """A hash of the interpreter's extension ABI and of every file of :data:`TYPED` (names and
    bytes, in a fixed order) in ``package`` (the installed package's folder by default)."""
    package = package or PACKAGE
    digest = hashlib.sha256(EXTENSION_SUFFIXES[0].encode() + b"\0")
    for name in sources(package):
        digest.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def sources(package: Path) -> list[str]:
    """The ``.py`` files of :data:`TYPED` in ``package``, relative to it, sorted."""
    found: list[str] = []
    for entry in TYPED:
        top = package / entry
        if top.is_file():
            found.append(entry)
            continue
        for folder, _, names in os.walk(top):
            base = Path(folder).relative_to(package).as_posix()
            found += [f"{base}/{n}" for n in names if n.endswith(".py")]
    return sorted(found)


def build(jobs: int = 2) -> str:
    """Compile :data:`MODULES` for the current sources unless done; a sentence saying what
    happened. Failing to compile (no mypyc, no C compiler) is not an error: the engine then
    runs from source, with the same results."""
    import shutil
    import subprocess
    import tempfile

    current = ROOT / key()
    if (current / DONE).is_file():
        return f"native engine: up to date ({current})"
    try:
        import mypyc  # noqa: F401  (only to know it is there)
    except ImportError:
        return "native engine: mypyc is not installed; the engine runs from source"
    with tempfile.TemporaryDirectory(prefix="native-") as tmp:
        work = Path(tmp)
        shutil.copytree(PACKAGE, work / "site_builder", ignore=_not_source)
        target = ROOT / key(work / "site_builder")  # of what is compiled, if edited meanwhile
        done = subprocess.run(
            [sys.executable, "-c", _SETUP.format(modules=_paths(), jobs=jobs)],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
            return f"native engine: not compiled, the engine runs from source:\n{tail}"
        _install(work, target)
    return f"native engine: compiled {len(MODULES)} modules into {target}"


_SETUP = (
    "from setuptools import setup\n"
    "from mypyc.build import mypycify\n"
    "setup(name='site-builder-native', ext_modules=mypycify({modules!r}, multi_file=True),"
    " script_args=['-q', 'build_ext', '--inplace', '-j', '{jobs}'])\n"
)


def _paths() -> list[str]:
    return [f"site_builder/engine/{name}.py" for name in MODULES]


def _not_source(folder: str, names: list[str]) -> set[str]:
    """``shutil.copytree``'s filter: only Python sources and the folders holding them."""
    return {n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()}


def _install(work: Path, target: Path) -> None:
    """Move the compiled files of ``work`` into ``target`` (through a staging folder renamed
    at once, so a reader never sees half a build) and drop builds of older sources."""
    import shutil
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=_ready(ROOT)))
    engine = _ready(staging / "site_builder" / "engine")
    for library in work.glob("*__mypyc*"):
        shutil.move(library, staging / library.name)
    for name in MODULES:
        compiled = f"{name}{EXTENSION_SUFFIXES[0]}"
        shutil.move(work / "site_builder" / "engine" / compiled, engine / compiled)
    (staging / DONE).write_text("mypyc\n")
    for old in ROOT.iterdir():  # a process using one has loaded all of it (:func:`load`)
        if not old.name.startswith(".staging-"):
            shutil.rmtree(old, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:  # a compile of the same sources beside this one finished first
        shutil.rmtree(staging, ignore_errors=True)


def _ready(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
