"""The live preview's incremental regeneration (site/memo.py, site/preview.py, site/serve.py):
after an edit it takes the answers about unchanged combos from its memo and rebuilds only the
changed pages, yet writes exactly what a fresh build would."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
import yaml

from benchmarks.serve import fetch, free_port, wait_for
from site_builder.catalog import load_catalog
from site_builder.engine.accuracy import result_config
from site_builder.site import first_pages, fragments, stamp, urls
from site_builder.site import memo as memo_module
from site_builder.site.build import Generated, generate, shared_out
from site_builder.site.layout import Layout
from site_builder.site.memo import Memo
from site_builder.site.preview import Session
from site_builder.site.regenerate import pages_first, pages_showing, regenerate, tidied
from site_builder.site.sitedata import Page
from tests.site.conftest import CONTENT, ROOT, copy_catalog, fixture_layout
from tests.site.test_search_pieces import CONFIG, read


def outputs(site: Generated) -> dict[str, Any]:
    extras = site.extras()
    configurations = site.data.results.size()
    docs, fragments, static = site.docs, extras.fragments, extras.static
    return {
        "docs": docs,
        "fragments": fragments,
        "static": static,
        "configurations": configurations,
    }


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def layout_with_copies(tmp_path: Path) -> Layout:
    """The fixture layout over writable copies of its catalog, content and the templates."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    layout = fixture_layout(tmp_path, catalog=copy_catalog(tmp_path), content=content)
    return replace(layout, templates=templates)


PLACEHOLDER = 'runtime="vllm")'
MORE = 'runtime="vllm", concurrency=4)'
"""A guide placeholder, and the same asking for four requests at once (a query of its own)."""


EDITS = [
    # (file under the layout, old, new): what an editor changes between two regenerations
    ("catalog/combos/dual-rtx-4090.yaml", "pcie_p2p: false", "pcie_p2p: true"),
    ("catalog/combos/dual-rtx-3090.yaml", "name: ", "name: Edited "),
    ("catalog/combos/dual-rtx-3090.yaml", "summary: ", "summary: Edited. "),
    (
        "catalog/combos/dual-rtx-3090.yaml",
        "interconnect: nvlink-3.0-bridge",
        "interconnect: pcie-4.0-x16",
    ),
    ("catalog/gpus/rtx-3090.yaml", "mem_bandwidth_gb_s: 936", "mem_bandwidth_gb_s: 900"),
    ("templates/compare_table.html.j2", "<table", "<!-- edited --><table"),
    ("templates/matrix_global.html.j2", "<table", "<!-- edited --><table"),
    ("content/guides/fixture-guide.md", PLACEHOLDER, MORE),
]


@pytest.mark.parametrize(("file", "old", "new"), EDITS)
def test_a_regeneration_after_an_edit_equals_a_fresh_one(
    tmp_path: Path, file: str, old: str, new: str
) -> None:
    layout = layout_with_copies(tmp_path)
    assert_regenerates_fresh(layout, Memo(), tmp_path / file, old, new)


def assert_regenerates_fresh(layout: Layout, memo: Memo, path: Path, old: str, new: str) -> None:
    assert regenerate(layout, memo)
    before = outputs(generate(layout))
    edit(path, old, new)
    memo.use_files(_files_digest(layout))
    again = outputs(generate(layout, memo=memo))
    fresh = outputs(generate(layout))
    assert again == fresh
    assert again != before  # the edit shows: nothing stale was kept
    assert generate(layout, memo=memo).data.results.size() == fresh["configurations"]


def test_a_placeholder_removed_leaves_no_answer_behind(tmp_path: Path) -> None:
    """The guide asked one more query about a combo; once it no longer does, the kept answers
    about that combo must not hold it (the count of configurations shows on /methodology/)."""
    layout = layout_with_copies(tmp_path)
    guide = layout.content / "guides" / "fixture-guide.md"
    edit(guide, PLACEHOLDER, MORE)
    assert_regenerates_fresh(layout, Memo(), guide, MORE, PLACEHOLDER)


def _files_digest(layout: Layout) -> str:
    return stamp.folders_digest([layout.content, layout.templates])


