"""Weight quantizations (``catalog/quants/<ID>.yaml``, IDs spelled as llama.cpp spells them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from site_builder.schema.base import Entity, QuantFormat, plausible

Bits = Annotated[float, plausible(1, 32, "bits/weight")]


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
        description="Perplexity increase over 16-bit weights in the cited measurement.",
    )
    ppl_reference: str | None = Field(
        default=None, description="Model and data set of the perplexity measurement."
    )
    description: str = Field(min_length=1, description="What the format is and who uses it.")
