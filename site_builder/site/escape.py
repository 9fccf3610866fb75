"""Escaping of catalog strings for the Markdown pages: the one place that makes text inert.

Templates emit Markdown, so Jinja's HTML autoescape cannot help: a ``|`` breaks a table row, a
``*`` starts emphasis, ``{: onclick=...}`` becomes an attribute through ``attr_list`` and
``<script>`` is raw HTML. Three filters cover every use:

- ``md``: plain text (names, titles) anywhere in Markdown, table cells included;
- ``prose``: editorial text whose inline code spans (backticks) and ``*emphasis*`` are kept,
  with everything that could make HTML, links, attributes or table cells escaped;
- ``html``: text inside raw HTML (SVG, the configurator, data attributes).
"""

from __future__ import annotations

import functools
import html
import json
import re

_MD_SPECIALS = frozenset("\\`*_[]{}#|")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_PROSE_SPECIALS = frozenset("\\`[]{}|#")


def md(text: object) -> str:
    """Escape ``text`` so Markdown shows it literally, on one line, in any inline position."""
    return _md(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _md(text: str) -> str:
    """:func:`md` of a string (remembered: pages show the same names thousands of times)."""
    return "".join(_md_char(char, _MD_SPECIALS) for char in _one_line(text))


def prose(text: object) -> str:
    """Escape editorial text but keep its backtick code spans and ``*``/``_`` emphasis."""
    source = _one_line(str(text))
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(source):
        parts.append(_prose_text(source[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_prose_text(source[position:]))
    return "".join(parts)


_HTML_EXTRA = str.maketrans(
    {"|": "&#124;", "`": "&#96;", "[": "&#91;", "]": "&#93;", "\\": "&#92;"}
)


def html_text(text: object) -> str:
    """Escape text for HTML element content and quoted attribute values.

    Beyond ``& < > " '``, the characters Markdown acts on inside raw HTML that sits in a
    table cell or a paragraph (``|`` splits cells, backticks and brackets start code spans and
    links, backslashes escape) become character references.
    """
    return _html_text(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _html_text(text: str) -> str:
    """:func:`html_text` of a string (remembered, as :func:`_md` is)."""
    return html.escape(text, quote=True).translate(_HTML_EXTRA)


def fence(code: str) -> str:
    """A backtick fence longer than any backtick run inside ``code`` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return "`" * max(3, longest + 1)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md_char(char: str, specials: frozenset[str]) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    return f"\\{char}" if char in specials else char


def _prose_text(text: str) -> str:
    return "".join(_md_char(char, _PROSE_SPECIALS) for char in text)


_URL_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?#@!$&+,;=%-._~*"
)


def url(target: object) -> str:
    """An http(s) URL made safe for a Markdown link target inside a table cell.

    Anything but http and https becomes ``#`` (no ``javascript:``); characters that could end
    the link, split a cell or open HTML are percent-encoded.
    """
    text = str(target).strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        return "#"
    return "".join(char if char in _URL_SAFE else _percent(char) for char in text)


def yaml_string(text: object) -> str:
    """A double-quoted YAML scalar (JSON string syntax) for front matter."""
    return json.dumps(_one_line(str(text)), ensure_ascii=False)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
