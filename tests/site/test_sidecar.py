"""Jobs in forked processes: values come back, failures fail, background jobs yield the cores,
a staged job's early figure and its value travel apart, a spawned job starts afresh, and a
failing block stops the children it started."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.errors import BuildError
from site_builder.site import sidecar


def test_a_job_computes_in_another_process() -> None:
    pending = sidecar.start(os.getpid)
    assert pending.result() != os.getpid()
    assert pending.result() == pending.result()  # read once, then kept


def test_a_failing_job_fails_the_reader() -> None:
    def broken() -> int:
        raise ValueError("no such combo")

    with pytest.raises(BuildError, match="a build job failed in its process: no such combo"):
        sidecar.start(broken).result()


@pytest.mark.parametrize(("background", "lower_by"), [(False, 0), (True, sidecar.BACKGROUND_NICE)])
def test_background_jobs_run_at_a_lower_priority(background: bool, lower_by: int) -> None:
    mine = os.nice(0)
    theirs = sidecar.start(lambda: os.nice(0), background=background).result()
    assert theirs == min(mine + lower_by, 19)


def test_jobs_around_a_body_run_in_the_background() -> None:
    with sidecar.all_computed([lambda: os.nice(0)]) as jobs:
        pass
    assert jobs[0].result() == min(os.nice(0) + sidecar.BACKGROUND_NICE, 19)


def test_a_staged_job_tells_early_and_its_value_can_be_read_elsewhere() -> None:
    def job(tell: Callable[[int], None]) -> list[int]:
        found = list(range(5))
        tell(len(found))
        return [n * n for n in found]

    size, value = sidecar.start_staged(job)
    assert size.result() == 5
    # the value's pipe is read by another process (the build's API writer), not this one
    assert sidecar.start(value.result).result() == [0, 1, 4, 9, 16]


def test_a_staged_job_that_fails_before_telling_fails_both_readers() -> None:
    def job(tell: Callable[[int], None]) -> int:
        raise ValueError("broken catalog")

    size, value = sidecar.start_staged(job)
    with pytest.raises(BuildError, match="died in its process before answering"):
        size.result()
    with pytest.raises(BuildError, match="broken catalog"):
        value.result()


BALLAST: list[bytes] = []
"""Memory this process holds (a spawned job must not see it)."""


def _held() -> int:
    return len(BALLAST)


def test_a_spawned_job_holds_none_of_this_process_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sidecar.ONE_PROCESS, raising=False)
    BALLAST.append(b"x" * 1000)
    try:
        assert sidecar.start(_held).result() == 1  # a fork shares it
        assert sidecar.spawned(_held).result() == 0  # a new interpreter does not
        assert sidecar.spawned(divmod, 7, 2).result() == (3, 1)
        monkeypatch.setenv(sidecar.ONE_PROCESS, "1")
        assert sidecar.spawned(_held).result() == 1  # a one-process build runs it here
    finally:
        BALLAST.clear()


def test_a_failing_spawned_job_fails_the_reader() -> None:
    with pytest.raises(BuildError, match=r"a build job failed in its process: .*division"):
        sidecar.spawned(divmod, 1, 0).result()


def test_a_spawned_job_does_not_run_the_callers_script_again(tmp_path: Path) -> None:
    """A script without a ``__main__`` guard (multiprocessing's ``spawn`` would run it again in
    the child, which would build again)."""
    script = tmp_path / "script.py"
    script.write_text(
        "import os\nfrom site_builder.site import sidecar\n"
        "print('ran', sidecar.spawned(os.getpid).result() != os.getpid())\n",
        encoding="utf-8",
    )
    env = {**os.environ, sidecar.ONE_PROCESS: "0"}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout == "ran True\n"


def test_in_a_reaped_later_block_a_value_comes_without_waiting_for_the_child_to_exit() -> None:
    """The live preview's jobs: the value is read, the child joined only when the next block
    starts (or :func:`sidecar.reap` runs); outside such a block the child is joined at once."""
    with sidecar.reaped_later():
        assert sidecar.start(os.getpid).result() != os.getpid()
        left = list(sidecar._UNREAPED)
    assert len(left) == 1
    with sidecar.reaped_later():
        assert not sidecar._UNREAPED and left[0].exitcode == 0
    assert sidecar.start(os.getpid).result() != os.getpid()
    assert not sidecar._UNREAPED


def _started_child(tmp_path: Path, name: str) -> tuple[sidecar.Pending[None], int]:
    """A job that writes its process ID, then sleeps far longer than any test; its pid once
    the child is running."""
    mark = tmp_path / name

    def job() -> None:
        mark.write_text(str(os.getpid()))
        time.sleep(600)

    pending = sidecar.start(job)
    for _ in range(3000):
        if mark.exists() and mark.read_text():
            return pending, int(mark.read_text())
        time.sleep(0.01)
    raise AssertionError("the child never started")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_failing_block_stops_the_children_it_started_and_only_those(tmp_path: Path) -> None:
    """A failed build must not leave a writer running into the work folder (or holding the
    lock it inherited) while the next build starts."""
    outer, outer_pid = _started_child(tmp_path, "outer")
    with pytest.raises(ValueError, match="broken link"), sidecar.stopped_on_failure():
        _, inner_pid = _started_child(tmp_path, "inner")
        raise ValueError("broken link")
    assert not _alive(inner_pid)  # stopped and waited for: not even a zombie is left
    assert _alive(outer_pid)  # started before the block: not the block's to stop
    outer.cancel()
    assert not _alive(outer_pid)


def test_a_block_that_succeeds_leaves_its_children_to_their_readers(tmp_path: Path) -> None:
    with sidecar.stopped_on_failure():
        pending = sidecar.start(os.getpid)
        child, pid = _started_child(tmp_path, "child")
    assert pending.result() != os.getpid()
    assert _alive(pid)
    child.cancel()


def test_the_running_jobs_are_held_weakly() -> None:
    """A job whose value is read elsewhere (a staged job's, by the API writer's process) is
    dropped when no one here holds it any more, closing its pipe, as before it was tracked: a
    long preview session must not keep a pipe open for every regeneration."""
    job = sidecar.start(os.getpid)
    gone = weakref.ref(job)
    job.result()
    other = sidecar.start(os.getpid)
    dropped = weakref.ref(other)
    del job, other
    gc.collect()
    assert gone() is None and dropped() is None
