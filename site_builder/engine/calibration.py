"""Fitted and published efficiency constants, per runtime family and platform, with provenance.

The engine never reads measurements: the llama.cpp constants below were fitted offline by
``benchmarks/fit_calibration.py`` (least squares on log speed) on the measured llama.cpp
benchmarks of the catalog, converted from ``shared/calibration/llama-cpp-measured.csv``
(XiongjieDai/GPU-Benchmarks-on-LLM-Inference @ aa72e0e: llama.cpp b2795-b2843, CUDA 12.1 and
Metal, flash attention off, f16 KV, ubatch 512). Constants are per platform (CUDA vs Metal)
because the data demands it, never per GPU. Runtimes without measurements use published
efficiency figures (cited per constant) and wider error bands.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from site_builder.engine.corrections import IDENTITY, Corrections
from site_builder.engine.fitted import FITTED


@dataclass(frozen=True)
class Kernels:
    """Efficiency constants of one runtime family on one platform.

    Bandwidth and compute efficiencies are fractions of the GPU's datasheet peak
    (``mem_bandwidth_gb_s``, dense TFLOPS); times are seconds.
    """

    weight_bw_eff: float
    """Decode: fraction of peak memory bandwidth reached reading quantized weights."""
    float_bw_eff: float
    """Decode: the same for 16-bit weights (different kernels: cuBLAS/GEMV vs MMVQ)."""
    hbm_bw_factor: float
    """Decode: multiplier of the bandwidth efficiencies on HBM cards (A100, H100: the same
    kernels reach a smaller share of a 2 TB/s HBM peak than of a 1 TB/s GDDR6X peak)."""
    kv_bw_eff: float
    """Decode: fraction of peak bandwidth reached reading the KV cache, flash attention off."""
    kv_bw_eff_fa: float
    """Decode: the same with flash attention (fused kernel)."""
    token_s: float
    """Fixed cost per decode step (sampling, graph launch, host sync)."""
    layer_s: float
    """Fixed cost per layer per decode step (kernel launches)."""
    hop_s: float
    """Layer split: synchronisation cost per card boundary per decode step."""
    compute_eff: float
    """Prefill: fraction of dense tensor TFLOPS reached on quantized weights."""
    float_compute_eff: float
    """Prefill: the same on 16-bit weights."""
    hopper_compute_factor: float
    """Prefill: multiplier of the compute efficiencies on Hopper. Kernels written with Ampere
    ``mma.sync`` instructions (llama.cpp) do not use Hopper's wgmma/TMA path and reach about
    half the utilisation they reach on A100 (Shah et al., "FlashAttention-3", arXiv 2407.08608,
    §1: FlashAttention-2 reaches 35 % of H100 peak vs 70 % on A100)."""
    attn_compute_eff: float
    """Prefill: fraction of dense TFLOPS reached by attention without flash attention (separate
    KQ, softmax and KQV kernels in f32); flash attention runs at ``compute_eff``."""
    ubatch_s: float
    """Prefill: fixed cost per micro-batch (launches, host sync)."""
    pipeline_overlap: float
    """Layer split prefill: fraction of the ideal pipeline overlap of micro-batches reached."""
    acc16: bool
    """Prefill GEMMs accumulate in FP16 (cuBLAS ``CUBLAS_COMPUTE_16F``), so GeForce cards run at
    their FP16-accumulate rate (``fp16_acc16_tflops``)."""
    error_low: float
    """Ratio measured/predicted at the 10th percentile of the calibration residuals."""
    error_high: float
    """Ratio measured/predicted at the 90th percentile."""
    calibrated: bool
    """Constants come from a fit on measurements (else from published figures)."""
    expert_bw_eff: float = 1.0
    """Decode: share of the weight efficiency reached on routed-expert weights. Each token
    gathers k small expert matrices per layer (an indexed matmul per projection), whose reads
    are short and scattered, so they stream below a dense matrix's rate."""
    expert_half_tokens: float = 0.0
    """Prefill: tokens one routed expert receives in a forward pass at which its matrix
    products run at half their long-batch rate (:func:`site_builder.engine.prefill.
    expert_batch_slowdown`); 0 where no measurement shows the effect."""
    launch_s: float = 0.0
    """Decode: CPU time to launch one kernel, paid per kernel where the runtime does not replay
    the step as a CUDA graph (:func:`site_builder.engine.decode.launches_s`)."""
    request_s: float = 0.0
    """TTFT: fixed cost of one request before its first token beyond its prefill (HTTP front
    end, tokenization, scheduling). Zero for in-process benchmarks (llama-bench,
    mlx_lm.generate)."""
    lpddr5x_bw_factor: float = 1.0
    """Decode: multiplier of the bandwidth efficiencies on Apple chips with LPDDR5X memory
    (M4 and later). The same llama.cpp build reads weights at a larger share of an M4 chip's
    peak than of the M1-M3 chips the Metal constants were fitted on: at llama.cpp ebd048f an
    M4 Pro (273 GB/s) decodes Mistral Small 24B Q4_K_M at 17.28 tok/s and an M1 Max
    (400 GB/s) at 16.85 (dasLLAMA records, GaijinEntertainment/daScript@f096c54)."""


