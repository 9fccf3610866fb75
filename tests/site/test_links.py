"""The link checker over a built site: files, directory URLs, anchors and schemes."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site.links import _resolve, check_site


def site(tmp_path: Path, page: str) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">A</h2>', encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "link",
    ["a/", "a/index.html", "a/#here", "data.json", "#top", "https://example.com/x", "./a/?q=1"],
)
def test_good_links_pass(tmp_path: Path, link: str) -> None:
    check_site(site(tmp_path, f'<p id="top"><a href="{link}">x</a></p>'))


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("b/", "no such file"),
        ("a/#nowhere", "no element with id 'nowhere'"),
        ("#missing", "no element with id 'missing'"),
        ("../outside.html", "no such file"),
        ("javascript:alert(1)", "scheme 'javascript' not allowed"),
    ],
)
def test_broken_links_fail_with_the_page_and_target(
    tmp_path: Path, link: str, problem: str
) -> None:
    with pytest.raises(BuildError, match=f"index.html: {problem}"):
        check_site(site(tmp_path, f'<a href="{link}">x</a> <img src="data.json">'))


@pytest.mark.parametrize(
    ("page", "path", "target"),
    [
        ("index.html", "gpus/", "gpus/index.html"),
        ("gpus/rtx-4090/index.html", "../", "gpus/index.html"),
        ("gpus/rtx-4090/index.html", "../../models/x/", "models/x/index.html"),
        ("gpus/rtx-4090/index.html", "./a.json", "gpus/rtx-4090/a.json"),
        ("gpus/rtx-4090/index.html", "a//b/./c.png", "gpus/rtx-4090/a/b/c.png"),
        ("gpus/rtx-4090/index.html", "/api/index.json", "api/index.json"),
        ("gpus/rtx-4090/index.html", "/", "index.html"),
        ("gpus/rtx-4090/index.html", "/a/../b/", "b/index.html"),
        ("index.html", ".", "index.html"),
        ("index.html", "../x.html", None),
        ("a/index.html", "../../x.html", None),
        ("index.html", "/..", None),
    ],
)
def test_a_link_resolves_to_the_file_a_browser_fetches(
    page: str, path: str, target: str | None
) -> None:
    assert _resolve(page, path) == target
