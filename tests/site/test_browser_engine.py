"""The engine the configurator runs in the browser is the build's engine: the catalog snapshot
round-trips, the modules it ships import without a YAML parser or the site, its zip is
deterministic, and every pinned file is the one the build publishes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from io import BytesIO

from site_builder.catalog import load_catalog, snapshot
from site_builder.engine.request import answer
from site_builder.site import browser_engine, custom
from site_builder.site.in_browser import Engine
from tests.site.conftest import CATALOG, ROOT, Built

LINE = (
    '{"combo": "dual-rtx-4090", "model": "llama-3.3-70b-instruct", "quant": "Q4_K_M", '
    '"runtime": "llama-cpp", "kv_cache": "q8_0", "concurrency": 4, "prompt": 2048}'
)


def test_the_snapshot_is_the_catalog() -> None:
    catalog = load_catalog(ROOT / "catalog")
    combos = {slug: snapshot.dump_combo(c) for slug, c in catalog.combos.items()}
    again = snapshot.load(snapshot.dump(catalog), combos)
    for kind in snapshot.KINDS:
        assert dict(getattr(again, kind)) == dict(getattr(catalog, kind)), kind
        assert list(getattr(again, kind)) == list(getattr(catalog, kind)), kind
    assert "dual-rtx-4090" not in snapshot.dump(catalog)  # combos are documents of their own


def test_the_browser_engine_answers_what_the_command_line_answers() -> None:
    catalog = load_catalog(ROOT / "catalog")
    engine = Engine(snapshot.dump(catalog))
    unknown = json.loads(engine.answer(LINE))  # the page has not fetched the combo yet
    assert unknown == {"error": "unknown combo 'dual-rtx-4090'"}, unknown
    engine.add_combo("dual-rtx-4090", snapshot.dump_combo(catalog.combos["dual-rtx-4090"]))
    assert json.loads(engine.answer(LINE)) == answer(catalog, LINE)
    assert json.loads(engine.answer('{"combo": "nope"}')) == answer(catalog, '{"combo": "nope"}')


def test_the_shipped_modules_import_without_yaml_or_the_rest_of_the_site() -> None:
    code = (
        "import sys; sys.modules['yaml'] = None\n"
        "import site_builder.site.in_browser\n"
        "shipped = ('site_builder.site', 'site_builder.site.fmt', 'site_builder.site.tables',\n"
        "    'site_builder.site.custom', 'site_builder.site.in_browser')\n"
        "away = ('site_builder.site.', 'site_builder.commands')\n"
        "bad = [m for m in sys.modules if m.startswith(away) and m not in shipped]\n"
        "assert not bad, bad\n"
        "print(sorted(m for m in sys.modules if m.startswith('site_builder')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = eval(done.stdout)
    names = set(zipfile.ZipFile(BytesIO(browser_engine.engine_zip())).namelist())
    for module in imported:
        path = module.replace(".", "/")
        assert f"{path}.py" in names or f"{path}/__init__.py" in names, module


def test_the_engine_zip_is_deterministic() -> None:
    assert browser_engine.engine_zip() == browser_engine.engine_zip()


def test_the_site_publishes_the_pinned_files(built: Built) -> None:
    folder = built.site / "assets" / browser_engine.FOLDER
    for name, digest in browser_engine.WHEELS.items():
        assert browser_engine._good(folder / name, digest), name
    catalog = load_catalog(CATALOG)
    assert (folder / "catalog.json").read_text() == snapshot.dump(catalog)
    combos = {p.stem: p.read_text() for p in (folder / browser_engine.COMBOS).glob("*.json")}
    assert combos == {slug: snapshot.dump_combo(c) for slug, c in catalog.combos.items()}


def test_the_browser_knows_the_build_prefix() -> None:
    """sitekit.js sends keys with the build-your-own prefix to the engine, not to a file."""
    script = (ROOT / "templates" / "assets" / "sitekit.js").read_text(encoding="utf-8")
    assert f'var BUILD_PREFIX = "{custom.PREFIX}";' in script
