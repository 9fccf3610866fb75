"""Lighthouse scores of the built site, served with gzip as a static host serves it.

Installs Lighthouse from npm into ``.build/lighthouse/`` the first time (the only network use,
at install), serves ``site/`` (or ``--site``) over HTTP with gzip for text files, and runs
Lighthouse with Debian's chromium (headless, ``--no-sandbox``) on six pages: home, a combo, its
will-it-run matrix, a compare page, the configurator and a stack, with the mobile and the
desktop profile. Prints performance and accessibility per page and profile and checks the
targets: mobile performance >= 90 and accessibility >= 95 on all six, desktop performance >= 95.
Exit 0 when every target is met, 1 otherwise.
Run: python benchmarks/lighthouse.py [--site site] [--runs 1]   (build the site first)
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / ".build" / "lighthouse"
LIGHTHOUSE_VERSION = "12"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "home": "/",
    "combo": "/hardware-combos/dual-rtx-4090/",
    "matrix": "/will-it-run/dual-rtx-4090/",
    "compare": "/compare/dual-rtx-3090-vs-dual-rtx-4090/",
    "configurator": "/configure/",
    "stack": "/stacks/dual-4090-workstation/",
}
TARGETS = {("mobile", "performance"): 90, ("mobile", "accessibility"): 95}
TARGETS[("desktop", "performance")] = 95
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")


def lighthouse() -> Path:
    """The Lighthouse CLI, installed from npm on first use."""
    binary = INSTALL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        INSTALL.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(INSTALL), f"lighthouse@{LIGHTHOUSE_VERSION}",
             "--no-audit", "--no-fund", "--silent"],
            check=True,
        )  # fmt: skip
    return binary


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text ones gzipped when the client accepts it (as any CDN does)."""

    def log_message(self, format: str, *args: object) -> None:
        return

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants and path.is_file() and path.suffix in TEXT):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        return


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    handler = lambda *a, **k: GzipHandler(*a, directory=str(site), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def scores(binary: Path, url: str, profile: str, folder: Path) -> dict[str, float]:
    """Performance and accessibility (0-100) of one page with one profile."""
    report = folder / "report.json"
    args = [
        str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    if profile == "desktop":
        args.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(args, check=True, env=env, capture_output=True)
    data = json.loads(report.read_text(encoding="utf-8"))
    return {k: round(v["score"] * 100) for k, v in data["categories"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--runs", type=int, default=1, help="median of this many runs")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        print(f"no built site in {args.site}: run make site first", file=sys.stderr)
        return 1
    if shutil.which("npm") is None or not Path(CHROMIUM).exists():
        print("needs npm and Debian's chromium (make browser-deps)", file=sys.stderr)
        return 1
    binary = lighthouse()
    failed = []
    with served(args.site) as base, tempfile.TemporaryDirectory() as name:
        print(f"{'page':14} {'profile':8} {'performance':>11} {'accessibility':>13}")
        for page, path in PAGES.items():
            for profile in ("mobile", "desktop"):
                runs = [scores(binary, base + path, profile, Path(name)) for _ in range(args.runs)]
                got = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{page:14} {profile:8} {got['performance']:>11.0f} "
                      f"{got['accessibility']:>13.0f}")  # fmt: skip
                for (want_profile, category), target in TARGETS.items():
                    if want_profile == profile and got[category] < target:
                        failed.append(f"{page} {profile} {category} {got[category]:.0f} < {target}")
    print("targets: mobile performance >= 90 and accessibility >= 95, desktop performance >= 95")
    for line in failed:
        print(f"MISSED: {line}")
    print("all targets met" if not failed else f"{len(failed)} targets missed")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
