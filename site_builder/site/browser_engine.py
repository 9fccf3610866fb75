"""The engine in the reader's browser: Pyodide (CPython compiled to WebAssembly, from npm) runs
the site's own engine modules on the catalog the build validated, so the configurator can ask
any state ``site-builder estimate`` answers (link, KV cache, prompt, concurrency) and get the
same answer from the same code.

``python -m site_builder.site.browser_engine`` fetches the pinned Pyodide release and the
pydantic wheels built for it from the package registries (npm, PyPI) into the virtual
environment, checking every file's SHA-256; ``make`` runs it at install time. The build then
publishes them under ``assets/engine/`` with a deterministic zip of the engine's modules and a
JSON snapshot of the catalog (:mod:`site_builder.catalog.snapshot`): one document of the kinds
every question reads, and one per combo under ``combos/``, fetched when a question names it.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pydantic
import pydantic_core

from site_builder.catalog import Catalog, snapshot
from site_builder.errors import BuildError

PYODIDE = "314.0.7"
PYODIDE_TARBALL = f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE}.tgz"
PYODIDE_SHA256 = "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0"
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
"""The files of the npm package a page needs (the rest are types, maps and consoles)."""
PYDANTIC = ("2.14.4", "2.50.5")
"""pydantic and pydantic-core: the browser's must be the build's (pyproject pins pydantic)."""
WHEELS = {
    f"pydantic-{PYDANTIC[0]}-py3-none-any.whl": (
        "653a2ad9f6d8858529c77c72717d0ea991d6c6837fe683246b2f4b2bbfc3fadc"
    ),
    f"pydantic_core-{PYDANTIC[1]}-cp314-cp314-pyemscripten_2026_0_wasm32.whl": (
        "b2910ec0fa5aeb9bef70156f2b79f4783978fdcfaa7b2f1b5d1814458d2e79a1"
    ),
    "annotated_types-0.8.0-py3-none-any.whl": (
        "f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0"
    ),
    "typing_extensions-4.16.0-py3-none-any.whl": (
        "481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"
    ),
    "typing_inspection-0.4.5-py3-none-any.whl": (
        "bc210535442b39e1bf2805e0c7a17dfd6a4ace760c84c7f7d16245d23a6b1c39"
    ),
}
"""The wheels the browser installs, pinned to the versions the build runs."""
SOURCES = (
    "site_builder/__init__.py",
    "site_builder/errors.py",
    "site_builder/engine/*.py",
    "site_builder/schema/*.py",
    "site_builder/catalog/__init__.py",
    "site_builder/catalog/store.py",
    "site_builder/catalog/snapshot.py",
    "site_builder/site/__init__.py",
    "site_builder/site/fmt.py",
    "site_builder/site/tables.py",
    "site_builder/site/custom.py",
    "site_builder/site/in_browser.py",
)
"""What the browser imports: the engine, the schema, the catalog snapshot, the configurator's
table format and the build-your-own sweep (no loader, no YAML, no other part of the site)."""
FOLDER = "engine"
"""Where the files go under ``assets/``."""
COMBOS = "combos"
"""The folder under :data:`FOLDER` with one snapshot document per combo (sitekit.js fetches
``combos/<slug>.json`` the first time a question names the combo)."""


def installed() -> Path:
    """Where the fetched files live: beside the interpreter that runs the build."""
    return Path(sys.prefix) / "share" / "site-builder" / f"pyodide-{PYODIDE}"


def fetch(target: Path | None = None) -> Path:
    """Download and check every pinned file into ``target`` (the install folder); a file
    already there with the right hash is kept."""
    target = target or installed()
    target.mkdir(parents=True, exist_ok=True)
    if not all((target / name).is_file() for name in PYODIDE_FILES):
        with urllib.request.urlopen(PYODIDE_TARBALL, timeout=120) as response:
            tarball = response.read()
        _check("the Pyodide tarball", tarball, PYODIDE_SHA256)
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            for name in PYODIDE_FILES:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise BuildError(f"the Pyodide tarball has no {name}")
                (target / name).write_bytes(member.read())
    missing = [w for w in WHEELS if not _good(target / w, WHEELS[w])]
    if missing:
        _download_wheels(target)
    for wheel, digest in WHEELS.items():
        _check(wheel, (target / wheel).read_bytes(), digest)
    return target


def _download_wheels(target: Path) -> None:
    pins = [_pin(w) for w in WHEELS]
    common = ["--no-deps", "--only-binary=:all:", "-q", "-d", str(target)]
    pip = [sys.executable, "-m", "pip", "download", *common]
    wasm = [p for p in pins if "pydantic-core" in p]
    pure = [p for p in pins if "pydantic-core" not in p]
    platform = ["--platform", "pyemscripten_2026_0_wasm32", "--python-version", "3.14"]
    subprocess.run([*pip, *platform, "--implementation", "cp", *wasm], check=True)
    subprocess.run([*pip, *pure], check=True)


def _pin(wheel: str) -> str:
    """``pydantic_core-2.50.5-cp314-...whl`` -> ``pydantic-core==2.50.5``."""
    name, version = wheel.split("-")[:2]
    return f"{name.replace('_', '-')}=={version}"


def _good(path: Path, digest: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest


def _check(what: str, data: bytes, digest: str) -> None:
    found = hashlib.sha256(data).hexdigest()
    if found != digest:
        raise BuildError(f"{what} has SHA-256 {found}, expected {digest}: not used")


def files(catalog: Catalog) -> dict[str, bytes]:
    """Every file of ``assets/engine/``: Pyodide, the wheels, the engine's modules, the catalog
    and a manifest saying which is which."""
    if (pydantic.VERSION, pydantic_core.__version__) != PYDANTIC:
        found = (pydantic.VERSION, pydantic_core.__version__)
        raise BuildError(f"pydantic {found} runs the build but the browser gets {PYDANTIC}")
    source = installed()
    absent = [n for n in (*PYODIDE_FILES, *WHEELS) if not (source / n).is_file()]
    if absent:
        raise BuildError(
            f"the browser engine's files are not installed ({absent[0]} is missing in "
            f"{source}): run `python -m site_builder.site.browser_engine` (make does)"
        )
    out = {f"assets/{FOLDER}/{n}": (source / n).read_bytes() for n in (*PYODIDE_FILES, *WHEELS)}
    manifest = {"wheels": sorted(WHEELS), "engine": "site_builder.zip", "catalog": "catalog.json"}
    out[f"assets/{FOLDER}/manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    out[f"assets/{FOLDER}/site_builder.zip"] = engine_zip()
    out[f"assets/{FOLDER}/catalog.json"] = snapshot.dump(catalog).encode()
    for slug, combo in catalog.combos.items():
        out[f"assets/{FOLDER}/{COMBOS}/{slug}.json"] = snapshot.dump_combo(combo).encode()
    return out


def engine_zip() -> bytes:
    """The engine's modules as a deterministic zip (sorted entries, a fixed timestamp)."""
    root = Path(__file__).resolve().parents[2]
    paths = sorted({path for pattern in SOURCES for path in root.glob(pattern)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


if __name__ == "__main__":
    print(f"browser engine files in {fetch()}")