@pytest.mark.parametrize(
    ("old", "new", "unchanged"),
    [
        ("pcie_p2p: false", "pcie_p2p: true", {"dual-rtx-3090"}),  # an engine input
        ("summary: ", "summary: Edited. ", {"dual-rtx-3090", "dual-rtx-4090"}),  # text only
        ("name: ", "name: Renamed ", {"dual-rtx-3090", "dual-rtx-4090"}),  # a rename
    ],
    ids=["engine input", "text", "rename"],
)
def test_answers_about_unchanged_combos_are_kept(
    tmp_path: Path, old: str, new: str, unchanged: set[str]
) -> None:
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    first = generate(layout, memo=memo).data.results
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", old, new)
    second = generate(layout, memo=memo).data.results
    for results in (first, second):
        results.complete()  # merges the other context lengths
    for combo, shelf in second.shelves.items():
        for query, estimate in shelf.items():
            kept = estimate is first.shelves[combo].get(query)
            assert kept == (combo in unchanged), query


def test_a_gpu_edit_keeps_the_answers_about_combos_not_holding_it(tmp_path: Path) -> None:
    """A combo's answers read only the GPUs it holds (``memo.held_digest``): after an edit to
    the RTX 3090, the answers about dual-rtx-4090 are the same objects, dual-rtx-3090's are
    new (and a regeneration after such an edit equals a fresh one: ``EDITS``)."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    first = generate(layout, memo=memo).data.results
    edit(layout.catalog / "gpus" / "rtx-3090.yaml", "board_power_w: 350", "board_power_w: 340")
    second = generate(layout, memo=memo).data.results
    for results in (first, second):
        results.complete()
    for combo, shelf in second.shelves.items():
        for query, estimate in shelf.items():
            assert (estimate is first.shelves[combo].get(query)) == (combo == "dual-rtx-4090")


def test_gpu_pages_are_kept_unless_a_combo_holding_the_gpu_changed(tmp_path: Path) -> None:
    """A GPU page reads of the combos only the names of those holding the GPU
    (``pages.gpus.holding``) and what the engine reads of those benchmarks name (its held-out
    record: ``Page.answers``); the GPU index none: an edit to dual-rtx-4090's name makes its
    GPU's page again and keeps the others, though a benchmark names dual-rtx-4090; an edit to
    its link makes every GPU page again (what they show is held to a fresh generation by
    ``test_a_regeneration_after_an_edit_equals_a_fresh_one``)."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    generate(layout, memo=memo)
    pages = ["gpus/rtx-3090.md", "gpus/rtx-4090.md", "gpus/rtx-5090.md", "gpus/index.md"]
    before = {page: memo.outputs[("page", page)][1] for page in pages}
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "name: ", "name: Edited ")
    generate(layout, memo=memo)
    kept = {page for page in pages if memo.outputs[("page", page)][1] is before[page]}
    assert kept == {"gpus/rtx-3090.md", "gpus/rtx-5090.md", "gpus/index.md"}
    assert "Edited Dual RTX 4090" in memo.outputs[("page", "gpus/rtx-4090.md")][1][1]
    before = {page: memo.outputs[("page", page)][1] for page in pages}
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "pcie_p2p: false", "pcie_p2p: true")
    generate(layout, memo=memo)
    kept = {page for page in pages if memo.outputs[("page", page)][1] is before[page]}
    assert kept == {"gpus/index.md"}


@pytest.mark.parametrize(
    ("old", "new", "kept"),
    [("summary: ", "summary: Edited. ", True), ("pcie_p2p: false", "pcie_p2p: true", False)],
    ids=["text", "engine input"],
)
def test_stack_pages_are_kept_unless_what_their_combo_reads_changed(
    tmp_path: Path, old: str, new: str, kept: bool
) -> None:
    """A stack page and the stack index read what their combo's page reads
    (``sitedata.combo_reads``) but no editorial text: a text edit to the fixture stack's combo
    keeps them, an engine input makes them again (both held to a fresh generation by the
    tests above)."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    generate(layout, memo=memo)
    pages = ["stacks/dual-4090-workstation.md", "stacks/index.md"]
    before = {page: memo.outputs[("page", page)][1] for page in pages}
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", old, new)
    generate(layout, memo=memo)
    assert all((memo.outputs[("page", page)][1] is before[page]) is kept for page in pages)


@pytest.mark.parametrize(
    ("old", "new", "kept"),
    [
        ("interconnect: nvlink-3.0-bridge", "interconnect: pcie-4.0-x16", True),
        ("name: ", "name: Edited ", False),
    ],
    ids=["engine input", "name"],
)
def test_a_combo_s_pages_read_only_the_names_of_its_related_combos(
    tmp_path: Path, old: str, new: str, kept: bool
) -> None:
    """dual-rtx-4090's page and will-it-run page link to its related dual-rtx-3090 and read
    nothing else of it (``sitedata.named_only``): an edit to 3090's link keeps them, a rename
    makes them again (what they show is held to a fresh generation by the edits above)."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    generate(layout, memo=memo)
    pages = [urls.combo("dual-rtx-4090"), urls.matrix("dual-rtx-4090")]
    before = {page: memo.outputs[("page", page)][1] for page in pages}
    edit(layout.catalog / "combos" / "dual-rtx-3090.yaml", old, new)
    generate(layout, memo=memo)
    assert [memo.outputs[("page", page)][1] is before[page] for page in pages] == [kept, kept]


