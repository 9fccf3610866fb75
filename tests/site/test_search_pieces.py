"""The search index in pieces (site/search_pieces.py): what the worker reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from site_builder.site import search_pieces
from site_builder.site.search_pieces import POSTINGS, words

CONFIG = {"lang": ["en"], "separator": "[\\s\\-]+", "pipeline": ["stopWordFilter"], "fields": {}}


def write_index(site: Path, docs: list[dict[str, str]]) -> Path:
    path = site / "search" / "search_index.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"config": CONFIG, "docs": docs}), encoding="utf-8")
    return path


def read(site: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The stub index and every piece by relative path."""
    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    folder = site / "search" / stub["config"]["pieces"]["folder"]
    pieces = {
        p.relative_to(folder).as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.rglob("*.json"))
    }
    return stub, pieces


DOCS = [
    {"location": "gpus/rtx-4090/", "title": "RTX 4090", "text": "<p>An Ada card, 24 GB.</p>"},
    {"location": "gpus/rtx-4090/#power", "title": "Power", "text": "<p>450 W; RTX 4090 power.</p>"},
    # Material writes a page's text as HTML: a catalog name with markup arrives escaped.
    {
        "location": "gpus/a-b/",
        "title": "&lt;script&gt;alert(1)&lt;/script&gt; | x",
        "text": "a &amp; b",
    },
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dual RTX 4090", ["dual", "rtx", "4090"]),
        ("Q4_K_M on llama.cpp", ["q4", "on", "llama", "cpp"]),
        ("a b-c 7", []),
        ("Qwen3-30B-A3B", ["qwen3", "30b", "a3b"]),
        # a dotted number is a word too, after the runs (its one-digit parts are none)
        ("Llama 3.3 70B", ["llama", "70b", "3.3"]),
        ("Qwen2.5-72B", ["qwen2", "72b", "2.5"]),
        ("SGLang 0.5.12 at 13.3 GiB", ["sglang", "12", "at", "13", "gib", "0.5.12", "13.3"]),
        ("llama 3.", ["llama"]),
    ],
)
def test_words_are_lower_case_runs_of_two_or_more(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_the_index_becomes_a_stub_and_pieces(tmp_path: Path) -> None:
    write_index(tmp_path, DOCS)
    search_pieces.split(tmp_path)
    stub, pieces = read(tmp_path)
    assert stub["docs"] == []
    assert stub["config"] == {**CONFIG, "pieces": stub["config"]["pieces"]}
    assert stub["config"]["pieces"]["docs_per_file"] == search_pieces.DOCS_PER_FILE
    # word -> [complete, id, weight, ...]: a title word counts 10 plus 10 shared among the
    # title's words (two here: 5 each), x2 for a page's own entry; a text occurrence 1
    assert pieces["terms/40.json"]["4090"] == [1, 0, 30, 1, 1]
    assert pieces["terms/po.json"]["power"] == [1, 1, 21]
    assert pieces["docs/0.json"] == [
        ["gpus/rtx-4090/", "RTX 4090", "An Ada card, 24 GB.", -1],
        ["gpus/rtx-4090/#power", "Power", "450 W; RTX 4090 power.", 0],
        ["gpus/a-b/", "&lt;script&gt;alert(1)&lt;/script&gt; | x", "a &amp; b", -1],
    ]


def test_a_dotted_number_has_a_word_file_named_with_an_underscore(tmp_path: Path) -> None:
    docs = [{"location": "m/", "title": "Llama 3.3 70B", "text": ""}]
    write_index(tmp_path, docs)
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    assert list(pieces["terms/3_.json"]) == ["3.3"]
    assert pieces["terms/3_.json"]["3.3"] == [1, 0, 2 * (10 + 10 // 4)]  # 4 words with llama3.3


def test_a_title_joins_a_name_to_its_version(tmp_path: Path) -> None:
    """ "Llama 3.3" in a title is also the word "llama3.3" (search_pieces.joined), which the
    worker asks for beside "llama" and "3.3"; a page's text is not joined."""
    docs = [
        {"location": "m/", "title": "Llama 3.3 70B", "text": "<p>needs 13.3 GiB</p>"},
        {"location": "q/", "title": "Qwen3.5 397B-A17B", "text": ""},
    ]
    write_index(tmp_path, docs)
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    assert pieces["terms/ll.json"]["llama3.3"] == [1, 0, 2 * (10 + 10 // 4)]
    assert pieces["terms/qw.json"]["qwen3.5"] == [1, 1, 2 * (10 + 10 // 5)]
    assert "needs13.3" not in pieces.get("terms/ne.json", {})


def test_markup_in_titles_stays_text(tmp_path: Path) -> None:
    """Titles and teasers are escaped again after their tags are dropped: a catalog name with
    <script> is shown, never run, and the page's own tags never reach the results."""
    docs = [*DOCS, {"location": "t/", "title": "<em>Bold</em> <b>", "text": "<p>x <img src=y></p>"}]
    write_index(tmp_path, docs)
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    shown = json.dumps(pieces["docs/0.json"])
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert pieces["docs/0.json"][3][1:3] == ["Bold", "x"]


def test_a_common_word_lists_its_best_sections_and_says_it_was_cut(tmp_path: Path) -> None:
    docs = [
        {"location": f"p{i}/", "title": f"Page {i}", "text": "card " * (1 + i % 7)}
        for i in range(POSTINGS + 10)
    ]
    write_index(tmp_path, docs)
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    flat = pieces["terms/ca.json"]["card"]
    assert flat[0] == 0  # incomplete
    pairs = list(zip(flat[1::2], flat[2::2], strict=True))
    assert len(pairs) == POSTINGS
    assert [w for _, w in pairs] == sorted((w for _, w in pairs), reverse=True)
    assert pairs[0][1] == search_pieces.TEXT_WEIGHT_CAP * search_pieces.PAGE_FACTOR


def test_a_cut_list_keeps_the_page_a_short_title_names(tmp_path: Path) -> None:
    """Many runs of a model name it in longer titles before its own page does: the cut list of
    a word in every title still holds the page about it."""
    runs = [
        {"location": f"b{i}/", "title": f"vLLM run {i} on 2x RTX 3090: Llama 70B", "text": ""}
        for i in range(POSTINGS + 10)
    ]
    model = {"location": "models/llama-70b/", "title": "Llama 70B", "text": ""}
    write_index(tmp_path, [*runs, model])
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    flat = pieces["terms/ll.json"]["llama"]
    assert flat[0] == 0 and flat[1] == len(runs)  # cut, and the model's page first


def test_teasers_are_cut_at_a_space(tmp_path: Path) -> None:
    long = "word " * 100
    write_index(tmp_path, [{"location": "x/", "title": "X", "text": long}])
    search_pieces.split(tmp_path)
    _, pieces = read(tmp_path)
    teaser = pieces["docs/0.json"][0][2]
    assert teaser.endswith("word…") and len(teaser) <= search_pieces.TEASER_CHARS + 1


def test_the_same_index_splits_into_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for site in (first, second):
        write_index(site, DOCS)
        search_pieces.split(site)
    files = [
        {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.json"))}
        for site in (first, second)
    ]
    assert files[0] == files[1]


def test_a_changed_index_gets_a_new_folder(tmp_path: Path) -> None:
    """Readers' cached pieces of an older build are never mixed with a newer stub."""
    folders = []
    for i, docs in enumerate((DOCS, DOCS[:2])):
        site = tmp_path / str(i)
        write_index(site, docs)
        search_pieces.split(site)
        folders.append(read(site)[0]["config"]["pieces"]["folder"])
    assert folders[0] != folders[1]
