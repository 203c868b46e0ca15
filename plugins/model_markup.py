"""Artefact rule: a chat model's own markup left inside the document — a reasoning block (Qwen3's ``<think>``) or a
chat-template special token (``<|im_end|>``, ``<|endoftext|>``, ``[/INST]``).

The `strip-model-markup` normaliser removes a leading reasoning block and special tokens at both ends; what this
rule sees is markup that remains: an unclosed reasoning block, a reasoning block with no document after it, or a
token in the middle of the text (two answers glued together, a prompt written back).
"""

from __future__ import annotations

from dataclasses import dataclass

from legal_ft.cleaning.api import Document, Finding, Rule, hookimpl
from legal_ft.legal.artefacts import MODEL_MARKUP_RE, markup_possible

FAMILY = "artefacts"


class ModelMarkup(Rule):
    """The output holds a chat model's markup: ``<think>`` reasoning or a special token such as ``<|im_end|>``.

    Trained on it, the adapter learns to write the markup inside its answers.

    Bad: ``<think>\\nПользователь просит составить иск …`` (cut off inside the reasoning); ``… ПРОШУ СУД: …
    <|im_end|>\\n<|im_start|>assistant\\nИСКОВОЕ ЗАЯВЛЕНИЕ …``
    Good: the document alone (a leading ``<think></think>`` block and edge tokens are stripped by the
    `strip-model-markup` normaliser).
    """

    code = "LF609"
    name = "model-markup"
    groups = (FAMILY, "default")

    @dataclass
    class Thresholds:
        pass

    def measure(self, doc: Document) -> dict[str, float]:
        text = doc.output
        return {"markup": float(len(MODEL_MARKUP_RE.findall(text))) if markup_possible(text) else 0.0}

    def check(self, doc: Document) -> list[Finding]:
        text = doc.output
        m = MODEL_MARKUP_RE.search(text) if markup_possible(text) else None
        if m is None:
            return []
        reason = "reasoning-block" if "think" in m.group(0).lower() else "special-token"
        return [self.finding(reason, f"a chat model's markup is left in the output: «{m.group(0)}»",
                             f"output:{m.start()}-{m.end()}")]


@hookimpl
def legalft_rules():
    return [ModelMarkup]
