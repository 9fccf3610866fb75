"""README, CONTRIBUTING and ARCHITECTURE as GitHub renders them: every relative link names a
file or folder of the repository (not the ignored, generated site/), every #anchor a heading."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "CONTRIBUTING.md", "ARCHITECTURE.md", ".github/pull_request_template.md")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {slug(m) for m in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def ignored(path: Path) -> bool:
    done = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("doc", DOCS)
def test_every_link_works_on_github(doc: str) -> None:
    source = ROOT / doc
    for target in LINK.findall(source.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file, _, anchor = target.partition("#")
        found = (source.parent / file).resolve() if file else source
        assert found.exists(), f"{doc}: {target} does not exist"
        assert not ignored(found), f"{doc}: {target} is generated and ignored by git"
        if anchor:
            assert anchor in anchors(found), f"{doc}: no heading for #{anchor} in {found.name}"
