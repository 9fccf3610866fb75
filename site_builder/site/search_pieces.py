"""Search in pieces: Material's one-file search index split into small files a query fetches.

Material's search plugin writes the text of every page section into one
``search/search_index.json``, which its search worker downloads whole before the first query: it
grows with the site (2.5 MB shipped, about 5 MB at 1,000 pages, about 50 MB at 10,000). After
mkdocs has written it, :func:`split` replaces it with

* ``search/search_index.json``: Material's search configuration and no documents (the bundle
  still fetches it to start search), naming the folder of the pieces;
* ``search/<digest>/terms/<xy>.json``: for every word starting with ``xy`` (a dot as ``_``:
  :func:`shard`), the sections it
  occurs in, best first, as ``[complete, id, weight, id, weight, ...]`` (at most
  :data:`POSTINGS` sections: ``complete`` is 0 when a common word's list was cut);
* ``search/<digest>/docs/<n>.json``: sections ``n x DOCS_PER_FILE`` onwards as
  ``[location, title, teaser, page]`` (title and teaser as escaped HTML, ``page`` the index of
  the section's page, -1 for a page itself).

The worker ``templates/assets/search.js`` (set in ``templates/overrides/main.html``) answers
Material's search messages from these pieces, so a query downloads the one or two word files
of its words and the section files of its best matches, whatever the size of the site. The
folder is named by a digest of its contents, so a reader's cached pieces never mix two builds.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, NamedTuple

INDEX = Path("search") / "search_index.json"
WORD = re.compile(r"[a-z0-9]+")
VERSION = re.compile(r"(?<![0-9.])[0-9]+(?:\.[0-9]+)+")
"""A dotted number (``3.3`` of Llama 3.3, ``2.5`` of Qwen2.5, ``0.5.12``): a word of its own
besides the runs of letters and digits it holds, whose one-digit parts are too short to be
words ("llama 3.3" would otherwise search for "llama" alone)."""
TAG = re.compile(r"<[^>]*>")
SPACE = re.compile(r"\s+")
DOCS_PER_FILE = 32
"""Sections per docs file (about 10 KB each: a query loads the files of its best matches)."""
POSTINGS = 64
"""Most sections listed for one word: a word on more sections than that is too common to
decide a match on its own (the worker then ranks by the other words)."""
TEASER_CHARS = 200
"""Characters of a section's text shown under its title in the results."""
TITLE_WEIGHT = 10
"""A word in a section's title counts as this many occurrences in its text."""
SHORT_TITLE = 10
"""Added to a title word's weight, shared among the title's words: of two titles holding a
query's words, the shorter one is about them (``Llama 3.3 70B Instruct``, the model's page,
before ``llama.cpp on 2x RTX 3090: Llama 3.3 70B ...``, one run of it), so a common word's cut
list keeps the pages named by it."""
TEXT_WEIGHT_CAP = 5
"""Occurrences of a word in a section's text counted at most (a table repeating a word does
not outrank a section about it)."""
PAGE_FACTOR = 2
"""A page's own entry (its title and opening text) weighs this many times a section's, as
Material boosts pages over their sections."""


def words(text: str) -> list[str]:
    """The search words of ``text``: lower-case runs of letters and digits, two characters or
    more, then its dotted numbers (:data:`VERSION`; the worker splits a query the same way)."""
    lower = text.lower()
    return [w for w in WORD.findall(lower) if len(w) >= 2] + VERSION.findall(lower)


JOINED = re.compile(r"(?<![a-z0-9])([a-z]+)[ _-]?([0-9]+(?:\.[0-9]+)+)(?![0-9.])")
"""A name and the dotted version after it (``Llama 3.3``, ``Qwen3.5``, ``GLM-4.5``)."""


def joined(text: str) -> list[str]:
    """Each name joined to its version as one word (``llama3.3``): a title's and a query's, so
    "llama 3.3" finds the sections about Llama 3.3 though "llama" and "3.3" are each too
    common for their cut lists to share many sections (the worker splits a query the same
    way)."""
    return [name + version for name, version in JOINED.findall(text.lower())]


def shard(word: str) -> str:
    """The name of the word file holding ``word``: its first two characters, a dot as ``_``
    (``3.3`` is in ``terms/3_.json``)."""
    return word[:2].replace(".", "_")


def plain(markup: str) -> str:
    """Visible text of an HTML fragment, on one line."""
    return SPACE.sub(" ", html.unescape(TAG.sub(" ", markup))).strip()


def teaser(text: str) -> str:
    """The first :data:`TEASER_CHARS` characters of ``text``, cut at a space, with an ellipsis
    when cut."""
    if len(text) <= TEASER_CHARS:
        return text
    cut = text.rfind(" ", 0, TEASER_CHARS)
    return text[: cut if cut > 0 else TEASER_CHARS] + "…"


