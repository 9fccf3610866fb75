"""The link checker: every ``href`` and ``src`` of every built page must reach a file, and
every ``#fragment`` an element id on it. mkdocs' strict validation checks links between
Markdown pages; this pass also covers raw HTML, SVG, assets and the theme's own links."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from site_builder.errors import BuildError

_ATTRS = ("href", "src", "xlink:href")
_EXTERNAL = ("http", "https", "mailto", "data")


@dataclass(frozen=True)
class Broken:
    """A link that does not resolve."""

    page: str
    target: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: {self.problem}: {self.target}"


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif name in _ATTRS and not (tag == "link" and ("rel", "canonical") in attrs):
                self.links.append(value)


def check_site(site: Path) -> None:
    """Raise :class:`BuildError` listing every broken internal link under ``site``."""
    scans = {
        path.relative_to(site).as_posix(): _scan(path) for path in sorted(site.rglob("*.html"))
    }
    broken = [b for page, scan in scans.items() for b in _check_page(site, page, scan, scans)]
    if broken:
        listing = "\n  ".join(str(b) for b in broken[:50])
        more = f"\n  ... and {len(broken) - 50} more" if len(broken) > 50 else ""
        raise BuildError(f"{len(broken)} broken internal link(s):\n  {listing}{more}")


def _scan(path: Path) -> _Scan:
    scan = _Scan()
    scan.feed(path.read_text(encoding="utf-8"))
    return scan


def _check_page(site: Path, page: str, scan: _Scan, scans: dict[str, _Scan]) -> list[Broken]:
    broken = []
    for link in scan.links:
        problem = _problem(site, page, link, scan, scans)
        if problem:
            broken.append(Broken(page, link, problem))
    return broken


def _problem(site: Path, page: str, link: str, scan: _Scan, scans: dict[str, _Scan]) -> str:
    parts = urlsplit(link)
    if parts.scheme in _EXTERNAL or parts.netloc:
        return ""
    if parts.scheme:
        return f"scheme {parts.scheme!r} not allowed"
    if not parts.path:
        return _fragment_problem(scan, parts.fragment)
    target = _resolve(page, unquote(parts.path))
    if target is None or not (site / target).is_file():
        return "no such file"
    if parts.fragment and target.endswith(".html"):
        return _fragment_problem(scans[target], parts.fragment)
    return ""


def _resolve(page: str, path: str) -> str | None:
    base = PurePosixPath(page).parent
    joined = PurePosixPath(path[1:]) if path.startswith("/") else base / path
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    resolved = "/".join(parts)
    if path.endswith("/") or not resolved:
        resolved = f"{resolved}/index.html".lstrip("/")
    return resolved


def _fragment_problem(scan: _Scan, fragment: str) -> str:
    if not fragment or fragment in scan.ids or fragment.startswith("__"):
        return ""
    return f"no element with id {unquote(fragment)!r}"
