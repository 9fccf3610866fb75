"""Where each page lives: docs-relative Markdown paths and the links to them.

Links are written as absolute docs paths (``/gpus/rtx-4090.md``); mkdocs resolves them
(``validation.absolute_links: relative_to_docs``), checks that the page and anchor exist, and
turns them into relative URLs (``../../gpus/rtx-4090/``).
"""

from __future__ import annotations

import functools


def combo(slug: str) -> str:
    return f"hardware-combos/{slug}.md"


def stack(slug: str) -> str:
    return f"stacks/{slug}.md"


def gpu(slug: str) -> str:
    return f"gpus/{slug}.md"


def model(slug: str) -> str:
    return f"models/{slug}.md"


def runtime(slug: str) -> str:
    return f"runtimes/{slug}.md"


def matrix(combo_slug: str) -> str:
    return f"will-it-run/{combo_slug}.md"


def matrix_group(group_slug: str) -> str:
    """A will-it-run table of one group of combos (``/will-it-run/hardware/one-card/``)."""
    return f"will-it-run/hardware/{group_slug}.md"


def compare(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"compare/{first}-vs-{second}.md"


def index(section: str) -> str:
    return f"{section}/index.md"


def link(path: str, anchor: str | None = None) -> str:
    """The Markdown link target of a docs-relative page path."""
    return f"/{path}" + (f"#{anchor}" if anchor else "")


@functools.lru_cache(maxsize=1 << 16)
def site_url(path: str) -> str:
    """The site URL (from the site root, with a trailing slash) of a docs-relative page path."""
    stem = path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
    else:
        stem += "/"
    return "/" + stem.lstrip("/") if stem else "/"


def anchor(slug: str) -> str:
    """An HTML id for a catalog slug (dots and case are allowed in ids; keep them)."""
    return slug.replace(".", "-").lower()


@functools.lru_cache(maxsize=1 << 16)
def relative(from_path: str, to_path: str, query: str = "") -> str:
    """A relative URL from one page to another (for raw HTML, which mkdocs does not rewrite)."""
    source = site_url(from_path).strip("/").split("/") if site_url(from_path) != "/" else []
    up = "../" * len(source)
    target = site_url(to_path).lstrip("/")
    return f"{up}{target}" + (f"?{query}" if query else "") or "./"


@functools.lru_cache(maxsize=1 << 16)
def from_page(href: str, here: str) -> str:
    """A Markdown link target (``/models/x.md#a``, as :func:`link` writes it) as a URL relative
    to the page ``here``, for raw HTML."""
    target, _, anchor = href.partition("#")
    relative_url = relative(here, target.lstrip("/"))
    return relative_url + (f"#{anchor}" if anchor else "")
