"""Peak GPU memory estimate for LoRA training — the arithmetic behind `legalft profiles`.

All sizes in bytes; P_lin = parameters of the linear layers inside the transformer blocks, P_emb = V·H (embedding,
plus the same again for an untied lm_head), P_norm = the RMSNorm weights. For a decoder block of Qwen3 /
LLaMA shape (hidden H, heads n_h, KV heads n_kv, head size D, MLP width I):

    P_lin(layer) = H·n_h·D (q) + 2·H·n_kv·D (k, v) + n_h·D·H (o) + 3·H·I (gate, up, down)

1. Base weights at the profile's precision (frozen):
       16-bit:  2·(P_lin + P_emb + P_norm)
       8-bit:   1·P_lin + 4·rows(P_lin)            (LLM.int8: int8 weights + one fp32 scale per output row)
                + 4·(P_emb + P_norm)               (`prepare_model_for_kbit_training` upcasts them to fp32)
                + 2·V·H                            (the 16-bit autocast copy of the lm_head during the loss)
       4-bit:   P_lin·(0.5 + 1/64 + 4/(64·256))    (NF4 + double-quantised absmax: 8-bit per 64-block,
                + 4·(P_emb + P_norm) + 2·V·H        fp32 per 256 blocks of absmax; the rest as for 8-bit)
       fp32 (CPU): 4·(P_lin + P_emb + P_norm)
2. LoRA: every target module (in → out features) gets A (r×in) and B (out×r): P_lora = L·Σ r·(in + out).
   Trainable weights are fp32, and each has a gradient and two Adam moments: 16·P_lora
   (adamw_8bit / paged: 4 + 4 + 2 = 10·P_lora).
3. Activations, for B sequences of T tokens, a = bytes per activation (2 under fp16/bf16 autocast, 4 in fp32):
       per-layer working set  A_layer = B·T·a·(2H + 2·n_h·D + 2·n_kv·D + H + 4I + n_targets·H)
           (two norm outputs; q and attention output; k, v; o_proj output; gate, up, act(gate), gate·up;
            one dropout copy of the input per LoRA target). Attention itself is SDPA (flash / memory-efficient):
            no T² score matrix is kept.
       with gradient checkpointing:  L·B·T·H·a (each block's input) + A_layer (one block recomputed at a time)
       without:                      L·A_layer
4. Logits: computed only at label positions, in chunks of C positions (`loss_chunk_tokens`); the gradient of
   each chunk is taken at once (frozen lm_head, see `module._FusedFrozenHeadLoss`), so at most N = min(B·T, C)
   rows are alive: N·V·(2 + 4 + 2) (16-bit logits, their fp32 softmax, the 16-bit copy for the gradient matmul).
5. Overhead: CUDA context and allocator fragmentation, a flat 0.5 GiB.

peak = 1 + 2 + 3 + 4 + 5. It is an estimate of the high-water mark, not a promise; the profiles keep ~5 % of the
card free for the display and the driver (`fits` compares with 95 % of the card).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GIB = 1024**3
OVERHEAD_BYTES = int(0.5 * GIB)
USABLE_FRACTION = 0.95
# NF4 with double quantisation: 4 bits per weight + 8-bit absmax per 64-block + fp32 per 256 absmax.
NF4_BYTES_PER_PARAM = 0.5 + 1 / 64 + 4 / (64 * 256)


@dataclass(frozen=True, slots=True)
class ModelShape:
    hidden: int
    layers: int
    intermediate: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    tied_embeddings: bool

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ModelShape:
        """From a Hugging Face ``config.json`` of a Qwen3 / Qwen2 / LLaMA / Mistral-shaped model."""
        hidden = int(config["hidden_size"])
        heads = int(config["num_attention_heads"])
        return cls(
            hidden=hidden,
            layers=int(config["num_hidden_layers"]),
            intermediate=int(config["intermediate_size"]),
            heads=heads,
            kv_heads=int(config.get("num_key_value_heads") or heads),
            head_dim=int(config.get("head_dim") or hidden // heads),
            vocab=int(config["vocab_size"]),
            tied_embeddings=bool(config.get("tie_word_embeddings", False)),
        )

    def module_dims(self) -> dict[str, tuple[int, int]]:
        """(in, out) features of each linear module in a block."""
        h, q, kv, i = self.hidden, self.heads * self.head_dim, self.kv_heads * self.head_dim, self.intermediate
        return {
            "q_proj": (h, q),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (q, h),
            "gate_proj": (h, i),
            "up_proj": (h, i),
            "down_proj": (i, h),
        }

    @property
    def linear_params(self) -> int:
        return self.layers * sum(a * b for a, b in self.module_dims().values())

    @property
    def linear_rows(self) -> int:
        return self.layers * sum(b for _, b in self.module_dims().values())

    @property
    def embedding_params(self) -> int:
        return self.vocab * self.hidden * (1 if self.tied_embeddings else 2)

    @property
    def norm_params(self) -> int:
        return self.layers * (2 * self.hidden + 2 * self.head_dim) + self.hidden

    @property
    def total_params(self) -> int:
        return self.linear_params + self.embedding_params + self.norm_params


# Qwen3-4B / QVikhr-3-4B (config.json of the released model); used when `--model` is not given.
QWEN3_4B = ModelShape(
    hidden=2560, layers=36, intermediate=9728, heads=32, kv_heads=8, head_dim=128, vocab=151936, tied_embeddings=True
)


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    weights: int
    lora_states: int
    activations: int
    logits: int
    overhead: int
    lora_params: int

    @property
    def total(self) -> int:
        return self.weights + self.lora_states + self.activations + self.logits + self.overhead

    @property
    def total_gib(self) -> float:
        return self.total / GIB

    def fits(self, card_gib: float | None) -> bool | None:
        if card_gib is None:
            return None
        return self.total <= card_gib * GIB * USABLE_FRACTION


def base_weight_bytes(shape: ModelShape, quantization: str | None, dtype: str) -> int:
    """Step 1 of the module docstring."""
    # k-bit: the non-quantised rest is upcast to fp32, and the lm_head is cast to 16-bit for each loss chunk.
    other = 4 * (shape.embedding_params + shape.norm_params) + 2 * shape.vocab * shape.hidden
    if quantization == "4bit":
        return int(shape.linear_params * NF4_BYTES_PER_PARAM) + other
    if quantization == "8bit":
        return shape.linear_params + 4 * shape.linear_rows + other
    per = 4 if dtype == "float32" else 2
    return per * shape.total_params


def lora_param_count(shape: ModelShape, r: int, targets: list[str]) -> int:
    dims = shape.module_dims()
    return shape.layers * sum(r * (dims[t][0] + dims[t][1]) for t in targets if t in dims)


def estimate_peak_memory(
    shape: ModelShape,
    *,
    quantization: str | None,
    dtype: str,
    batch_size: int,
    seq_len: int,
    lora_r: int,
    target_modules: list[str],
    gradient_checkpointing: bool,
    loss_chunk_tokens: int,
    optim: str = "adamw_torch",
    overhead: int = OVERHEAD_BYTES,
) -> MemoryEstimate:
    """Peak memory of one training step; see the module docstring for every term."""
    weights = base_weight_bytes(shape, quantization, dtype)
    p_lora = lora_param_count(shape, lora_r, target_modules)
    lora_states = p_lora * (10 if optim in ("adamw_8bit", "paged_adamw_8bit") else 16)
    a = 4 if dtype == "float32" else 2
    tokens = batch_size * seq_len
    h, qd, kvd, i = shape.hidden, shape.heads * shape.head_dim, shape.kv_heads * shape.head_dim, shape.intermediate
    n_targets = len([t for t in target_modules if t in shape.module_dims()])
    layer = tokens * a * (2 * h + 2 * qd + 2 * kvd + h + 4 * i + n_targets * h)
    if gradient_checkpointing:
        activations = shape.layers * tokens * h * a + layer
    else:
        activations = shape.layers * layer
    logits = min(tokens, loss_chunk_tokens) * shape.vocab * (2 + 4 + 2)
    return MemoryEstimate(weights, lora_states, activations, logits, overhead, p_lora)
