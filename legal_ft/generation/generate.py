"""Writing documents with a loaded model: one streamed document (`legalft generate`) or batches (`legalft eval`).

The prompt is rendered by `legal_ft.prompting.render_prompt`, the function training uses, so the adapter sees
exactly the prompt it learned. Decoding is greedy unless a temperature is given, so a run can be repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from legal_ft.errors import ConfigError, InputError
from legal_ft.generation.loader import LoadedModel
from legal_ft.legal.doctypes import DocType


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """Decoding options; ``temperature == 0`` means greedy (repeatable)."""

    max_new_tokens: int = 1024
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    repetition_penalty: float = 1.0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ConfigError(f"--max-new-tokens must be at least 1, got {self.max_new_tokens}")
        if self.temperature < 0:
            raise ConfigError(f"--temperature must be 0 (greedy) or more, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ConfigError(f"--top-p must be in (0, 1], got {self.top_p}")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def generate_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "do_sample": not self.greedy}
        if not self.greedy:
            kwargs.update(temperature=self.temperature, top_p=self.top_p)
        if self.repetition_penalty != 1.0:
            kwargs["repetition_penalty"] = self.repetition_penalty
        return kwargs


@dataclass(frozen=True, slots=True)
class GeneratedDocument:
    text: str
    prompt_tokens: int
    new_tokens: int
    finished: bool  # stopped at end-of-turn rather than at --max-new-tokens


def parse_doc_type(value: str | None) -> DocType:
    if value is None:
        return DocType.CLAIM
    try:
        return DocType(value)
    except ValueError:
        known = ", ".join(t.value for t in DocType if t is not DocType.UNKNOWN)
        raise ConfigError(f"unknown document type {value!r}", f"use one of: {known}") from None


def default_instruction(doc_type: DocType | str | None = None) -> str:
    """The instruction for a document type: the first (the seed's own wording, «Составь исковое заявление по
    фактическим обстоятельствам дела.») of the bank `legalft clean` draws training instructions from."""
    from legal_ft.cleaning.instructions import bank_for

    kind = doc_type if isinstance(doc_type, DocType) else parse_doc_type(doc_type)
    return bank_for(kind)[0]


def check_facts(facts: str, where: str = "the facts") -> str:
    text = facts.strip()
    if not text:
        raise InputError(f"{where} are empty", "write the case facts in a file (--facts FILE) or pipe them on stdin")
    return text


def stop_token_ids(tokenizer: Any) -> list[int]:
    """End-of-sequence ids: the tokenizer's EOS and the chat template's end-of-turn marker (Qwen: <|im_end|>)."""
    ids: list[int] = []
    if tokenizer.eos_token_id is not None:
        ids.append(int(tokenizer.eos_token_id))
    unk = getattr(tokenizer, "unk_token_id", None)
    for token in ("<|im_end|>", "<|endoftext|>"):
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id >= 0 and token_id != unk and token_id not in ids:
            ids.append(token_id)
    return ids


def _seed(seed: int) -> None:
    from transformers import set_seed

    set_seed(seed)


def _common_kwargs(loaded: LoadedModel, settings: GenerationSettings) -> dict[str, Any]:
    tok = loaded.tokenizer
    return {
        **settings.generate_kwargs(),
        "eos_token_id": stop_token_ids(tok),
        "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
    }


def _make_streamer(tokenizer: Any, on_text: Callable[[str], None]) -> Any:
    from transformers import TextStreamer

    class _CallbackStreamer(TextStreamer):
        """Hands each decoded piece to ``on_text`` (the safe console) instead of print()."""

        def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
            if text:
                on_text(text)

    return _CallbackStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)


def generate_document(
    loaded: LoadedModel,
    instruction: str,
    facts: str,
    settings: GenerationSettings,
    *,
    on_text: Callable[[str], None] | None = None,
) -> GeneratedDocument:
    """Write one document; ``on_text`` receives the text as it is produced."""
    import torch

    from legal_ft.prompting import render_prompt

    prompt = render_prompt(loaded.tokenizer, instruction, check_facts(facts))
    encoded = loaded.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(loaded.device)
    _seed(settings.seed)
    streamer = _make_streamer(loaded.tokenizer, on_text) if on_text is not None else None
    with torch.inference_mode(), loaded.compute():
        output = loaded.model.generate(**encoded, **_common_kwargs(loaded, settings), streamer=streamer)
    new_ids = output[0, encoded["input_ids"].shape[1] :].tolist()
    return _document(loaded.tokenizer, new_ids, encoded["input_ids"].shape[1])


def _document(tokenizer: Any, new_ids: list[int], prompt_tokens: int) -> GeneratedDocument:
    stops = set(stop_token_ids(tokenizer))
    pad = tokenizer.pad_token_id
    finished = False
    kept: list[int] = []
    for token in new_ids:
        if token in stops:
            finished = True
            break
        kept.append(token)
    while kept and pad is not None and kept[-1] == pad and pad not in stops:
        kept.pop()
    text = tokenizer.decode(kept, skip_special_tokens=True).strip()
    return GeneratedDocument(text=text, prompt_tokens=prompt_tokens, new_tokens=len(kept), finished=finished)


def generate_batch(
    loaded: LoadedModel,
    prompts: Sequence[str],
    settings: GenerationSettings,
    *,
    batch_size: int = 4,
    on_done: Callable[[int], None] | None = None,
) -> list[GeneratedDocument]:
    """Generate for rendered prompts in batches (left padding, longest first); results keep the input order.

    ``on_done(n)`` is called after each batch with the number of documents it finished (for a progress bar).
    """
    import torch

    if batch_size < 1:
        raise ConfigError(f"--batch-size must be at least 1, got {batch_size}")
    tok = loaded.tokenizer
    lengths = [len(tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    order = sorted(range(len(prompts)), key=lambda i: -lengths[i])
    results: list[GeneratedDocument | None] = [None] * len(prompts)
    saved_side = tok.padding_side
    tok.padding_side = "left"  # decoder-only models continue from the last position: pad on the left
    try:
        for batch in _chunks(order, batch_size):
            encoded = tok([prompts[i] for i in batch], return_tensors="pt", padding=True, add_special_tokens=False)
            encoded = encoded.to(loaded.device)
            _seed(settings.seed)
            with torch.inference_mode(), loaded.compute():
                output = loaded.model.generate(**encoded, **_common_kwargs(loaded, settings))
            width = encoded["input_ids"].shape[1]
            for row, index in enumerate(batch):
                results[index] = _document(tok, output[row, width:].tolist(), lengths[index])
            if on_done is not None:
                on_done(len(batch))
    finally:
        tok.padding_side = saved_side
    return [r for r in results if r is not None]


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
