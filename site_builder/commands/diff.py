"""``site-builder diff BASE HEAD``: what a change does to the site, as Markdown.

BASE and HEAD are each a git ref (its ``catalog/`` and ``content/`` are read from git) or a
folder: a project folder holding ``catalog/`` (and ``content/``), or a catalog folder (read with
``--content``). Both sides are rendered with this checkout's engine and templates, one after the
other (a project folder's side reads back the results its last build left of the combos it
leaves unchanged, ``.build/``), and compared: pages added, removed and changed; results that moved
(verdicts, recommended setups, decode and prefill beyond ``--threshold`` percent) by combo and
model. The CI workflow posts the report on every pull request.

Exit codes: 0 (a report, empty or not); 1 when either side's catalog or content has errors;
2 for a side that is neither a folder nor a git ref.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from site_builder.errors import UsageError
from site_builder.site import diff
from site_builder.site.layout import Layout

FOLDERS = ("catalog", "content")
"""What a git ref contributes to a side."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", help="git ref or folder before the change (e.g. origin/main)")
    parser.add_argument("head", help="git ref or folder after the change (e.g. HEAD or .)")
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="content folder for a side given as a catalog folder (default: ./content)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=diff.THRESHOLD_PCT,
        help=f"percent a speed must move to be listed (default: {diff.THRESHOLD_PCT:g})",
    )
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="cut the report before this many characters, saying so (a PR comment takes 65,536)",
    )


def run(args: argparse.Namespace) -> int:
    if args.threshold < 0:
        raise UsageError(f"--threshold must be 0 or more, not {args.threshold:g}")
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (none) or more, not {args.limit}")
    with tempfile.TemporaryDirectory(prefix="site-diff-") as name:
        folder = Path(name)
        base = side(args.base, folder / "base", args.content)
        head = side(args.head, folder / "head", args.content)
        before = diff.snapshot(base, last_work(args.base))
        after = diff.snapshot(head, last_work(args.head))
    found = diff.compare(before, after, args.threshold)
    text = diff.report(found, args.base, args.head, args.threshold, args.limit)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


def side(spec: str, scratch: Path, content: Path) -> Layout:
    """The layout that renders ``spec``: a folder as it is, a git ref exported to ``scratch``."""
    path = Path(spec)
    if path.is_dir():
        if (path / "catalog").is_dir():
            own = path / "content"
            return _layout(path / "catalog", own if own.is_dir() else content, scratch)
        return _layout(path, content, scratch)
    export(spec, scratch)
    return _layout(scratch / "catalog", scratch / "content", scratch)


def last_work(spec: str) -> Path | None:
    """The work folder of a project folder's last build (``make site``), whose results of the
    combos a side leaves unchanged are read back instead of evaluated again (its keys tell
    which; a git ref or a catalog folder has none)."""
    work = Path(spec) / ".build"
    return work if (Path(spec) / "catalog").is_dir() and work.is_dir() else None


def _layout(catalog: Path, content: Path, scratch: Path) -> Layout:
    return Layout.at(
        Path("."), catalog=catalog, content=content, site=scratch / "site", work=scratch / "work"
    )


def export(ref: str, target: Path) -> None:
    """Write ``ref``'s catalog and content folders under ``target`` (git archive)."""
    commit = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if commit is None:
        raise UsageError(f"{ref!r} is neither a folder nor a git ref")
    listed = (_git("ls-tree", "--name-only", commit.decode().strip()) or b"").decode().split()
    present = [f for f in FOLDERS if f in listed]
    if "catalog" not in present:
        raise UsageError(f"git ref {ref!r} has no catalog/ folder")
    archive = _git("archive", "--format=tar", commit.decode().strip(), "--", *present)
    if archive is None:
        raise UsageError(f"git could not export {ref!r}")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    (target / "content").mkdir(exist_ok=True)


def _git(*args: str) -> bytes | None:
    """git's output, or None when it fails (not a repository, unknown ref)."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None