def _rewrite_prose(path: Path) -> None:
    """Every field of :data:`memo.PROSE` of the combo file at ``path`` given other values (no
    related combo instead of the ones it names)."""
    entity = yaml.safe_load(path.read_text(encoding="utf-8"))
    new: dict[str, Any] = {
        "summary": "Rewritten.",
        "topology_notes": "Rewritten.",
        "pros": ["Rewritten."],
        "cons": ["Rewritten.", "Twice."],
        "who_should_avoid": ["Rewritten."],
        "failure_modes": [{"title": "Rewritten", "detail": "Rewritten."}],
        "power_notes": "Rewritten.",
        "thermal_notes": "Rewritten.",
        "reliability_notes": "Rewritten.",
        "related": [],
    }
    assert set(new) == set(memo_module.PROSE)
    assert all(entity[name] != value for name, value in new.items())
    path.write_text(yaml.safe_dump({**entity, **new}, sort_keys=False), encoding="utf-8")


def _answers(layout: Layout) -> dict[str, Any]:
    """Every answer of a fresh evaluation, by combo (what the memo keeps of it)."""
    memo = Memo()
    generate(layout, memo=memo).data.results.complete()  # no process left computing
    return {
        slug: (p.asked, p.shelf.grid, p.shelf.extra, p.configs, p.recommendations, p.contexts)
        for slug, p in memo.parts.items()
    }


def test_no_answer_reads_a_combos_text_or_name(tmp_path: Path) -> None:
    """What lets an edit to :data:`memo.PROSE` or a rename keep the combo's answers (the
    preview's memo and a build's store key them by :func:`memo.answers_digest`): every answer
    of an evaluation is the same after every one of those fields of a combo changed, and its
    name."""
    layout = layout_with_copies(tmp_path)
    before = _answers(layout)
    assert all(before["dual-rtx-4090"])  # it has answers of every kind
    path = layout.catalog / "combos" / "dual-rtx-4090.yaml"
    _rewrite_prose(path)
    edit(path, "name: ", "name: Renamed ")
    combo = load_catalog(layout.catalog).combos["dual-rtx-4090"]
    assert combo.summary == "Rewritten." and combo.name == "Renamed Dual RTX 4090"
    assert _answers(layout) == before


def test_a_regeneration_after_rewriting_a_combos_text_equals_a_fresh_one(tmp_path: Path) -> None:
    """The outputs kept across an edit to a combo's text (``memo.answers_only``: tables, data
    files, model rows) show none of it: every field of :data:`memo.PROSE` rewritten, the
    regenerated files equal a fresh generation's."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    assert regenerate(layout, memo)
    before = outputs(generate(layout))
    _rewrite_prose(layout.catalog / "combos" / "dual-rtx-4090.yaml")
    memo.use_files(_files_digest(layout))
    again = outputs(generate(layout, memo=memo))
    assert again == outputs(generate(layout))
    assert again != before


@pytest.mark.parametrize(
    ("old", "new", "kept"),
    [
        ("platform: AM5 X670E", "platform: TRX50", True),
        ("system_ram_gib: 128", "system_ram_gib: 64", True),
        ("psu_w: 1500", "psu_w: 1200", True),
        ("pcie_p2p: false", "pcie_p2p: true", True),
        ("rating: excellent", "rating: good", True),
        ("interconnect: pcie-4.0-x16", "interconnect: pcie-5.0-x16", False),
    ],
)
def test_benchmarks_read_only_the_cards_and_link_of_the_combo_they_name(
    tmp_path: Path, old: str, new: str, kept: bool
) -> None:
    """The calibration and the outlier check, which the preview keeps while
    :func:`memo.benchmarks_stamp` is the same, read of the combo a benchmark names its cards
    and interconnect alone (``accuracy.named_combo``): any other edit leaves every measured
    result's configuration, and so the calibration, as it was."""
    folder = copy_catalog(tmp_path)
    catalog = load_catalog(folder)
    before = memo_module.benchmarks_stamp(catalog), _benchmark_configs(catalog)
    edit(folder / "combos" / "dual-rtx-4090.yaml", old, new)
    if new.startswith("interconnect"):
        shutil.copy(
            ROOT / "catalog" / "interconnects" / "pcie-5.0-x16.yaml", folder / "interconnects"
        )
    edited = load_catalog(folder)
    after = memo_module.benchmarks_stamp(edited), _benchmark_configs(edited)
    assert (after[0] == before[0]) is kept  # the stamp moves with the cards or the link
    assert after[1] == before[1] or not kept  # and may move more than the results need


