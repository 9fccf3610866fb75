"""Commands that work as typed, on the shipped catalog: every launch command the site shows loads a
published checkpoint (or published weights the runtime loads as they are), never a placeholder;
Ollama runs a recorded library tag or ``hf.co/<recorded GGUF repository>``; stack prose names the
checkpoint its command loads."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from site_builder import engine
from site_builder.catalog import Catalog, load_catalog
from site_builder.engine import Estimate, launch
from site_builder.schema import Model, Workload
from site_builder.site.results import Query, Results, headline_queries

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
OLLAMA_RUN = re.compile(r"ollama run (\S+)$")
REPO = re.compile(r"[A-Za-z0-9][\w.\-]*/[\w.\-]+")


@cache
def shipped_catalog() -> Catalog:
    return load_catalog(CATALOG)


Swept = tuple[tuple[Query, Estimate], ...]


@pytest.fixture(scope="module")
def swept(shipped_results: Results) -> Swept:
    """Every combo x model x runtime x quant the site sweeps at the headline context, as the
    shipped site's build answered it (read back from its work folder)."""
    catalog = shipped_results.catalog
    return tuple((q, shipped_results.get(q)) for q in sorted(set(headline_queries(catalog))))


def test_the_sweep_is_the_whole_grid(swept: Swept) -> None:
    runtimes = {q.runtime for q, _ in swept}
    assert len(swept) > 10_000
    assert {"llama-cpp", "ollama", "vllm", "mlx-lm", "lm-studio", "exllamav2"} <= runtimes


def test_no_launch_command_holds_a_placeholder(swept: Swept) -> None:
    bad = [(q, e.launch_command) for q, e in swept if re.search(r"[<>]", e.launch_command)]
    assert not bad, bad[:5]


def test_a_command_exactly_when_something_published_fits(swept: Swept) -> None:
    """Configurations without a published checkpoint are unsupported and print no command; every
    other one prints a command."""
    for q, e in swept:
        missing = any("published" in r or "Ollama cannot pull" in r for r in e.reasons)
        if missing:
            assert e.verdict == "unsupported" and e.launch_command == "", (q, e.launch_command)
        elif e.verdict != "unsupported":
            assert e.launch_command, q


def _ollama_sources(model: Model, quant: str) -> set[str]:
    found = {model.ollama_tags[quant]} if quant in model.ollama_tags else set()
    for c in model.checkpoints:
        if c.format == "gguf" and c.covers(quant) and quant not in c.split_quants:
            found.add(f"hf.co/{c.repo}:{quant}")  # the tag always named (launch._gguf)
    return found


def test_ollama_runs_a_recorded_tag_or_a_recorded_gguf_repo(swept: Swept) -> None:
    catalog = shipped_catalog()
    seen = 0
    for q, e in swept:
        if q.runtime != "ollama" or not e.launch_command:
            continue
        match = OLLAMA_RUN.search(e.launch_command)
        assert match, e.launch_command
        model = catalog.models[q.model]
        assert match.group(1) in _ollama_sources(model, q.quant), (q, e.launch_command)
        if q.quant in model.ollama_tags:
            assert match.group(1) == model.ollama_tags[q.quant], "library tags come first"
        seen += 1
    assert seen


def _named_repos(command: str) -> set[str]:
    """Hugging Face repositories a command names (``-hf``, ``hf.co/``, ``lms get`` URLs, model
    arguments); local folders and scripts are not repositories."""
    text = command.replace("https://huggingface.co/", "").replace("hf.co/", "")
    return {r for r in REPO.findall(text) if not r.startswith(("models/", "examples/"))}


def test_commands_name_only_recorded_repositories(swept: Swept) -> None:
    """Every repository a command names is the model's own or one of its recorded checkpoints
    (no guessed conversions or made-up repositories)."""
    catalog = shipped_catalog()
    for q, e in swept:
        model = catalog.models[q.model]
        recorded = {model.hf_repo} | {c.repo for c in model.checkpoints}
        assert _named_repos(e.launch_command) <= recorded, (q, e.launch_command)


@pytest.mark.parametrize("slug", sorted(load_catalog(CATALOG).models))
def test_checkpoint_data_is_sourced_and_refers_to_catalog_quants(slug: str) -> None:
    catalog = shipped_catalog()
    model = catalog.models[slug]
    for c in model.checkpoints:
        quants = c.quants or [c.quant]
        assert set(quants) <= set(catalog.quants), (slug, quants)
        assert f"https://huggingface.co/{c.repo}" in model.sources, (slug, c.repo)
    assert set(model.ollama_tags) <= set(catalog.quants)
    for tag in model.ollama_tags.values():
        assert f"https://ollama.com/library/{tag.split(':')[0]}" in model.sources, (slug, tag)


def _stack_workloads(catalog: Catalog) -> dict[str, tuple[str, Workload, str]]:
    """``stack / variation`` -> (combo, workload, the prose that describes it)."""
    out = {}
    for slug, stack in catalog.stacks.items():
        steps = "\n".join(step.commands or "" for step in stack.steps)
        notes = "\n".join(c.notes or "" for c in stack.components if c.ref == stack.workload.model)
        out[f"{slug} / main"] = (stack.combo, stack.workload, f"{steps}\n{notes}")
        for v in stack.variations:
            out[f"{slug} / {v.name}"] = (stack.combo, v.workload, v.description)
    return out


@pytest.mark.parametrize("key", sorted(_stack_workloads(load_catalog(CATALOG))))
def test_stack_prose_names_the_checkpoint_its_command_loads(key: str) -> None:
    catalog = shipped_catalog()
    combo, workload, prose = _stack_workloads(catalog)[key]
    model = catalog.models[workload.model]
    quant_format = catalog.quants[workload.quant].format
    src = launch.source(workload.runtime, model, workload.quant, quant_format)
    assert src is not None, f"{key}: nothing published for {workload.quant}"
    assert src.repo in prose, f"{key}: the prose does not name {src.repo}"
    recorded = {m.hf_repo for m in catalog.models.values()} | {
        c.repo for m in catalog.models.values() for c in m.checkpoints
    }
    other = {r for r in REPO.findall(prose) if r in recorded} - {src.repo}
    assert not other, f"{key}: the prose names {other}, the command loads {src.repo}"
    config = engine.config_for_combo(
        catalog,
        combo,
        model=workload.model,
        quant=workload.quant,
        runtime=workload.runtime,
        split=workload.split,
        context_tokens=workload.context_tokens,
        concurrency=workload.concurrency,
        kv_cache=workload.kv_cache,
    )
    command = engine.estimate(catalog, config).launch_command
    assert src.repo in command and not re.search(r"[<>]", command), command