def weights(title: str, text: str) -> dict[str, int]:
    """Each word's weight in one section: :data:`TITLE_WEIGHT` per title occurrence, plus
    :data:`SHORT_TITLE` shared among the title's words, plus its text occurrences up to
    :data:`TEXT_WEIGHT_CAP`."""
    counts: dict[str, int] = defaultdict(int)
    for word in words(text):
        counts[word] += 1
    found = {word: min(n, TEXT_WEIGHT_CAP) for word, n in counts.items()}
    named = words(title) + joined(title)
    for word in named:
        found[word] = found.get(word, 0) + TITLE_WEIGHT + SHORT_TITLE // len(named)
    return found


class Section(NamedTuple):
    """One entry of Material's index, as plain text."""

    location: str
    title: str
    text: str
    page: int
    """Index of the section's page entry; -1 for a page's own entry."""


def sections(docs: list[dict[str, Any]]) -> list[Section]:
    """Material's entries in its order (a page's own entry first, then its sections)."""
    pages: dict[str, int] = {}
    out = []
    for i, doc in enumerate(docs):
        page = pages.setdefault(doc["location"].split("#")[0], i)
        out.append(
            Section(
                doc["location"], plain(doc["title"]), plain(doc["text"]), -1 if page == i else page
            )
        )
    return out


def records(found: list[Section]) -> list[list[Any]]:
    """``[location, title, teaser, page]`` per section, titles and teasers escaped for HTML."""
    return [
        [
            s.location,
            html.escape(s.title, quote=False),
            html.escape(teaser(s.text), quote=False),
            s.page,
        ]
        for s in found
    ]


def postings(found: list[Section]) -> dict[str, list[int]]:
    """word -> ``[complete, id, weight, ...]``, heaviest sections first (ties by position)."""
    hits_of: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, section in enumerate(found):
        factor = PAGE_FACTOR if section.page < 0 else 1
        for word, weight in weights(section.title, section.text).items():
            hits_of[word].append((-weight * factor, i))
    out = {}
    for word, hits in hits_of.items():
        hits.sort()
        flat = [int(len(hits) <= POSTINGS)]
        for weight, i in hits[:POSTINGS]:
            flat += [i, -weight]
        out[word] = flat
    return out


def pieces(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Relative path -> JSON value of every piece (``terms/xy.json``, ``docs/n.json``)."""
    out: dict[str, Any] = {}
    found = sections(docs)
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for word, flat in postings(found).items():
        shards[shard(word)][word] = flat
    for key, terms in shards.items():
        out[f"terms/{key}.json"] = dict(sorted(terms.items()))
    rows = records(found)
    for start in range(0, len(rows), DOCS_PER_FILE):
        out[f"docs/{start // DOCS_PER_FILE}.json"] = rows[start : start + DOCS_PER_FILE]
    return out


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def split(site: Path) -> None:
    """Replace ``site``'s one-file search index by its pieces (see the module docstring)."""
    write_stub(site, pieces_into(site, site))


def pieces_into(site: Path, built: Path) -> str:
    """Write the pieces of the one-file index mkdocs wrote under ``built`` into ``site``;
    return the stub that names them (:func:`write_stub`). The build works them out while it
    copies the pages into ``site`` (the copy brings Material's one file, which the stub then
    replaces)."""
    return piece_files(site, json.loads((built / INDEX).read_text(encoding="utf-8")))


def write_stub(site: Path, stub: str) -> None:
    """Replace ``site``'s one-file index by ``stub`` (:func:`piece_files`)."""
    (site / INDEX).write_text(stub, encoding="utf-8")


def write_pieces(site: Path, index: dict[str, Any]) -> str:
    """Write ``index`` (Material's search configuration and documents) into ``site`` as its
    pieces and the stub that names them (replacing Material's one file); return the stub's
    text."""
    stub = piece_files(site, index)
    write_stub(site, stub)
    return stub


def piece_files(site: Path, index: dict[str, Any]) -> str:
    """Write ``index``'s pieces into ``site``; return the text of the stub that names them."""
    index_path = site / INDEX
    texts = {name: dumps(value) for name, value in sorted(pieces(index["docs"]).items())}
    digest = hashlib.sha256()
    for name, text in texts.items():
        digest.update(f"{name}\n{text}\n".encode())
    folder = digest.hexdigest()[:12]
    for name, text in texts.items():
        target = index_path.parent / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    config = {**index["config"], "pieces": {"folder": folder, "docs_per_file": DOCS_PER_FILE}}
    return dumps({"config": config, "docs": []})