def _benchmark_configs(catalog: Any) -> list[Any]:
    """Every measured result's configuration; none names a combo (the engine then reads no
    combo: only ``result_config`` does, through ``accuracy.named_combo``)."""
    found = [
        result_config(bench, result, catalog)
        for bench in catalog.benchmarks.values()
        for result in bench.results
    ]
    assert found and all(config.combo is None for config in found)
    return found


def test_a_shared_edit_keeps_nothing(tmp_path: Path) -> None:
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    generate(layout, memo=memo)
    assert memo.parts and memo.outputs
    edit(
        layout.catalog / "models" / "llama-3.1-8b-instruct.yaml",
        "release_date: 2024-07-23",
        "release_date: 2024-07-24",
    )
    memo.start(load_catalog(layout.catalog))
    assert not memo.parts and not memo.outputs and not memo.unbound


def test_an_edit_to_a_gpu_no_combo_holds_keeps_the_answers_only(tmp_path: Path) -> None:
    """The GPU index and benchmarks' own hardware may read any GPU: those go; the answers about
    the combos stay."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    generate(layout, memo=memo)
    parts = dict(memo.parts)
    assert parts and memo.outputs and memo.unbound
    edit(
        layout.catalog / "gpus" / "rtx-5090.yaml",
        "mem_bandwidth_gb_s: 1792",
        "mem_bandwidth_gb_s: 1700",
    )
    memo.start(load_catalog(layout.catalog))
    assert memo.parts == parts and not memo.outputs and not memo.unbound


def test_the_pages_come_first_then_the_files_beside_them(tmp_path: Path) -> None:
    """What the preview does after an edit: the pages are written at once, the data files and
    fragments made meanwhile are written next, and then every file equals a fresh
    generation's."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    assert regenerate(layout, memo)
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "name: ", "name: Edited ")
    later = pages_first(layout, memo)
    assert later is not None
    page = (layout.docs / urls.combo("dual-rtx-4090")).read_text(encoding="utf-8")
    api = layout.docs / "api" / "combos.json"
    assert "Edited Dual RTX 4090" in page and "Edited" not in api.read_text(encoding="utf-8")
    written = later.written()
    assert written is not None and "api/combos.json" in written
    assert "Edited Dual RTX 4090" in api.read_text(encoding="utf-8")
    assert _on_disk(layout) == _fresh(layout)


def _on_disk(layout: Layout) -> dict[str, bytes]:
    return {
        f"{folder.name}/{p.relative_to(folder).as_posix()}": p.read_bytes()
        for folder in (layout.docs, layout.fragments)
        for p in folder.rglob("*")
        if p.is_file()
    }


def _fresh(layout: Layout) -> dict[str, bytes]:
    site = generate(layout)
    extras = site.extras()
    found = {**site.docs, **extras.static}
    files = {f"{layout.docs.name}/{name}": text for name, text in found.items()}
    files |= {f"{layout.fragments.name}/{name}": text for name, text in extras.fragments.items()}
    return {name: t.encode("utf-8") if isinstance(t, str) else t for name, t in files.items()}


def test_after_a_regeneration_its_objects_are_left_out_of_collections() -> None:
    """``regenerate.tidied`` (after each edit's files are written): what survives is frozen, so
    the collector's full passes during the next edit skip it."""
    kept = {"answer": [1, 2, 3]}
    assert any(o is kept for o in gc.get_objects())
    tidied()
    assert not any(o is kept for o in gc.get_objects()) and gc.get_freeze_count() > 0


