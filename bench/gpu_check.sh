#!/usr/bin/env bash
# GPU check for `legalft fit` (run on a machine with one NVIDIA GPU; nothing is downloaded).
#
# 1. builds a Qwen3-4B-shaped model with random weights (config only: hidden 2560, 36 layers, vocab 151936),
#    using the tiny model's tokenizer (token ids < 2k are valid ids of the big vocabulary);
# 2. runs bench/fit_bench.py at the rtx3070 profile (4-bit NF4 base, batch 1 x accumulation 8, fp16, gradient
#    checkpointing) with 2,048-token sequences: legalft vs the HF Trainer + PEFT (completion-only loss);
# 3. prints `legalft profiles` for the same model for comparison with the measured peak.
# Goal: legalft peak GPU memory under 7 GiB (fits an 8 GB card), tokens/s >= 1.3x the Trainer's.
#
# Usage: bash bench/gpu_check.sh [STEPS]      (about 3-6 minutes on an H200; figures land in $OUT or ./gpu_check)
#        SMALL=1 PROFILE=cpu bash bench/gpu_check.sh 2     (plumbing check on a CPU: a 4-layer, 256-wide model)
set -euo pipefail
STEPS="${1:-6}"
PROFILE="${PROFILE:-rtx3070}"
SMALL="${SMALL:-0}"
OUT_DIR="${OUT:-$(pwd)/gpu_check}"
WORK="$(mktemp -d)"
mkdir -p "$OUT_DIR"
export TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
python -m pip install -q -e . >/dev/null 2>&1 || true
(nvidia-smi --query-gpu=name,memory.total --format=csv || echo "no nvidia-smi") | tee "$OUT_DIR/gpu.txt"

python - "$WORK" "$SMALL" <<'PY'
import sys, time, json
from pathlib import Path
import torch
from transformers import Qwen3Config, Qwen3ForCausalLM
from legal_ft.modeling.tiny import build_tiny_model

work = Path(sys.argv[1])
tiny = build_tiny_model(work / "tiny")
big = work / "qwen3-4b-random"
small = sys.argv[2] == "1"
sizes = (dict(hidden_size=256, intermediate_size=512, num_hidden_layers=4, num_attention_heads=4) if small else
         dict(hidden_size=2560, intermediate_size=9728, num_hidden_layers=36, num_attention_heads=32))
config = Qwen3Config(**sizes, num_key_value_heads=2 if small else 8, head_dim=64 if small else 128,
                     vocab_size=151936, max_position_embeddings=40960,
                     rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                     bos_token_id=json.loads((tiny / "config.json").read_text())["bos_token_id"],
                     eos_token_id=json.loads((tiny / "config.json").read_text())["eos_token_id"],
                     pad_token_id=json.loads((tiny / "config.json").read_text())["pad_token_id"])
config.architectures = ["Qwen3ForCausalLM"]
t = time.time()
with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
    model = Qwen3ForCausalLM(config).to(torch.bfloat16)
model.save_pretrained(big, safe_serialization=True)
for name in ("tokenizer.json", "tokenizer_config.json"):
    (big / name).write_bytes((tiny / name).read_bytes())
print(f"built {big} ({sum(p.numel() for p in model.parameters())/1e9:.2f}B params) in {time.time()-t:.0f}s")
PY

legalft profiles --model "$WORK/qwen3-4b-random" --max-length 2048 | tee "$OUT_DIR/profiles.txt"
python bench/fit_bench.py --model "$WORK/qwen3-4b-random" --gpu-profile "$PROFILE" \
    --batch 1 --accum 8 --steps "$STEPS" --max-length 2048 --checkpointing --records 40 --min-chars 12000 \
    --workdir "$WORK/bench" 2>&1 | tee "$OUT_DIR/fit_bench.txt"
