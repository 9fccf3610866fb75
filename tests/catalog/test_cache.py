"""The catalog cache of estimate and recommend: a changed file, or changed code, means a fresh
load; a catalog with errors is never kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_builder.catalog import cache, loader
from site_builder.errors import CatalogError
from tests.site.conftest import CATALOG


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture catalog in a project folder, the working folder."""
    root = tmp_path / "project" / "catalog"
    shutil.copytree(CATALOG, root)
    monkeypatch.chdir(root.parent)
    return root


def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every fresh load the cache makes (it imports the loader on a miss only)."""
    seen: list[Path] = []
    real = loader.load_catalog

    def counting(root: Path) -> object:
        seen.append(root)
        return real(root)

    monkeypatch.setattr(loader, "load_catalog", counting)
    return seen


def test_a_second_run_reads_the_copy(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = loads(monkeypatch)
    first = cache.load_cached(catalog)
    second = cache.load_cached(catalog)
    assert second == first and len(seen) == 1
    assert len(list((catalog.parent / ".build" / "catalog-cache").glob("*.pickle"))) == 1


def test_each_catalog_keeps_its_own_copy(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = catalog.parent / "other-catalog"
    shutil.copytree(catalog, other)
    seen = loads(monkeypatch)
    for root in (catalog, other, catalog, other):
        cache.load_cached(root)
    assert seen == [catalog, other]
    assert len(list((catalog.parent / ".build" / "catalog-cache").glob("*.pickle"))) == 2


def test_an_edited_file_means_a_fresh_load(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = loads(monkeypatch)
    before = cache.load_cached(catalog)
    spec = catalog / "gpus" / "rtx-4090.yaml"
    spec.write_text(
        spec.read_text().replace("mem_bandwidth_gb_s: 1008", "mem_bandwidth_gb_s: 1100")
    )
    after = cache.load_cached(catalog)
    assert len(seen) == 2
    assert before.gpus["rtx-4090"].mem_bandwidth_gb_s == 1008
    assert after.gpus["rtx-4090"].mem_bandwidth_gb_s == 1100
    assert len(list((catalog.parent / ".build" / "catalog-cache").glob("*.pickle"))) == 1


def test_changed_code_means_a_fresh_load(catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = cache.key(catalog)
    monkeypatch.setattr(cache, "CODE", ("catalog",))
    assert cache.key(catalog) != first


def test_a_catalog_with_errors_is_not_kept(catalog: Path) -> None:
    (catalog / "gpus" / "broken.yaml").write_text("name: [\n")
    with pytest.raises(CatalogError):
        cache.load_cached(catalog)
    assert not list((catalog.parent / ".build").rglob("*.pickle"))
    with pytest.raises(CatalogError):  # and the next run reports it again
        cache.load_cached(catalog)


def test_an_unwritable_folder_still_loads(catalog: Path) -> None:
    (catalog.parent / ".build").write_text("a file where the folder would go")
    assert cache.load_cached(catalog).gpus


@pytest.mark.parametrize("change", ["a renamed file", "a file moved to another folder"])
def test_the_key_reads_every_file_under_the_catalog_by_name(catalog: Path, change: str) -> None:
    (catalog / "gpus" / "loop").symlink_to(catalog, target_is_directory=True)  # walked once
    first = cache.key(catalog)
    assert cache.key(catalog) == first
    spec = catalog / "gpus" / "rtx-4090.yaml"
    if change == "a renamed file":
        spec.rename(spec.with_name("rtx-4090-renamed.yaml"))
    else:
        spec.rename(catalog / "models" / spec.name)
    assert cache.key(catalog) != first


def test_an_unreadable_catalog_file_still_gives_a_key(catalog: Path) -> None:
    (catalog / "gpus" / "dangling.yaml").symlink_to(catalog / "nowhere.yaml")
    first = cache.key(catalog)
    (catalog / "nowhere.yaml").write_text("name: x\n")  # now it reads
    assert cache.key(catalog) != first