def test_the_files_of_an_edit_whose_build_failed_are_written_before_the_next(
    tmp_path: Path,
) -> None:
    """mkdocs' build after an edit may fail (no ``on_post_build``, so no thread writes the files
    made after the pages): the next build writes them before it regenerates anything."""
    layout = layout_with_copies(tmp_path)
    session = Session(layout)
    session.changed()
    assert session.regenerated(regenerate(layout, session.memo))
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "name: ", "name: Edited ")
    session.on_pre_build({})  # the pages; then the build fails
    api = layout.docs / "api" / "combos.json"
    assert "Edited" not in api.read_text(encoding="utf-8")
    session.on_pre_build({})  # the next build
    assert "Edited Dual RTX 4090" in api.read_text(encoding="utf-8")
    assert _on_disk(layout) == _fresh(layout)


def test_a_fragment_not_written_yet_shows_a_note_in_the_preview(tmp_path: Path) -> None:
    html = "<p>a</p><!-- fragment:compare/new-vs-old --><p>b</p>"
    assert fragments.inject(html, tmp_path, missing="soon") == "<p>a</p>soon<p>b</p>"
    with pytest.raises(FileNotFoundError):
        fragments.inject(html, tmp_path)  # a build has written every fragment


def test_the_pages_to_make_are_shared_out_evenly_between_the_processes() -> None:
    """With a memo, the pages it cannot keep go alternately to the forked process (an edit
    leaves a few of any family); the kept ones, cheap to take, stay in this one."""
    memo = Memo(digests={"a": "1", "b": "2"})
    pages = [Page(f"p{n}.md", "t.md.j2", None, ("a",) if n % 3 else ("b",)) for n in range(9)]
    pages.append(Page("undeclared.md", "t.md.j2", None))  # made every time
    for page in pages[:5]:
        memo.keep(("page", page.path), page.combos or (), lambda: "made")
    memo.digests["b"] = "3"  # an edit to b: p0 and p3 (of b) are made again, p1, p2, p4 kept
    mine, theirs = shared_out(memo, pages)
    assert [p.path for p in theirs] == ["p3.md", "p6.md", "p8.md"]
    here = ["p0.md", "p1.md", "p2.md", "p4.md", "p5.md", "p7.md", "undeclared.md"]
    assert [p.path for p in mine] == here


def test_pages_showing_a_changed_fragment(tmp_path: Path) -> None:
    docs: dict[str, str | bytes] = {
        "a.md": "x <!-- fragment:matrix/group-a --> y",
        "b.md": "<!-- fragment:compare/one-vs-two -->",
        "c.md": "nothing",
        "d.json": "<!-- fragment:matrix/group-a -->",
    }
    found = pages_showing(docs, ["matrix/group-a.html"], tmp_path)
    assert found == [tmp_path / "a.md"]


def test_the_search_index_keeps_the_pages_a_dirty_build_skipped(tmp_path: Path) -> None:
    session = Session(fixture_layout(tmp_path))
    entries: list[dict[str, str]] = []
    config: dict[str, Any] = {"site_dir": str(tmp_path / "site")}
    plugin = SimpleNamespace(search_index=SimpleNamespace(entries=entries))

    class Config(dict[str, Any]):
        plugins: ClassVar[dict[str, Any]] = {"material/search": plugin}

    conf = Config(config)
    files = SimpleNamespace(documentation_pages=lambda: [SimpleNamespace(url=u) for u in "ab"])

    def build(pages: dict[str, str]) -> None:
        entries.clear()
        session.on_pre_build(conf)
        session.on_files(files, conf)
        for url, title in pages.items():
            entries.append({"location": url, "title": title, "text": f"<p>{title} text</p>"})
            session.on_post_page("", SimpleNamespace(url=url), conf)
        index = tmp_path / "site" / "search" / "search_index.json"
        session.settled()
        if index.exists():
            index.unlink()
        else:
            index.parent.parent.mkdir(exist_ok=True)
        index.parent.mkdir(exist_ok=True)
        index.write_text(json.dumps({"config": CONFIG, "docs": list(entries)}))  # Material's file
        session.on_post_build(conf)

    build({"a": "Alpha", "b": "Beta"})
    build({"b": "Bravo"})  # a dirty build renders the changed page only
    session.settled()  # after the first build, the index is written in a thread
    _, pieces = read(tmp_path / "site")
    titles = {doc[1] for name, docs in pieces.items() if name.startswith("docs/") for doc in docs}
    assert titles == {"Alpha", "Bravo"}
    folders = [p for p in (tmp_path / "site" / "search").iterdir() if p.is_dir()]
    assert len(folders) == 1  # the previous build's pieces are gone


