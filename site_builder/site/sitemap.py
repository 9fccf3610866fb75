"""The sitemap's ``lastmod``: per page, the newest date the page itself shows.

mkdocs stamps every page with the build's date, so one newer benchmark would mark all pages
changed. Without a page history, the newest dated fact on a page (a measurement's date, a
price's, a model's release) is the honest stand-in: a page changes its ``lastmod`` only when a
date it shows changes. A page that shows no date gets no ``lastmod`` (the element is optional in
the sitemap protocol). The gzipped copy is rewritten with a fixed timestamp.

A site of more than :data:`URLS_PER_FILE` pages gets a sitemap index instead: ``sitemap.xml``
lists ``sitemap-1.xml``, ``sitemap-2.xml``, ... of at most that many URLs each (about 0.7 MB), so
no sitemap file grows with the site (sitemaps.org: an index may list up to 50,000 sitemaps).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from site_builder.site import urls

_DATE = re.compile(r"(?<![\d-])(20\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d-])")
_ENTRY = re.compile(r"(<loc>([^<]*)</loc>)\s*<lastmod>[^<]*</lastmod>")
_URL = re.compile(r"[ \t]*<url>.*?</url>\n?", re.S)
_ENTRY_LOC = re.compile(r"<loc>([^<]*)</loc>")
URLS_PER_FILE = 5000
"""Most URLs in one sitemap file (135 bytes each: about 0.7 MB)."""
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_URLSET = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
_INDEX = '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def newest_date(texts: Iterable[str]) -> str | None:
    """The newest ISO date in ``texts`` (a page's Markdown and its set-aside tables)."""
    return max((d for text in texts for d in _DATE.findall(text)), default=None)


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
        found = newest_date(parts)
        if found is not None:
            dates[urls.site_url(f"{page}.md")] = found
    return dates


def rewrite(site: Path, dates: Mapping[str, str]) -> None:
    """Set each ``<lastmod>`` of ``site``'s sitemap to its page's date (or drop it), and split
    a sitemap of more than :data:`URLS_PER_FILE` URLs behind a sitemap index."""
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = _ENTRY.sub(lambda m: _entry(m, dates), sitemap.read_text(encoding="utf-8"))
    entries = _URL.findall(text)
    if len(entries) <= URLS_PER_FILE:
        _write(site, "sitemap.xml", text)
        return
    base = urlsplit(_ENTRY_LOC.findall(entries[0])[0])
    root = f"{base.scheme}://{base.netloc}/"
    index = [_HEAD, _INDEX]
    for n, start in enumerate(range(0, len(entries), URLS_PER_FILE), 1):
        part = entries[start : start + URLS_PER_FILE]
        _write(site, f"sitemap-{n}.xml", "".join([_HEAD, _URLSET, *part, "</urlset>\n"]))
        index.append(f"    <sitemap>\n         <loc>{root}sitemap-{n}.xml</loc>\n    </sitemap>\n")
    _write(site, "sitemap.xml", "".join([*index, "</sitemapindex>\n"]))


def _write(site: Path, name: str, text: str) -> None:
    """``name`` and its gzipped copy (no timestamp inside, so the bytes repeat)."""
    (site / name).write_text(text, encoding="utf-8")
    gz = site / f"{name}.gz"
    with gz.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(text.encode("utf-8"))


def _entry(match: re.Match[str], dates: Mapping[str, str]) -> str:
    date = dates.get(urlsplit(match.group(2)).path)
    return f"{match.group(1)}\n         <lastmod>{date}</lastmod>" if date else match.group(1)
