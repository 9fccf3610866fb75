"""Reading what a reader sees in built HTML: tables under a heading, as plain-text cells."""

from __future__ import annotations

import html
import re


def text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_after(page: str, heading_id: str) -> list[list[str]]:
    """Rows (cells as text) of the first table after the element with ``heading_id``."""
    start = page.index(f'id="{heading_id}"')
    table = re.search(r"<table.*?</table>", page[start:], re.DOTALL)
    assert table is not None, f"no table after #{heading_id}"
    body = table.group(0).split("</thead>", 1)[-1]
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def header_after(page: str, heading_id: str) -> list[str]:
    """Header cells of the first table after ``heading_id``."""
    start = page.index(f'id="{heading_id}"')
    head = re.search(r"<thead>(.*?)</thead>", page[start:], re.DOTALL)
    assert head is not None
    return [text(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.DOTALL)]