def test_serve_shows_an_edit_and_then_its_data_files_and_keeps_search_whole(
    tmp_path: Path,
) -> None:
    """The real preview (mkdocs serve with the generated hook) on the fixture catalog: an edit
    to one combo shows on its page, then in the data files written after it (the API's list of
    combos), in two builds: the pages', then the one showing the files made after them (the
    docs the hook writes trigger no other); the search index still holds every page."""
    catalog = copy_catalog(tmp_path)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    command = [str(Path(sys.executable).parent / "site-builder"), "serve", "--root", str(ROOT)]
    command += ["--catalog", str(catalog), "--content", str(CONTENT)]
    command += ["--work", str(tmp_path / "work"), "--address", f"127.0.0.1:{port}"]
    temp = tmp_path / "tmp"  # mkdocs serve writes the site into a temporary folder here
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path, env=env)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + "hardware-combos/dual-rtx-4090/", "Dual RTX 4090", 120)
        combo = catalog / "combos" / "dual-rtx-4090.yaml"
        saved = tmp_path / "saved.yaml"  # saved whole, as editors do: one change to watch
        saved.write_text(combo.read_text(encoding="utf-8").replace("name: ", "name: Previewed ", 1))
        saved.replace(combo)
        wait_for(base + "hardware-combos/dual-rtx-4090/", "Previewed", 60)
        wait_for(base + "api/combos.json", "Previewed Dual RTX 4090", 60)
        time.sleep(1.5)
        stub = json.loads(fetch(base + "search/search_index.json"))
        folder = stub["config"]["pieces"]["folder"]
        first = json.loads(fetch(f"{base}search/{folder}/docs/0.json"))
        assert first, "the search pieces are empty"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert text.count("Building documentation") == 3, text  # the first, the edit's, its files'
    assert "Regenerated the pages" in text and "changed data files and fragments" in text
    assert "Traceback" not in text, text
    # stopped by SIGTERM as by Ctrl-C: mkdocs removed its temporary site folder
    assert [p.name for p in temp.iterdir() if p.name.startswith("mkdocs_")] == []


def test_a_one_process_preview_regenerates_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every job in the preview's own process (no fork), what the renderer keeps goes
    straight into the memo and nothing is kept twice."""
    monkeypatch.setenv("SITE_BUILDER_PROCESSES", "1")
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    combo = layout.catalog / "combos" / "dual-rtx-4090.yaml"
    assert_regenerates_fresh(layout, memo, combo, "pcie_p2p: false", "pcie_p2p: true")
    assert memo.journal is None


def _names_the_renamed(layout: Layout) -> list[str]:
    return sorted(
        p.relative_to(layout.docs).as_posix()
        for p in layout.docs.rglob("*.md")
        if "Renamed Dual RTX 4090" in p.read_text(encoding="utf-8")
    )


def test_a_rename_makes_the_combo_page_first_and_the_other_pages_after(tmp_path: Path) -> None:
    """After an edit (a combo's name is on its compare pages, the model pages and the
    matrices), the edited combo's own page is rendered and written at once and the other
    pages with the files after the pages; then every file equals a fresh generation's."""
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    assert regenerate(layout, memo)
    before = first_pages.file_digests(layout)
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "name: ", "name: Renamed ")
    first = first_pages.own_pages(first_pages.edited(before, first_pages.file_digests(layout)))
    assert first == {urls.combo("dual-rtx-4090")}
    later = pages_first(layout, memo, first)
    assert later is not None
    assert _names_the_renamed(layout) == [urls.combo("dual-rtx-4090")]
    written = later.written()
    assert written is not None
    shown = _names_the_renamed(layout)
    assert len(shown) > 3 and set(shown) - {urls.combo("dual-rtx-4090")} <= set(written)
    assert _on_disk(layout) == _fresh(layout)


@pytest.mark.parametrize(
    "first",
    [frozenset(), frozenset({"guides/fixture-guide.md"})],
    ids=["no edited page", "not a generated page"],
)
def test_without_an_edited_generated_page_every_page_is_made_at_once(
    tmp_path: Path, first: frozenset[str]
) -> None:
    layout = layout_with_copies(tmp_path)
    memo = Memo()
    assert regenerate(layout, memo)
    edit(layout.catalog / "combos" / "dual-rtx-4090.yaml", "name: ", "name: Renamed ")
    later = pages_first(layout, memo, first)
    assert later is not None and len(_names_the_renamed(layout)) > 3
    assert later.written() is not None
    assert _on_disk(layout) == _fresh(layout)
