"""Editorial content helpers."""

from __future__ import annotations

import pytest

from site_builder.site.content import demote_headings
from site_builder.site.guides import Guide


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("## Launch\n\ntext\n", "### Launch\n\ntext\n"),
        ("# Top\n### Deep\n", "## Top\n#### Deep\n"),
        (
            "```bash\n# a shell comment\n```\n## After\n",
            "```bash\n# a shell comment\n```\n### After\n",
        ),
        ("~~~\n```\n## inside\n~~~\n## out\n", "~~~\n```\n## inside\n~~~\n### out\n"),
        ("#hashtag, not a heading\n", "#hashtag, not a heading\n"),
        ("    ## indented code\n", "    ## indented code\n"),
        ("###### deepest stays\n", "###### deepest stays\n"),
    ],
)
def test_demote_headings(text: str, expected: str) -> None:
    assert demote_headings(text) == expected


@pytest.mark.parametrize(
    ("text", "combo", "expected"),
    [
        ('{{ estimate("dual-rtx-3090", model="m") }}', "dual-rtx-3090", True),
        ("[the pair](/hardware-combos/dual-rtx-3090.md)", "dual-rtx-3090", True),
        ("[PCIe only](/hardware-combos/dual-rtx-3090-pcie.md)", "dual-rtx-3090", False),
        ("quad-dual-rtx-3090", "dual-rtx-3090", False),
    ],
)
def test_guide_mentions_a_combo(text: str, combo: str, expected: bool) -> None:
    assert Guide("guides/g.md", "G", text).mentions(combo) is expected
