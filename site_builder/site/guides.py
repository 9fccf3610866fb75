"""The editorial guides in ``content/guides/``: their titles, and which combos they discuss."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Guide:
    """One guide: its path under ``content/``, its title and its source text."""

    relative: str
    title: str
    text: str

    def mentions(self, combo: str) -> bool:
        """The guide asks the engine about ``combo`` or links to its page."""
        return re.search(rf"(?<![\w-]){re.escape(combo)}(?![\w-])", self.text) is not None


def guides(content: Path) -> list[Guide]:
    """Every guide but the section index, by path."""
    out = []
    for path in sorted((content / "guides").glob("*.md")):
        if path.name != "index.md":
            text = path.read_text(encoding="utf-8")
            out.append(Guide(path.relative_to(content).as_posix(), _title(text, path.stem), text))
    return out


def _title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback
