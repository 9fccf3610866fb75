"""Fixtures of the site tests: the fixture catalog's site, built once per session."""

from __future__ import annotations

import fcntl
import filecmp
import functools
import json
import pickle
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from site_builder.catalog import load_catalog
from site_builder.site import custom, reuse
from site_builder.site.build import BuildReport, build
from site_builder.site.evaluate import evaluate
from site_builder.site.in_browser import Engine
from site_builder.site.layout import Layout
from site_builder.site.results import Results
from tests.site.browser import Reader, chromium, served

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CATALOG = FIXTURES / "catalog"
CONTENT = FIXTURES / "content"


@dataclass(frozen=True)
class Built:
    """A finished build: where it read and wrote, and its report."""

    layout: Layout
    report: BuildReport

    @property
    def site(self) -> Path:
        return self.layout.site

    def html(self, url_path: str) -> str:
        """The built page at ``url_path`` (e.g. ``hardware-combos/dual-rtx-4090/``)."""
        return (self.site / url_path / "index.html").read_text(encoding="utf-8")

    def table(self, key: str) -> Any:
        """The configurator table of ``key`` as the configurator reads it: a combo's
        ``/api/estimates/<key>.json`` with its details file's columns added to each row (as
        ``assets/sitekit.js`` adds them), or the build-your-own table the engine in the browser
        works out from the site's catalog snapshot (no file holds those)."""
        if not key.startswith(custom.PREFIX):
            folder = self.site / "api" / "estimates"
            data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
            more = json.loads((folder / f"{key}.details.json").read_text(encoding="utf-8"))
            assert more["combo"] == key
            data["fields"] += more["fields"]
            pairs = zip(data["rows"], more["rows"], strict=True)
            data["rows"] = [row + extra for row, extra in pairs]
            return data
        return json.loads(browser_engine(self.site / "assets" / "engine").table(key))


@functools.cache
def browser_engine(folder: Path) -> Engine:
    """The engine the site at ``folder`` ships to browsers, over its catalog snapshot."""
    return Engine((folder / "catalog.json").read_text(encoding="utf-8"))


def fixture_layout(folder: Path, catalog: Path = CATALOG, content: Path = CONTENT) -> Layout:
    """A layout reading the fixture catalog and content, writing under ``folder``."""
    return Layout.at(
        ROOT, catalog=catalog, content=content, site=folder / "site", work=folder / "work"
    )


def copy_catalog(folder: Path) -> Path:
    """A writable copy of the fixture catalog."""
    target = folder / "catalog"
    shutil.copytree(CATALOG, target)
    return target


def editable_layout(folder: Path) -> Layout:
    """A layout over writable copies of the fixture catalog and content, under ``folder``."""
    content = folder / "content"
    shutil.copytree(CONTENT, content)
    return fixture_layout(folder, catalog=copy_catalog(folder), content=content)


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in the file at ``path``."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The fixture catalog's site, built once."""
    layout = fixture_layout(tmp_path_factory.mktemp("fixture-site"))
    return Built(layout, build(layout))


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Built:
    """The shipped catalog's site, built once per test run: the first test worker to need it
    builds it under the run's shared temporary folder while holding a lock; the others wait for
    it and read the same site (read-only: tests that write take their own ``tmp_path``)."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":  # each xdist worker's folder sits in the run's own folder
        shared = shared.parent
    folder = shared / "shipped"
    layout = Layout.at(ROOT, site=folder / "site", work=folder / "work")
    done = shared / "shipped.report"
    with (shared / "shipped.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if done.exists():
            return Built(layout, pickle.loads(done.read_bytes()))
        # No time limit here: speed is `make bench`'s (benchmarks/build_time.py per page); a
        # wall-clock bound failed the suite whenever the machine was busy (408 s against 240
        # with two test runs beside it).
        report = build(layout)
        done.write_bytes(pickle.dumps(report))
        return Built(layout, report)


@pytest.fixture(scope="session")
def shipped_results(shipped: Built) -> Results:
    """The evaluate stage on the shipped catalog: the shipped site's build left every combo's
    results in its work folder, read back as ``validate`` reads them (nothing is written
    there), so tests about the site's results read what the site shows without evaluating
    the catalog again."""
    catalog = load_catalog(shipped.layout.catalog)
    last = reuse.last_build(shipped.layout, catalog)
    assert last.reusable == set(catalog.combos)
    return evaluate(catalog, shipped.layout.content, for_pages=False, store=last)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


@pytest.fixture(scope="module")
def base_url(built: Built) -> Iterator[str]:
    """The fixture site over HTTP (the browser tests)."""
    with served(built.site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless (the browser tests)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def reader(browser: Any, base_url: str) -> Iterator[Reader]:
    """A page of the fixture site at desktop width, closed after the test."""
    opened = Reader(browser, base_url)
    yield opened
    opened.page.close()


def folder_differences(left: Path, right: Path) -> list[str]:
    """Files only in one folder or different between the two (byte for byte), recursively."""
    return _differences(filecmp.dircmp(left, right))


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = comparison.left_only + comparison.right_only
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += _differences(sub)
    return found
