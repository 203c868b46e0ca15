"""Dataset statistics gathered in one streaming pass, and the seed guide's advice applied to them.

Memory does not grow with the number of records: lengths go into fixed-resolution histograms (16-character
buckets), counts into small dictionaries. Used by `legalft merge` for ``training_config.json``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legal_ft.errors import ConfigError
from legal_ft.records import Record

CHARS_PER_TOKEN = 3.2  # Cyrillic text in Qwen-family tokenizers: about 3.2 characters per token
CHAT_TEMPLATE_TOKENS = 16  # role markers and the empty think block the chat template adds around a pair
MIN_EXAMPLES = 1000  # the seed guide's minimum
RECOMMENDED_EXAMPLES = (3000, 5000)
PERCENTILES = (50, 90, 95, 99)


class LengthHistogram:
    """Approximate percentiles of a length distribution in bounded memory (buckets of ``resolution``)."""

    __slots__ = ("resolution", "buckets", "count", "total", "min", "max")

    def __init__(self, resolution: int = 16) -> None:
        self.resolution = resolution
        self.buckets: Counter[int] = Counter()
        self.count = 0
        self.total = 0
        self.min: int | None = None
        self.max: int | None = None

    def add(self, value: int) -> None:
        self.buckets[value // self.resolution] += 1
        self.count += 1
        self.total += value
        self.min = value if self.min is None or value < self.min else self.min
        self.max = value if self.max is None or value > self.max else self.max

    def percentile(self, p: float) -> int:
        """The smallest bucket upper bound covering ``p`` percent of values (exact at min and max)."""
        if not self.count:
            return 0
        if p >= 100:
            return int(self.max or 0)
        if p <= 0:
            return int(self.min or 0)
        need = math.ceil(self.count * p / 100)
        seen = 0
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if seen >= need:
                return min(int(self.max or 0), max(int(self.min or 0), (bucket + 1) * self.resolution - 1))
        return int(self.max or 0)

    def share_at_most(self, limit: int) -> float:
        """Approximate share of values ``<= limit``."""
        if not self.count:
            return 1.0
        inside = sum(n for bucket, n in self.buckets.items() if (bucket + 1) * self.resolution - 1 <= limit)
        return inside / self.count

    def summary(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {"min": int(self.min or 0)}
        for p in PERCENTILES:
            out[f"p{p}"] = self.percentile(p)
        out["max"] = int(self.max or 0)
        out["mean"] = round(self.total / self.count, 1) if self.count else 0.0
        return out


def doc_type_detector() -> tuple[Callable[[str, str], str], str]:
    """``(detect(output, instruction) -> slug, method name)``: the rules' own detector, so merge's counts per
    document type agree with what `clean` and `eval` see."""
    from legal_ft.legal.detect import detect_doc_type

    def detect(output: str, instruction: str = "") -> str:
        return detect_doc_type(output, instruction).value

    return detect, "legal_ft.legal.detect"


class TokenCounter:
    """Tokens of a training example: a real tokenizer (``tokenizer.json`` in a folder) or chars / 3.2."""

    def __init__(self, tokenizer_dir: str | Path | None = None) -> None:
        self.tokenizer = None
        self.method = f"chars/{CHARS_PER_TOKEN}"
        if tokenizer_dir is not None:
            path = Path(tokenizer_dir)
            file = path / "tokenizer.json" if path.is_dir() else path
            if not file.is_file():
                raise ConfigError(f"no tokenizer.json in {tokenizer_dir}",
                                  "pass the model folder that holds tokenizer.json (e.g. the base model's folder)")
            from tokenizers import Tokenizer

            try:
                self.tokenizer = Tokenizer.from_file(str(file))
            except Exception as exc:  # noqa: BLE001 - the tokenizers library raises a bare Exception
                raise ConfigError(f"cannot load {file}: {exc}", "pass a Hugging Face tokenizer.json") from exc
            self.method = f"tokenizer:{file}"

    def count_many(self, texts: list[str]) -> list[int]:
        if self.tokenizer is None:
            return [math.ceil(len(t) / CHARS_PER_TOKEN) + CHAT_TEMPLATE_TOKENS for t in texts]
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(e.ids) + CHAT_TEMPLATE_TOKENS for e in encoded]


@dataclass
class DatasetStats:
    """Counts and length distributions of a stream of records."""

    tokens: TokenCounter = field(default_factory=TokenCounter)
    detect: Callable[[str, str], str] | None = None
    detect_method: str = "none"
    records: int = 0
    doc_types: Counter = field(default_factory=Counter)
    providers: Counter = field(default_factory=Counter)
    modes: Counter = field(default_factory=Counter)
    provider_modes: Counter = field(default_factory=Counter)
    chars: dict[str, LengthHistogram] = field(
        default_factory=lambda: {k: LengthHistogram() for k in ("instruction", "input", "output", "example")}
    )
    token_lengths: LengthHistogram = field(default_factory=lambda: LengthHistogram(8))
    _pending: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, tokenizer_dir: str | Path | None = None, detect_types: bool = True) -> "DatasetStats":
        detect, method = doc_type_detector() if detect_types else (None, "none")
        return cls(tokens=TokenCounter(tokenizer_dir), detect=detect, detect_method=method)

    def add(self, record: Record) -> None:
        self.records += 1
        meta = record.metadata
        provider = meta.get("provider") if isinstance(meta.get("provider"), str) else "unknown"
        mode = meta.get("mode") if isinstance(meta.get("mode"), str) else "unknown"
        self.providers[provider] += 1
        self.modes[mode] += 1
        self.provider_modes[f"{provider}/{mode}"] += 1
        if self.detect is not None:
            self.doc_types[self.detect(record.output, record.instruction)] += 1
        lengths = self.chars
        lengths["instruction"].add(len(record.instruction))
        lengths["input"].add(len(record.input))
        lengths["output"].add(len(record.output))
        lengths["example"].add(len(record.instruction) + len(record.input) + len(record.output))
        self._pending.append(f"{record.instruction}\n\n{record.input}\n{record.output}")
        if len(self._pending) >= 256:
            self._flush()

    def _flush(self) -> None:
        for n in self.tokens.count_many(self._pending):
            self.token_lengths.add(n)
        self._pending.clear()

    def finish(self) -> "DatasetStats":
        if self._pending:
            self._flush()
        return self

    def to_dict(self) -> dict[str, Any]:
        self.finish()
        return {
            "records": self.records,
            "doc_types": dict(sorted(self.doc_types.items(), key=lambda kv: (-kv[1], kv[0]))),
            "doc_type_method": self.detect_method,
            "providers": dict(self.providers.most_common()),
            "modes": dict(self.modes.most_common()),
            "provider_mode": dict(self.provider_modes.most_common()),
            "chars": {name: hist.summary() for name, hist in self.chars.items()},
            "tokens": {"method": self.tokens.method, **self.token_lengths.summary()},
        }


def _round_up(value: int, step: int) -> int:
    return max(step, int(math.ceil(value / step)) * step)


def advise(stats: DatasetStats) -> dict[str, Any]:
    """The seed guide's advice for this dataset: size warning, 3–5 epochs, a max_length covering ~95 %."""
    stats.finish()
    n = stats.records
    warnings: list[str] = []
    if n < MIN_EXAMPLES:
        low, high = RECOMMENDED_EXAMPLES
        warnings.append(f"only {n} examples: the guide asks for at least {MIN_EXAMPLES} ({low}–{high} recommended); "
                        "collect more before training")
    # Small sets need more passes to learn the format; large ones get enough steps in fewer (and overfit less).
    epochs = 5 if n < 2000 else 4 if n < 10_000 else 3
    p95 = stats.token_lengths.percentile(95)
    max_length = min(32_768, max(512, _round_up(p95, 256)))
    covered = stats.token_lengths.share_at_most(max_length)
    if n and covered < 0.99:
        longer = round((1 - covered) * n)
        warnings.append(f"about {longer} examples ({(1 - covered) * 100:.1f} %) are longer than max_length "
                        f"{max_length} tokens and would be truncated; clean out too-long documents or raise it")
    if max_length > 4096:
        warnings.append(f"max_length {max_length} needs much GPU memory: consider a 24 GB profile or cleaning out "
                        "long outliers")
    return {
        "min_examples": MIN_EXAMPLES,
        "recommended_examples": list(RECOMMENDED_EXAMPLES),
        "enough_examples": n >= MIN_EXAMPLES,
        "num_train_epochs": epochs,
        "epochs_range": [3, 5],
        "max_length": max_length,
        "max_length_covers": round(covered, 4),
        "token_estimate": stats.tokens.method,
        "warnings": warnings,
    }


def fold_whitespace(text: str) -> str:
    """Collapse every run of whitespace (NBSP and CRLF included) to one space; the duplicate key of `merge`."""
    return " ".join(text.split())
