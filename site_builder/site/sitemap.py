"""The sitemap's ``lastmod``: per page, the newest date the page itself shows.

mkdocs stamps every page with the build's date, so one newer benchmark would mark all pages
changed. Without a page history, the newest dated fact on a page (a measurement's date, a
price's, a model's release) is the honest stand-in: a page changes its ``lastmod`` only when a
date it shows changes. A page that shows no date gets no ``lastmod`` (the element is optional in
the sitemap protocol). The gzipped copy is rewritten with a fixed timestamp.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.site import urls

_DATE = re.compile(r"(?<![\d-])(20\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d-])")
_ENTRY = re.compile(r"(<loc>([^<]*)</loc>)\s*<lastmod>[^<]*</lastmod>")


def page_dates(
    docs: Mapping[str, str | bytes], asides: Mapping[str, str | bytes]
) -> dict[str, str]:
    """URL path (``/gpus/rtx-4090/``) -> the newest ISO date in the page's Markdown and its
    set-aside tables (pages without a date are left out)."""
    texts: dict[str, list[str]] = {}
    for path, text in docs.items():
        if path.endswith(".md") and isinstance(text, str):
            texts.setdefault(path.removesuffix(".md"), []).append(text)
    for path, text in asides.items():
        page = path.removeprefix("aside/").rsplit("/", 1)[0]
        if page in texts and isinstance(text, str):
            texts[page].append(text)
    dates = {}
    for page, parts in texts.items():
        found = [d for part in parts for d in _DATE.findall(part)]
        if found:
            dates[urls.site_url(f"{page}.md")] = max(found)
    return dates


def rewrite(site: Path, dates: Mapping[str, str]) -> None:
    """Set each ``<lastmod>`` of ``site``'s sitemap to its page's date (or drop it)."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = _ENTRY.sub(lambda m: _entry(m, dates), sitemap.read_text(encoding="utf-8"))
    sitemap.write_text(text, encoding="utf-8")
    gz = site / "sitemap.xml.gz"
    with gz.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(text.encode("utf-8"))


def _entry(match: re.Match[str], dates: Mapping[str, str]) -> str:
    date = dates.get(urlsplit(match.group(2)).path)
    return f"{match.group(1)}\n         <lastmod>{date}</lastmod>" if date else match.group(1)