EXPERT_HALF_TOKENS = 56.0
"""Tokens one routed expert receives in a forward pass at which its matrix products run at half
their long-batch rate, on CUDA. A pass of B tokens gives each of E experts B x k / E of them on
average, and grouped-expert kernels tile each expert's tokens on their own: llama.cpp's MMQ takes
its tile width from the whole pass (ggml-cuda/mmq.cu, ``ncols_max = ne12``: 128-wide tiles for
a 512-token pass), so an expert with 32 tokens computes a mostly empty tile; vLLM's fused MoE
pads each expert's tokens to its block size likewise (``moe_align_block_size``). Chosen as the
value that minimises the median error over the catalog's CUDA mixture-of-experts prompt
measurements with the corrections refitted at each (16, 28, 36, 44, 56, 72 tokens: 22.7, 16.9,
15.9, 12.7, 9.3, 11.3 %): gpt-oss-20b and -120b on an RTX PRO 6000 Blackwell at ``-ub 2048``
(64 and 256 tokens an expert), gpt-oss-20b on a V100 and Qwen3-30B-A3B's vLLM TTFTs on an RTX
4090 (12 tokens an expert). It then predicted Qwen3-30B-A3B Q4_K_M's pp512 on the RTX PRO 6000
(32 tokens an expert) at 7,164 tok/s before that run entered the catalog: 7,640 measured
(AUGMXNT/llm-tracker.info-vault@d849f7e; it was 13,718 without this term). Not applied on
Metal or ROCm, whose MoE prompt rates the catalog's Apple and Strix Halo runs show no such
dependence on the expert batch."""


# llama.cpp on CUDA/ROCm: fitted by benchmarks/fit_calibration.py on the 62 CUDA decode and 62
# CUDA prefill points of the calibration benchmarks (rms log error 0.123; decode median |error|
# 3.8 %, p90 10.9 %; prefill 9.4 %, 23.1 %). kv_bw_eff_fa has no measurement (all calibration
# runs had flash attention off): the fused kernel is taken to stream KV like weights.
LLAMA_CPP_CUDA = Kernels(
    weight_bw_eff=0.864,
    float_bw_eff=0.92,
    hbm_bw_factor=0.639,
    kv_bw_eff=0.254,
    kv_bw_eff_fa=0.864,
    token_s=0.00204,
    layer_s=1.67e-05,
    hop_s=0.000189,
    compute_eff=0.361,
    float_compute_eff=0.544,
    hopper_compute_factor=0.508,
    attn_compute_eff=0.0601,
    ubatch_s=0.0026,
    pipeline_overlap=0.81,
    acc16=True,
    error_low=0.881,
    error_high=1.177,
    calibrated=True,
    launch_s=4e-6,
    expert_half_tokens=EXPERT_HALF_TOKENS,
)
# launch_s: 4 us per kernel launched outside a CUDA graph, the low end of the 4-6 us measured
# for one kernel launch on Linux (https://susun-blog.com/blog/pegainfer-3-cuda-graph: RTX 5070
# Ti, driver 580, CUDA 13); NVIDIA's "Getting Started with CUDA Graphs"
# (https://developer.nvidia.com/blog/cuda-graphs/) shows the same launch-bound regime for
# kernels of a few microseconds. Not fitted: it applies only to cards below llama.cpp's
# CUDA-graph threshold (Pascal, Volta, Turing), none of them in the fit above.

MAX_BW_EFF = 0.92
"""No kernel streams above ~92 % of DRAM peak (STREAM-class copies on GDDR6X/HBM reach
85-92 %): the most a bandwidth efficiency times a memory-type factor may give."""

