"""The GitHub Actions workflow: every check on every pull request and push, in Debian (the
browser tests' OS, installed by ``make test`` itself), the site diff posted on pull requests,
the built site uploaded for preview and deployed to GitHub Pages from main."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
JOBS: dict[str, Any] = WORKFLOW["jobs"]


def runs(job: str) -> list[str]:
    return [step.get("run", "") for step in JOBS[job]["steps"]]


def uses(job: str) -> list[str]:
    return [step.get("uses", "") for step in JOBS[job]["steps"]]


def test_triggers() -> None:
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]


def test_every_job_runs_in_debian_with_python_3_11() -> None:
    for name in ("test", "site", "diff"):
        assert JOBS[name]["container"] == "python:3.11-bookworm", name
        assert uses(name)[0] == "actions/checkout@v4", name


def test_the_test_job_runs_the_readme_command() -> None:
    assert "bash .ci/run" in runs("test")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert ci.strip().endswith("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pytest: $(VENV)/.dev-installed browser-deps" in makefile
    assert "apt-get install -y -qq chromium" in makefile


def test_pull_requests_get_the_site_diff_as_summary_and_comment() -> None:
    job = JOBS["diff"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"]["pull-requests"] == "write"
    checkout = job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0  # the base branch is there to diff against
    command = next(r for r in runs("diff") if "site-builder diff" in r)
    assert (
        'diff "origin/${{ github.base_ref }}" HEAD' in command and "--out site-diff.md" in command
    )
    assert any('>> "$GITHUB_STEP_SUMMARY"' in r and "site-diff.md" in r for r in runs("diff"))
    comment = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/github-script"))
    assert "site-diff.md" in comment["with"]["script"]
    assert "createComment" in comment["with"]["script"]


def test_the_site_is_uploaded_and_deployed_from_main() -> None:
    assert "make site" in runs("site")
    assert "actions/upload-artifact@v4" in uses("site")
    pages = next(s for s in JOBS["site"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert pages["with"]["path"] == "site/"
    deploy = JOBS["deploy"]
    assert "push" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert set(deploy["needs"]) == {"test", "site"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert uses("deploy") == ["actions/deploy-pages@v4"]


def test_nothing_assumes_this_machine() -> None:
    text = (ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    for local in ("/work/", "issues ", "duplicates", "/usr/bin/time"):
        assert local not in text
