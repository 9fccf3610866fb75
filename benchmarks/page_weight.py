"""What a reader's browser loads before the first interaction, page by page, gzipped.

Serves a built site over HTTP and opens pages in Debian's chromium (headless, ``--no-sandbox``,
driven by playwright, as the browser tests are): one page of each family, the five largest pages
of the site, and the two pickers at their heaviest (the configurator on the combo whose table and
details are largest, the compare picker on the two largest tables). Each page is opened without a
click or a scroll and left until the network is idle; every file fetched is counted at its
gzipped size (what a static host serving gzip sends). Prints the heaviest pages against the
issue's bound of 300 KB. Exit 0 when every page is within it, 1 otherwise.

Run: python benchmarks/page_weight.py SITE   (``benchmarks/scale.py`` runs it on each site)
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_KB = 300
"""The bound on what a page loads before the first interaction (KB gzipped)."""
FAMILIES = [
    "/",
    "/will-it-run/",
    "/hardware-combos/",
    "/hardware-combos/dual-rtx-4090/",
    "/models/",
    "/models/llama-3.3-70b-instruct/",
    "/gpus/",
    "/gpus/rtx-4090/",
    "/runtimes/llama-cpp/",
    "/stacks/",
    "/benchmarks/",
    "/methodology/",
    "/compare/",
    "/configure/",
]


def pages(site: Path) -> list[str]:
    """The pages to weigh: :data:`FAMILIES`, the five largest pages, the pickers at their
    heaviest."""
    html = sorted(site.rglob("index.html"), key=lambda p: -p.stat().st_size)[:5]
    folders = [p.parent.relative_to(site).as_posix() for p in html]
    largest = ["/" if f == "." else f"/{f}/" for f in folders]
    tables = site / "api" / "estimates"
    sized = {
        t.name.removesuffix(".json"): len(gzip.compress(t.read_bytes()))
        for t in tables.glob("*.json")
    }
    combos = [k for k in sized if not k.endswith(".details")]
    both = max(combos, key=lambda c: sized[c] + sized.get(c + ".details", 0))
    a, b = sorted(combos, key=lambda c: -sized[c])[:2]
    pickers = [f"/configure/?combo={both}", f"/compare/?a={a}&b={b}"]
    return [*FAMILIES, *largest, *pickers]


def weigh(site: Path) -> list[tuple[str, int, int]]:
    """(page, files fetched, gzipped bytes) of each page of :func:`pages`, heaviest first."""
    sys.path.insert(0, str(ROOT))
    from tests.site.browser import chromium, served

    found = []
    with served(site) as url, chromium() as browser:
        for path in pages(site):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sizes: list[int] = []

            def fetched(response: object, sizes: list[int] = sizes) -> None:
                try:
                    body = response.body()  # type: ignore[attr-defined]
                except Exception:  # a redirect or an aborted request has no body
                    body = b""
                sizes.append(len(gzip.compress(body, 6)))

            page.on("response", fetched)
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            page.close()
            found.append((path, len(sizes), sum(sizes)))
    return sorted(found, key=lambda f: -f[2])


def report(site: Path) -> bool:
    """Print the heaviest pages of ``site``; whether every page is within :data:`LIMIT_KB`."""
    if not Path("/usr/bin/chromium").exists():
        print("  page weight: not measured (needs Debian's chromium: make browser-deps)")
        return True
    found = weigh(site)
    path, files, size = found[0]
    ok = size <= LIMIT_KB * 1000
    print(
        f"  page weight before the first interaction: heaviest {path} {size / 1e3:.0f} KB "
        f"gzipped in {files} files (limit {LIMIT_KB}: {'OK' if ok else 'OVER'}); next "
        + ", ".join(f"{p} {s / 1e3:.0f} KB" for p, _, s in found[1:4])
    )
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/page_weight.py SITE  (a built site folder)")
    raise SystemExit(0 if report(Path(sys.argv[1])) else 1)
