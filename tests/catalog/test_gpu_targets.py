"""Every CUDA card names its compute capability and every ROCm card its LLVM target, so a
runtime's hardware minimum (vLLM: compute capability 7.0, its ROCm target list) is checked for
every card, not only for the ones someone remembered to annotate."""

from __future__ import annotations

from tests.catalog.test_shipped_specs import entities


def test_every_gpu_names_its_compute_target() -> None:
    gpus = entities("gpus")
    for slug, gpu in gpus.items():
        if gpu.platform == "cuda":
            assert gpu.compute_capability, f"{slug}: CUDA card without compute_capability"
        else:
            assert gpu.compute_capability is None, f"{slug}: compute_capability on a non-CUDA card"
        if gpu.platform == "rocm":
            assert gpu.gfx_target, f"{slug}: ROCm card without gfx_target"
        else:
            assert gpu.gfx_target is None, f"{slug}: gfx_target on a non-ROCm card"