LPDDR5X_FACTOR = 1.39
"""llama.cpp on Metal's ``lpddr5x_bw_factor``: fitted alone (``benchmarks/fit_calibration.py
--only lpddr5x_bw_factor``, the other Metal constants held) on the catalog's 71 llama.cpp Metal
speed points, of which only the M4 Pro's 10 (dasLLAMA records) were on LPDDR5X: one chip, so
held out it has nothing to learn from (its decode then reads 24-37 % low, as before the factor).
An M5 Max run entered afterwards and not refitted on (Gemma 4 E2B Q8_0, llama.cpp 6fdd0ac89,
137.05 tok/s) checks it: the physical model reads 8 % low with the factor, 26 % without."""

# llama.cpp on Metal (Apple): fitted on the 12 decode and 12 prefill Apple points (rms log error
# 0.113; decode median 6.9 %, prefill 6.4 %). ubatch_s and hop_s held (single-chip data).
LLAMA_CPP_METAL = Kernels(
    weight_bw_eff=0.575,
    float_bw_eff=0.802,
    hbm_bw_factor=1.0,
    kv_bw_eff=0.119,
    kv_bw_eff_fa=0.575,
    token_s=0.003,
    layer_s=0.0,
    hop_s=0.0,
    compute_eff=0.525,
    float_compute_eff=0.696,
    hopper_compute_factor=1.0,
    attn_compute_eff=0.62,
    ubatch_s=0.01,
    pipeline_overlap=0.0,
    acc16=False,
    error_low=0.848,
    error_high=1.129,
    calibrated=True,
    lpddr5x_bw_factor=LPDDR5X_FACTOR,
)

# vLLM / SGLang / TensorRT-LLM on CUDA (no measurements in the calibration set):
# - decode weight reads ~0.75 of peak: Marlin mixed-precision kernels stay close to ideal
#   memory-bound speed at batch 1-32 (Frantar et al., "MARLIN", arXiv 2408.11743, Fig. 1:
#   near-4x over FP16 on A10 at batch <= 16, i.e. ~85-90% of peak bandwidth); AIConfigurator
#   uses mem_bw_empirical_scaling_factor 0.8 for the RTX 5090 (ai-dynamo/aiconfigurator
#   systems/rtx_5090.yaml). We take 0.7 to include attention, norm and sampling kernels.
# - CUDA graphs make the per-token fixed cost small (~1 ms; vLLM docs "CUDA graphs").
# - prefill ~0.5 of dense FP16 TFLOPS (FP32 accumulate): llm-analysis guidance "flops
#   efficiency up to 0.7 for inference"; inference-sim roofline v1 MfuPrefill 0.55.
SERVING_CUDA = Kernels(
    weight_bw_eff=0.7,
    float_bw_eff=0.80,
    hbm_bw_factor=1.0,
    kv_bw_eff=0.6,
    kv_bw_eff_fa=0.6,
    token_s=0.0012,
    layer_s=0.000005,
    hop_s=0.0003,
    compute_eff=0.5,
    float_compute_eff=0.55,
    hopper_compute_factor=1.0,
    attn_compute_eff=0.3,
    ubatch_s=0.002,
    pipeline_overlap=0.8,
    acc16=False,
    error_low=0.7,
    error_high=1.3,
    calibrated=False,
    request_s=0.005,
    expert_half_tokens=EXPERT_HALF_TOKENS,
)
# request_s: what a request costs beyond its prefill, read off measured TTFTs at short prompts,
# where the modelled prefill is most of it: dense Llama 3.1 8B (BF16, GPTQ-INT4) through vLLM
# 0.20's own HTTP client on an RTX 4090, 196-248-token prompts, median TTFT minus modelled
# prefill 4 ms (12 runs, -2 to +14 ms; ferrum-infer-rs @35d186c, the catalog's
# vllm-ferrum-rtx4090-* benchmarks). The model's prefill there is the uncalibrated physical one;
# only these 5 ms come from the runs vLLM's TTFT error is measured on (with 0 ms the median error
# would move by about 10 %).
# SGLang: the sgl-cookbook @7b5bd9c runs at concurrency 1 on 8x B200 and 8x MI300X (TP 8,
# bench_serving through its HTTP server), TTFT minus modelled prefill 55-137 ms, median 88 ms
# over 7 runs: the request is broadcast to eight tensor-parallel workers before it is scheduled.
# Part of that may be MoE prefill (all of those models are MoE) that the model under-predicts.
SGLANG_REQUEST_S = 0.08

