"""The escaping filters: catalog text is shown literally, never as markup."""

from __future__ import annotations

import markdown
import pytest

from site_builder.site.escape import fence, html_text, md, prose, url, yaml_string

EXTENSIONS = ["tables", "attr_list", "md_in_html", "toc"]


def in_table(cell: str) -> str:
    """Render a one-column Markdown table holding ``cell``."""
    return markdown.markdown(f"| a |\n|---|\n| {cell} |\n", extensions=EXTENSIONS)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a | b", "a | b"),
        ("*bold* _it_", "*bold* _it_"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("x {: onclick=alert(1) }", "x {: onclick=alert(1) }"),
        ("`code` & more", "`code` &amp; more"),
        ("back\\slash", "back\\slash"),
    ],
)
def test_md_shows_text_literally_in_a_table_cell(text: str, shown: str) -> None:
    html = in_table(md(text))
    assert f"<td>{shown}</td>" in html
    assert html.count("<td>") == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "Set `NCCL_P2P_DISABLE=1` and *retry*",
            "Set <code>NCCL_P2P_DISABLE=1</code> and <em>retry</em>",
        ),
        ("pipe in code `a|b` | outside", "pipe in code <code>a|b</code> | outside"),
        ("<b>not bold</b>", "&lt;b&gt;not bold&lt;/b&gt;"),
        ("`<script>` stays code", "<code>&lt;script&gt;</code> stays code"),
        ("[link](javascript:x)", "[link](javascript:x)"),
        ("unclosed ` tick <i>", "unclosed ` tick &lt;i&gt;"),
    ],
)
def test_prose_keeps_code_and_emphasis_only(text: str, shown: str) -> None:
    html = in_table(prose(text))
    assert f"<td>{shown}</td>" in html


def test_md_is_one_line() -> None:
    assert md("two\nlines") == "two lines"


def test_html_text_escapes_markdown_triggers_too() -> None:
    assert html_text('a|b`c[d]"<e>&\\') == "a&#124;b&#96;c&#91;d&#93;&quot;&lt;e&gt;&amp;&#92;"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("https://example.com/a_b?x=1&y=2#f", "https://example.com/a_b?x=1&y=2#f"),
        ("https://example.com/(x)|y", "https://example.com/%28x%29%7Cy"),
        ("javascript:alert(1)", "#"),
        ('https://e.com/"><script>', "https://e.com/%22%3E%3Cscript%3E"),
    ],
)
def test_url(target: str, safe: str) -> None:
    assert url(target) == safe


def test_fence_outgrows_backticks() -> None:
    assert fence("echo hi") == "```"
    assert fence("a ```` b") == "`````"


def test_yaml_string_is_one_quoted_line() -> None:
    assert yaml_string('say "hi"\n\\') == '"say \\"hi\\" \\\\"'
