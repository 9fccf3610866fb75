"""Commands work as typed: no ``<...>`` placeholder in any command block or inline command of
the built site."""

from __future__ import annotations

import html
import re

from tests.site.conftest import Built

CODE = re.compile(r"<pre[^>]*>(.*?)</pre>|<code>(.*?)</code>", re.DOTALL)
PLACEHOLDER = re.compile(r"<[A-Za-z][\w .-]*>")
COMMANDS = ("sudo ", "ollama ", "python", "pip ", "vllm ", "llama-", "mlx_", "lms ", "hf ")
COMMANDS += ("docker ", "curl ", "git ", "nvidia", "trtllm", "huggingface-cli", "cmake ")


def commands(page: str) -> list[str]:
    found = []
    for block, inline in CODE.findall(page):
        text = html.unescape(re.sub(r"<[^>]+>", "", block or inline))
        if text.lstrip().startswith("<") or "<?xml" in text:
            continue  # a markup file's content (a launchd plist), not a placeholder
        if block or text.lstrip().startswith(COMMANDS):
            found.append(text)
    return found


def test_the_finder_sees_a_placeholder() -> None:
    page = "<p><code>ollama run &lt;model&gt;</code> and <code>catalog/&lt;kind&gt;</code></p>"
    page += "<pre><code>&lt;?xml version='1.0'?&gt;\n&lt;plist&gt;</code></pre>"
    assert [PLACEHOLDER.search(c) is not None for c in commands(page)] == [True]


def test_no_command_holds_a_placeholder(shipped: Built) -> None:
    offenders = []
    for path in sorted(shipped.site.rglob("*.html")):
        for text in commands(path.read_text(encoding="utf-8")):
            if PLACEHOLDER.search(text):
                offenders.append(f"{path.relative_to(shipped.site)}: {text[:120]}")
    assert offenders == []
