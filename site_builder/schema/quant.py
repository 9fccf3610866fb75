"""Weight quantizations (``catalog/quants/<ID>.yaml``, IDs spelled as llama.cpp spells them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import Entity, QuantFormat, plausible

Bits = Annotated[float, plausible(1, 32, "bits/weight")]
PplDeltaPct = Annotated[float, plausible(-5, 1000, "% perplexity increase")]


class Quant(Entity):
    """A weight format with its storage cost per weight."""

    name: str = Field(min_length=1, description="Display name, e.g. 'GGUF Q4_K_M'.")
    format: QuantFormat = Field(description="Format family; runtimes list the families they load.")
    bits_per_weight: Bits = Field(
        description="Effective storage of the transformer blocks' linear weights in bits per "
        "weight, scales and mixed tensor types included (e.g. Q4_K_M's Q6_K attn_v/ffn_down)."
    )
    embedding_bits_per_weight: Bits = Field(
        description="Storage of the token-embedding matrix, bits per weight."
    )
    output_bits_per_weight: Bits = Field(
        description="Storage of the output (lm_head) matrix, bits per weight."
    )
    expert_bits_per_weight: Bits | None = Field(
        default=None,
        description="Storage of MoE expert weights when it differs from bits_per_weight "
        "(MXFP4: experts 4.25, the rest 8.5).",
    )
    compute_dtype: Literal["fp16", "fp8", "int8"] = Field(
        description="Precision of the matrix math in prompt processing (prefill), which picks "
        "the GPU's TFLOPS figure."
    )
    requires_fp8_hardware: bool = Field(
        default=False, description="Needs FP8 tensor cores (Ada, Hopper, Blackwell)."
    )
    requires_imatrix: bool = Field(
        default=False, description="Needs an importance matrix to produce (llama.cpp IQ types)."
    )
    ppl_delta: float | None = Field(
        default=None,
        ge=-100,
        le=1000,
        description="Perplexity increase over 16-bit weights in the cited measurement "
        "(absolute; only comparable between quants measured on the same reference; "
        "-100 to 1000).",
    )
    ppl_delta_pct: PplDeltaPct | None = Field(
        default=None,
        description="Relative perplexity increase over the 16-bit baseline in the cited "
        "measurement, in percent: 100 x (PPL(quant) - PPL(16-bit)) / PPL(16-bit), both "
        "perplexities from the same source. Compare quants by this field rather than "
        "ppl_delta; it is still only approximately comparable across references (model, data "
        "set and context length differ). Left out when no primary source publishes a figure.",
    )
    ppl_reference: str | None = Field(
        default=None,
        description="Model, data set, 16-bit baseline perplexity and source of the measurement "
        "behind ppl_delta and ppl_delta_pct.",
    )
    description: str = Field(min_length=1, description="What the format is and who uses it.")
