"""How long ``site-builder serve`` takes to show a one-combo edit (issue 13: <= 3 s).

Copies the shipped catalog, content, templates and mkdocs.yml into a temporary folder, starts
``site-builder serve`` on a free port, waits for the first page, then edits one combo
``--edits`` times in each of four ways and times each edit from the file's write to the combo
page served with its marker word (and to every file the preview writes after the pages
written and built): in ``dual-rtx-4090``'s summary (editorial text, which no engine answer
reads: its answers are kept), in its host's platform line (an engine input: its answers are
worked out again), in the platform line with its host's RAM bandwidth changed (the answers
themselves change: every offloaded setup's) and in its name (a rename: the name is on about
110 pages; the combo's own page is written first, the others right after it is shown).
Prints the start-up time, every edit's latency, the median of each kind against the target,
and the preview's own account of each regeneration (its stages) from the server's log; then
checks that the docs, fragments and data files the preview wrote equal what a fresh generation
of the edited catalog writes (the preview reuses answers about unchanged combos: they must not
differ).
Run: python benchmarks/serve.py [--edits N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 3.0
COMBO = "dual-rtx-4090"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    import machine  # benchmarks/machine.py: this file runs as a script from benchmarks/

    print(machine.speed_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as folder:
        project = Path(folder)
        for name in ("catalog", "content", "templates", "mkdocs.yml"):
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, project / name)
            else:
                shutil.copy(source, project / name)
        return measure(project, args.edits)


def measure(project: Path, edits: int) -> int:
    port = free_port()
    log_path = project / "serve.log"
    command = [str(Path(sys.executable).parent / "site-builder"), "serve", "--root", str(project)]
    command += ["--address", f"127.0.0.1:{port}"]
    url = f"http://127.0.0.1:{port}/hardware-combos/{COMBO}/"
    with log_path.open("w") as log:
        started = time.monotonic()
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=project)
        try:
            wait_for(url, "Dual RTX 4090", 600)
            print(f"first page served after {time.monotonic() - started:.1f} s")
            latencies = {
                kind: [edit_once(project, url, n, kind) for n in range(edits)] for kind in KINDS
            }
        finally:
            server.terminate()
            server.wait(timeout=60)
    for kind, found in latencies.items():
        for n, (shown, done) in enumerate(found):
            print(f"{kind} edit {n + 1}: shown after {shown:.2f} s, every file after {done:.2f} s")
        median = statistics.median(shown for shown, _ in found)
        verdict = "OK" if median <= TARGET_S else "OVER"
        target = f"the target of {TARGET_S:.1f} s"
        print(f"{kind} edits: median {median:.2f} s against {target}: {verdict}")
    for line in log_path.read_text(encoding="utf-8").splitlines():
        if any(mark in line for mark in ("Regenerated", "mkdocs rendered", "built in", WRITTEN)):
            print("  log:", line.split("-  ", 1)[-1])
    differ = compare_with_fresh(project)
    print(f"preview's files against a fresh generation: {differ or 'equal'}")
    return 1 if differ else 0


def compare_with_fresh(project: Path) -> str:
    """Which files the preview wrote differ from a fresh generation's (empty when none)."""
    from site_builder.site.build import generate
    from site_builder.site.layout import Layout

    layout = Layout.at(project)
    site = generate(layout)
    extras = site.extras()
    wanted = {
        layout.docs: {**site.docs, **extras.static},
        layout.fragments: extras.fragments,
    }
    differ = []
    for folder, files in wanted.items():
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        for name in sorted(on_disk | set(files)):
            content = files.get(name)
            data = content.encode("utf-8") if isinstance(content, str) else content
            path = folder / name
            if data is None or not path.is_file() or path.read_bytes() != data:
                differ.append(name)
    return f"{len(differ)} differ: {', '.join(differ[:5])}" if differ else ""


KINDS = {
    "text": r"^summary: ",
    "engine input": r"^  platform: ",
    "answers": r"^  platform: ",
    "rename": r"^name: ",
}
"""The kinds of edit, by the start of the line each puts its marker word in: the combo's
summary (editorial text), its host's platform (an engine input), and the platform with the
host's RAM bandwidth (which changes the answers of every offloaded setup: :data:`ANSWERS`)."""
ANSWERS = (r"ram_bandwidth_gb_s: [0-9.]+", "ram_bandwidth_gb_s: {}")


WRITTEN = "changed data files and fragments"
"""The preview's log line once the files it makes after the pages are written."""


def edit_once(project: Path, url: str, n: int, kind: str) -> tuple[float, float]:
    """Seconds from the edit until its page shows it, and until every file is written and
    built (the data files and fragments the preview writes after the pages)."""
    time.sleep(1)
    log = project / "serve.log"
    written = log.read_text(encoding="utf-8").count(WRITTEN)
    path = project / "catalog" / "combos" / f"{COMBO}.yaml"
    text = re.sub(r"Benchmark\d+[A-Z] ", "", path.read_text(encoding="utf-8"))
    marker = f"Benchmark{n}{kind[0].upper()}"
    line = KINDS[kind]
    edited = re.sub(line, f"{line[1:]}{marker} ", text, count=1, flags=re.M)
    if kind == "answers":
        edited = re.sub(ANSWERS[0], ANSWERS[1].format(80 + n), edited, count=1)
    assert edited != text, kind
    started = time.monotonic()
    path.write_text(edited, encoding="utf-8")
    wait_for(url, marker, 300)
    shown = time.monotonic() - started
    while not settled(log.read_text(encoding="utf-8"), written):
        time.sleep(0.05)
    return shown, time.monotonic() - started


def settled(log: str, written: int) -> bool:
    """Whether the log shows the files of one more edit than ``written`` written, then the
    build they ask for (unless none changed: the pages left for later or the data files), and
    no build running."""
    if log.count(WRITTEN) <= written:
        return False
    tail = log[log.rindex(WRITTEN) - 40 :]
    builds = log.count("Building documentation"), log.count("Documentation built")
    asks = re.search(r"Wrote 0 changed", tail.splitlines()[0]) is None
    return builds[0] == builds[1] and (not asks or "Documentation built" in tail)


def wait_for(url: str, text: str, seconds: float) -> None:
    """Poll ``url`` until its page holds ``text`` (TimeoutError after ``seconds``)."""
    started = time.monotonic()
    while text not in fetch(url):
        if time.monotonic() - started > seconds:
            raise TimeoutError(f"{url} never showed {text!r}")
        time.sleep(0.05)


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return str(answer.read().decode("utf-8"))
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