# ExLlamaV2: EXL2 kernels are memory-bound GEMV at batch 1 (turboderp/exllamav2 README
# reports ~same tok/s class as llama.cpp on 4090); no CUDA graphs.
EXLLAMA_CUDA = replace(SERVING_CUDA, token_s=0.002, layer_s=0.00002, compute_eff=0.45)

# MLX on Metal (mlx-lm): fitted by benchmarks/fit_calibration.py --runtime mlx-lm on the 26
# mlx-lm decode and prefill results of the catalog that the engine predicts (M4 Max, M5 Max and
# M2 Ultra; mlx-lm 0.28-0.31; mlx-lm BENCHMARKS.md @a4c6470, itsmostafa/inference-speed-tests
# @6c0ffcc, mlx-lm PR 406; rms log error 0.074, decode median 2.7 %, prefill 2.9 %). MLX streams
# quantized weights close to the memory's peak (weight_bw_eff at the fit's 0.92 bound) with a
# small fixed cost per token, but reads routed experts (gather_qmm) at about half that rate.
# KV and attention constants are llama.cpp Metal's (no long-context MLX data).
MLX_METAL = replace(
    LLAMA_CPP_METAL,
    lpddr5x_bw_factor=1.0,  # its constants were fitted on M4 Max and M5 Max (LPDDR5X) runs
    weight_bw_eff=0.92,
    float_bw_eff=0.92,
    expert_bw_eff=0.473,
    token_s=0.00187,
    compute_eff=0.626,
    float_compute_eff=0.822,
    error_low=0.933,
    error_high=1.101,
    calibrated=True,
)

# Hugging Face transformers: eager PyTorch, no fused quant GEMV, no CUDA graphs (HF docs
# "LLM inference optimization": static cache + torch.compile needed for speed).
TRANSFORMERS_CUDA = replace(
    SERVING_CUDA,
    weight_bw_eff=0.5,
    float_bw_eff=0.6,
    token_s=0.02,
    layer_s=0.0002,
    error_low=0.5,
    error_high=1.5,
)

RUNTIME_FAMILY = {
    "llama-cpp": "llama-cpp",
    "ollama": "llama-cpp",
    "lm-studio": "llama-cpp",
    "vllm": "serving",
    "sglang": "sglang",
    "tensorrt-llm": "serving",
    "exllamav2": "exllama",
    "mlx-lm": "mlx",
    "transformers": "transformers",
}
"""Runtime ID -> kernel family (Ollama and LM Studio run llama.cpp kernels)."""


@dataclass(frozen=True)
class Table:
    """Kernel constants by (family, platform); ``pick`` falls back to the family's CUDA set."""

    entries: tuple[tuple[str, str, Kernels], ...]
    corrections: Corrections = IDENTITY
    """Per-runtime factors fitted on the catalog's measurements (:mod:`fitting`)."""

    def pick(self, family: str, platform: str) -> Kernels:
        for fam, plat, kernels in self.entries:
            if fam == family and plat == platform:
                return kernels
        for fam, plat, kernels in self.entries:
            if fam == family and plat == "cuda":
                return kernels
        return SERVING_CUDA


DEFAULT_TABLE = Table(
    entries=(
        ("llama-cpp", "cuda", LLAMA_CPP_CUDA),
        (
            "llama-cpp",
            "rocm",
            replace(LLAMA_CPP_CUDA, error_low=0.7, error_high=1.3, expert_half_tokens=0.0),
        ),
        ("llama-cpp", "metal", LLAMA_CPP_METAL),
        ("serving", "cuda", SERVING_CUDA),
        (
            "serving",
            "rocm",
            replace(SERVING_CUDA, error_low=0.6, error_high=1.4, expert_half_tokens=0.0),
        ),
        ("sglang", "cuda", replace(SERVING_CUDA, request_s=SGLANG_REQUEST_S)),
        (
            "sglang",
            "rocm",
            replace(
                SERVING_CUDA,
                error_low=0.6,
                error_high=1.4,
                request_s=SGLANG_REQUEST_S,
                expert_half_tokens=0.0,
            ),
        ),
        ("exllama", "cuda", EXLLAMA_CUDA),
        ("mlx", "metal", MLX_METAL),
        ("transformers", "cuda", TRANSFORMERS_CUDA),
    ),
    corrections=FITTED,
)
RAW_TABLE = replace(DEFAULT_TABLE, corrections=IDENTITY)
"""The physical model alone: what the corrections are fitted on and cross-validated against."""
