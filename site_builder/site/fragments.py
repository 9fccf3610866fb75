"""Large HTML blocks that skip Markdown: written aside, injected into the built pages.

A will-it-run matrix of a combo is a few hundred kilobytes of table. Python-Markdown and the
search indexer would parse it on every build for nothing (it is plain HTML and not worth
searching), so the page template writes a placeholder comment instead, the table is rendered
to ``.build/fragments/<key>.html``, and the finished HTML gets it back: :func:`inject_site`
after ``mkdocs build``, :func:`inject` from the live-preview hook.

Page templates do the same for their own large HTML tables by wrapping them in
``<!-- aside -->`` and ``<!-- /aside -->`` lines: :func:`set_aside` moves each such block of a
rendered page into a fragment (``aside/<page>/<n>``) and leaves its placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from site_builder.site.output import replace_file

_PLACEHOLDER = re.compile(r"<!-- fragment:([a-z0-9][\w./-]*) -->")
_ASIDE = re.compile(r"^<!-- aside -->\n(.*?)^<!-- /aside -->$", re.S | re.M)


@dataclass(frozen=True)
class Fragment:
    """An HTML block of a page: its key (a relative path without suffix), template, context."""

    key: str
    template: str
    context: object
    """The template's context, or a function making it (called when the block is rendered)."""
    combos: tuple[str, ...] = ()
    """The combos whose engine answers the block shows: a live preview keeps the block while
    they are unchanged (:func:`site_builder.site.memo.kept`)."""

    def made(self) -> object:
        """The template's context (made now when :attr:`context` is a function)."""
        return self.context() if callable(self.context) else self.context

    @property
    def placeholder(self) -> str:
        """The comment the page's Markdown holds where the block goes."""
        return f"<!-- fragment:{self.key} -->"

    @property
    def file(self) -> str:
        """The fragment's file under the fragments folder."""
        return f"{self.key}.html"


def set_aside(page: str, text: str) -> tuple[str, dict[str, str]]:
    """``text`` (the rendered Markdown of ``page``, a docs path) with each aside block replaced
    by its placeholder, and the blocks as fragment files by relative path."""
    found: dict[str, str] = {}

    def move(match: re.Match[str]) -> str:
        aside = Fragment(f"aside/{page.removesuffix('.md')}/{len(found) + 1}", "", None)
        found[aside.file] = match.group(1)
        return aside.placeholder

    return _ASIDE.sub(move, text), found


def aside_files(text: str) -> list[str]:
    """The fragment files of the asides whose placeholders ``text`` holds, in order."""
    found = (match.group(1) for match in _PLACEHOLDER.finditer(text))
    return [f"{key}.html" for key in found if key.startswith("aside/")]


def inject(html: str, folder: Path, missing: str | None = None) -> str:
    """Replace every placeholder in ``html`` by its fragment file's content (by ``missing``
    where there is no such file, when given: the live preview shows a page before its new
    fragments are written)."""

    def fragment(match: re.Match[str]) -> str:
        path = folder / f"{match.group(1)}.html"
        if missing is not None and not path.is_file():
            return missing
        return path.read_text("utf-8")

    return _PLACEHOLDER.sub(fragment, html)


def inline(text: str, files: dict[str, str]) -> str:
    """``text`` with every placeholder replaced by its fragment from ``files`` (by file)."""
    return _PLACEHOLDER.sub(lambda m: files[f"{m.group(1)}.html"], text)


def inject_site(site: Path, folder: Path) -> None:
    """Inject fragments into every built page that has placeholders."""
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "<!-- fragment:" in text:
            replace_file(path, inject(text, folder).encode("utf-8"))
