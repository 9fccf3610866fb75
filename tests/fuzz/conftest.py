"""Prints how many generated inputs the fuzzing harness ran (``make fuzz`` shows it)."""

from __future__ import annotations

import pytest

from tests.fuzz.test_fuzz import RAN


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RAN:
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(RAN.items()))
        terminalreporter.write_line(f"fuzz: {sum(RAN.values()):,} generated inputs ({kinds})")
