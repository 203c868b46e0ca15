"""One prompt format for training and generation: the model's own chat template, Qwen3 non-thinking form.

Why one module: if training renders `instruction + input` differently from generation (another separator, the
thinking block open instead of closed, a different system line), the adapter learns a prompt the user never
sends. Both `legalft fit` and `legalft generate` call `render_prompt`, and training appends the answer to exactly
that string (`render_example`), so the prompt tokens are the same ids in both.

The prompt is rendered with ``add_generation_prompt=True, enable_thinking=False``: for Qwen3 (QVikhr-3-4B) that
ends in ``<|im_start|>assistant\\n<think>\\n\\n</think>\\n\\n``, the empty closed reasoning block that switches
the model to direct answers. Templates without ``enable_thinking`` simply ignore the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from legal_ft.errors import ConfigError

INPUT_HEADING = "Фактические обстоятельства:"


def build_messages(instruction: str, input: str) -> list[dict[str, str]]:
    """The chat turn for one record: a single user message holding the instruction and the case facts.

    No system message: Qwen3's template adds none by default, and an empty one would change the prompt.
    An empty ``input`` leaves just the instruction (some GUI records carry everything in the instruction).
    """
    instruction = instruction.strip()
    facts = input.strip()
    content = f"{instruction}\n\n{INPUT_HEADING}\n{facts}" if facts else instruction
    return [{"role": "user", "content": content}]


def _apply_template(tokenizer: Any, messages: list[dict[str, str]], *, add_generation_prompt: bool) -> str:
    if not getattr(tokenizer, "chat_template", None):
        raise ConfigError(
            "the model's tokenizer has no chat template",
            "use the model's own tokenizer files (tokenizer_config.json with 'chat_template', or chat_template.jinja)",
        )
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=add_generation_prompt, enable_thinking=False
    )


def render_prompt(tokenizer: Any, instruction: str, input: str) -> str:
    """The text the model sees before it writes the answer (generation prompt, thinking switched off)."""
    return _apply_template(tokenizer, build_messages(instruction, input), add_generation_prompt=True)


@dataclass(frozen=True, slots=True)
class RenderedExample:
    """A training example split where the loss starts: ``prompt`` is masked, ``completion`` is learned."""

    prompt: str
    completion: str


def render_example(tokenizer: Any, instruction: str, input: str, output: str) -> RenderedExample:
    """Prompt plus answer for training; the prompt is byte-identical to `render_prompt`.

    The completion is taken from the template itself (render the conversation with the assistant turn and cut
    the prompt off the front), so it ends with whatever end-of-turn marker the model's template uses
    (``<|im_end|>`` for Qwen3). The newline the template puts after the end-of-turn marker is dropped: the
    model should learn to stop at ``<|im_end|>``, and generation stops there. When a template renders a past
    assistant turn differently from the generation prompt (so the prefix does not match), or marks no end of
    turn, the answer is followed by the tokenizer's EOS token.
    """
    prompt = render_prompt(tokenizer, instruction, input)
    messages = [*build_messages(instruction, input), {"role": "assistant", "content": output}]
    full = _apply_template(tokenizer, messages, add_generation_prompt=False)
    eos = getattr(tokenizer, "eos_token", None) or ""
    if full.startswith(prompt):
        completion = full[len(prompt) :]
        if eos and eos in completion:
            completion = completion[: completion.rindex(eos) + len(eos)]
        else:
            completion += eos  # the template marks no end of turn: teach the model to stop with EOS
    else:
        completion = output + eos
    return RenderedExample(prompt=prompt, completion=completion)
