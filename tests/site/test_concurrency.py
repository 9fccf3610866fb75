"""Nothing a second build or a killed build does leaves ``site/`` broken: one build at a time
per folder, a publish with no moment without a site, killed workers die with their build, and
the next build needs no cleanup."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site import lock, output, sidecar, stamp
from site_builder.site.build import build
from site_builder.site.layout import Layout
from tests.site.conftest import CATALOG, CONTENT, ROOT, fixture_layout

EXPECTED = ("index.html", "hardware-combos/dual-rtx-4090/index.html", "api/index.json")


def complete(site: Path) -> bool:
    return all((site / name).is_file() for name in EXPECTED)


def command(folder: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "site_builder.cli",
        "build",
        "--root",
        str(ROOT),
        "--catalog",
        str(CATALOG),
        "--content",
        str(CONTENT),
        "--site",
        str(folder / "site"),
        "--work",
        str(folder / "work"),
    ]


def workers(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (a build's unique site folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
            except OSError:
                continue
            if marker in line and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def test_a_second_build_of_the_same_folder_stops_with_a_message(tmp_path: Path) -> None:
    layout = fixture_layout(tmp_path)
    with lock.exclusive(layout), pytest.raises(BuildError, match="another site-builder build"):
        build(layout)


def held(path: Path) -> bool:
    """Whether a process holds the build lock ``path``."""
    if not path.is_file():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


def test_two_builds_at_once_leave_a_complete_site(tmp_path: Path) -> None:
    first = subprocess.Popen(command(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not held(tmp_path / "work" / "build.lock") and first.poll() is None:
        assert time.monotonic() < deadline, "the first build never took its lock"
        time.sleep(0.005)
    second = subprocess.run(command(tmp_path), capture_output=True, text=True, timeout=120)
    out, err = first.communicate(timeout=120)
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 1], (out, err, second.stderr)
    # Whichever started second (a loaded machine may start the first one late) stops with one
    # line; the other builds.
    loser = err.decode("utf-8") if first.returncode else second.stderr
    assert "another site-builder build or serve" in loser
    assert len(loser.strip().splitlines()) == 1
    assert complete(tmp_path / "site")
    assert not list(tmp_path.glob(".site.new*"))


def test_a_killed_build_keeps_the_previous_site_and_the_next_one_cleans_up(tmp_path: Path) -> None:
    subprocess.run(command(tmp_path), check=True, capture_output=True, timeout=120)
    before = (tmp_path / "site" / "index.html").read_bytes()
    killed = subprocess.Popen(
        command(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(1.5)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    time.sleep(0.5)
    assert workers(str(tmp_path / "site")) == []
    assert complete(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_bytes() == before
    subprocess.run(command(tmp_path), check=True, capture_output=True, timeout=120)
    assert complete(tmp_path / "site")
    assert not list(tmp_path.glob(".site.new*")) and not list(tmp_path.glob(".site.old*"))


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not output.exchange(a, b):
        pytest.skip("this kernel has no exchange rename")
    assert ((a / "x").read_text(), (b / "x").read_text()) == ("b", "a")


def test_publish_never_leaves_a_moment_without_a_site(tmp_path: Path) -> None:
    probe = [tmp_path / "p1", tmp_path / "p2"]
    for folder in probe:
        folder.mkdir()
    if not output.exchange(*probe):
        pytest.skip("this kernel has no exchange rename")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("0")
    missing: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (site / "index.html").is_file():
                missing.append(1)

    reader = threading.Thread(target=watch)
    reader.start()
    try:
        for i in range(200):
            staging = output.staging_dir(site)
            (staging / "index.html").write_text(str(i))
            output.publish(staging, site)
    finally:
        stop.set()
        reader.join()
    assert missing == []
    assert (site / "index.html").read_text() == "199"


def test_the_lock_names_its_holder(tmp_path: Path) -> None:
    layout = Layout.at(ROOT, site=tmp_path / "site", work=tmp_path / "work")
    with lock.exclusive(layout):
        text = lock.lock_file(layout).read_text()
    assert text == f"pid {os.getpid()}"


def test_an_unwritable_site_folder_fails_at_once_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    layout = Layout.at(
        ROOT, catalog=CATALOG, content=CONTENT, site=blocker / "site", work=tmp_path / "w"
    )

    def read_inputs(*args: object) -> str:
        raise AssertionError("the build read its inputs before checking the site folder")

    monkeypatch.setattr(stamp, "inputs_digest", read_inputs)  # at once: before any work
    with pytest.raises(BuildError, match=r"cannot write in .*choose a writable --site"):
        build(layout)


def test_a_forked_worker_does_not_hold_the_build_lock(tmp_path: Path) -> None:
    """An ``flock`` belongs to the open file parent and child share: a worker of a build that
    outlives it must not keep the next build of the same folders out."""
    layout = Layout.at(ROOT, site=tmp_path / "site", work=tmp_path / "work")
    started, release = tmp_path / "started", tmp_path / "release"

    def worker() -> None:
        started.write_text("yes")
        while not release.exists():
            time.sleep(0.01)

    with lock.exclusive(layout):
        running = sidecar.start(worker)
        while not started.exists():  # running (forked, its at-fork handlers done)
            time.sleep(0.01)
    try:
        with lock.exclusive(layout):  # the worker still runs; the lock is free
            assert lock.lock_file(layout).read_text() == f"pid {os.getpid()}"
    finally:
        release.write_text("done")
        running.result()
