"""Editorial content helpers."""

from __future__ import annotations

import pytest

from site_builder.site.content import demote_headings


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
