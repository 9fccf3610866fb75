"""The editor's tools outside the CLI: the pull-request template, the "submit a benchmark"
issue form and the pre-commit hooks. Each names only commands and targets that exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
TARGETS = set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, flags=re.M))


def test_the_pull_request_template_asks_for_sources_validate_and_the_diff() -> None:
    text = (ROOT / ".github/pull_request_template.md").read_text(encoding="utf-8")
    for needed in ("source:", "site-builder validate", "site-builder diff main .", "make test"):
        assert needed in text, needed


def test_the_benchmark_form_asks_for_what_a_benchmark_file_needs() -> None:
    form = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE/submit-benchmark.yml").read_text())
    assert form["name"] and form["description"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    required = {k for k, item in fields.items() if item.get("validations", {}).get("required")}
    assert {"combo", "model", "runtime", "version", "command", "output", "date"} <= required
    intro = form["body"][0]["attributes"]["value"]
    assert "--from-llama-bench" in intro


def test_pre_commit_hooks_run_make_targets_that_exist() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"catalog-validate", "schema-current", "ruff"} <= set(hooks)
    for hook in hooks.values():
        command, target = hook["entry"].split()
        assert command == "make" and target in TARGETS, hook["id"]
        assert hook["language"] == "system" and hook["pass_filenames"] is False
    assert hooks["catalog-validate"]["entry"] == "make validate"
