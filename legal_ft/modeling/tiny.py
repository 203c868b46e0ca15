"""Build a tiny Qwen3 model directory offline: the real architecture, random weights, a tokenizer trained here.

Real weights cannot be downloaded in tests, CI or the demo, but the code path must be the real one: the tiny
model is a genuine `Qwen3ForCausalLM` (sizes from ``configs/tiny_qwen3.json``) saved as safetensors, with a
byte-level BPE tokenizer trained with `tokenizers` on Russian legal text, Qwen3's special tokens and Qwen3's own
chat template. The folder looks like a Hugging Face model folder (config.json, generation_config.json,
model.safetensors, tokenizer.json, tokenizer_config.json with ``chat_template``), so
`load_model_and_tokenizer` loads it exactly like QVikhr-3-4B. Building takes a few seconds on a CPU.

Random weights are enough for tests, but a LoRA adapter cannot teach a random model language in a minute: the
demo's eval would compare two generators of noise. ``pretrain_steps`` therefore gives the base a short
full-parameter pretraining on the raw corpus texts (plain next-token prediction over packed token blocks, no chat
template), so it "knows" Russian legal prose the way QVikhr knows Russian — and the adapter is left to learn what
fine-tuning is for: answering the prompt in the chat format with the requested document.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from legal_ft.errors import InputError
from legal_ft.modeling.qwen3_template import QWEN3_CHAT_TEMPLATE
from legal_ft.modeling.threads import tiny_model_threads
from legal_ft.resources import configs_dir

# Qwen3's special tokens, in Qwen3's order (ids follow the BPE vocabulary, as in the real tokenizer).
ENDOFTEXT = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
SPECIAL_TOKENS = (ENDOFTEXT, IM_START, IM_END, "<think>", "</think>")
_SPECIAL_IS_CONTROL = {ENDOFTEXT: True, IM_START: True, IM_END: True, "<think>": False, "</think>": False}
DEFAULT_SAMPLE_RECORDS = 300

# Used when the sample generator is unavailable; the tokenizer then still knows Russian legal vocabulary.
_FALLBACK_TEXTS = (
    "Составь исковое заявление по фактическим обстоятельствам дела.",
    "Истец заключил договор с ответчиком на оказание услуг. Ответчик обязательства не исполнил.",
    (
        "В Арбитражный суд города Москвы\nИстец: ООО «Ромашка», ИНН 7701234567\nОтветчик: ООО «Василёк»\n\n"
        "ИСКОВОЕ ЗАЯВЛЕНИЕ\nо взыскании задолженности по договору поставки\n\nМОТИВИРОВОЧНАЯ ЧАСТЬ:\n"
        "Согласно ст. 309 ГК РФ обязательства должны исполняться надлежащим образом. В соответствии со ст. 310 ГК РФ "
        "односторонний отказ от исполнения обязательства не допускается. На основании ст. 395 ГК РФ на сумму долга "
        "подлежат уплате проценты.\n\nРЕЗОЛЮТИВНАЯ ЧАСТЬ:\nПРОШУ СУД:\n1. Взыскать с ответчика сумму основного долга.\n"
        "2. Взыскать расходы по уплате государственной пошлины.\n\n"
        "Приложения:\n1. Копия договора.\n2. Расчёт суммы иска."
    ),
    (
        "ПРЕТЕНЗИЯ\nВ соответствии с договором подряда от 12.03.2024 № 15 подрядчик обязался выполнить работы. "
        "Согласно ст. 702 ГК РФ и ст. 708 ГК РФ сроки нарушены. Требую в течение 10 дней уплатить неустойку."
    ),
    (
        "ОТЗЫВ НА ИСКОВОЕ ЗАЯВЛЕНИЕ\nОтветчик с требованиями не согласен по следующим основаниям. "
        "В силу ст. 56 ГПК РФ каждая сторона должна доказать обстоятельства. Прошу в удовлетворении иска отказать."
    ),
    (
        "АПЕЛЛЯЦИОННАЯ ЖАЛОБА\nна решение районного суда. Суд первой инстанции неправильно применил нормы "
        "материального права (ст. 330 ГПК РФ). Прошу решение отменить и принять новое решение."
    ),
    "ХОДАТАЙСТВО о назначении судебной экспертизы. На основании ст. 79 ГПК РФ прошу назначить экспертизу.",
)


def tiny_config_values() -> dict[str, Any]:
    """The tiny model's sizes from ``configs/tiny_qwen3.json`` (keys starting with ``_`` are comments)."""
    path = configs_dir() / "tiny_qwen3.json"
    values = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in values.items() if not k.startswith("_")}


# (instruction, input, output) of one record: what pretraining renders with the chat template.
Example = tuple[str, str, str]


def default_examples(n: int = DEFAULT_SAMPLE_RECORDS, seed: int = 0) -> list[Example]:
    """(instruction, input, output) of each record of the sample corpus; empty if the generator is unavailable."""
    try:
        from legal_ft.sample import generate_records
    except ImportError:
        return []
    return [
        (str(r.get("instruction") or ""), str(r.get("input") or ""), str(r.get("output") or ""))
        for r in generate_records(n, seed=seed)
        if isinstance(r, dict)
    ]


def default_texts(n: int = DEFAULT_SAMPLE_RECORDS, seed: int = 0) -> list[str]:
    """Texts of the sample corpus (instruction, input, output of each record), plus the built-in legal snippets."""
    return [*_FALLBACK_TEXTS, *(text for example in default_examples(n, seed) for text in example)]


def examples_from_jsonl(path: str | Path) -> list[Example]:
    """(instruction, input, output) of every valid record in a JSONL corpus (bad lines are skipped)."""
    from legal_ft.io import iter_records
    from legal_ft.records import Record

    examples = [
        (item.instruction, item.input, item.output) for item in iter_records(path) if isinstance(item, Record)
    ]
    if not examples:
        raise InputError(f"{path} has no valid records to train the tokenizer on", "pass a JSONL file of records")
    return examples


def texts_from_jsonl(path: str | Path) -> list[str]:
    """Instruction, input and output texts of every valid record in a JSONL corpus (bad lines are skipped)."""
    return [text for example in examples_from_jsonl(path) for text in example]


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> Any:
    """A Qwen-style byte-level BPE (NFC, GPT-2 regex split, byte fallback-free) wrapped for transformers."""
    from tokenizers import (
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - len(SPECIAL_TOKENS),
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator((t for t in texts if t), trainer=trainer)
    from tokenizers import AddedToken

    tokenizer.add_special_tokens(
        [AddedToken(tok, special=_SPECIAL_IS_CONTROL[tok], normalized=False) for tok in SPECIAL_TOKENS]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=IM_END,
        pad_token=ENDOFTEXT,
        unk_token=None,
        bos_token=None,
        chat_template=QWEN3_CHAT_TEMPLATE,
        model_max_length=tiny_config_values().get("max_position_embeddings", 4096),
        clean_up_tokenization_spaces=False,
        split_special_tokens=False,
    )


@dataclass(frozen=True, slots=True)
class PretrainSettings:
    """Full-parameter pretraining of the tiny base; the defaults are tuned for the ~0.3M-parameter model on a CPU.

    The learning rate is high on purpose: a model this small trains stably at 5e-3 with warmup, clipping and a
    cosine decay, and every step counts when the whole pretraining must fit in half a minute.
    """

    steps: int = 0
    seq_len: int = 256
    batch_size: int = 8
    lr: float = 5e-3
    min_lr_ratio: float = 0.1
    warmup_fraction: float = 0.05
    weight_decay: float = 0.1
    max_grad_norm: float = 1.0

    def __post_init__(self) -> None:
        if self.steps < 0:
            raise InputError(
                f"pretraining steps must be 0 or more, got {self.steps}", "pass --pretrain-steps 0 or more"
            )
        for name in ("seq_len", "batch_size"):
            if getattr(self, name) < 1:
                raise InputError(f"pretraining {name} must be at least 1, got {getattr(self, name)}")
        if not self.lr > 0:
            raise InputError(f"the pretraining learning rate must be positive, got {self.lr}")


@dataclass(frozen=True, slots=True)
class PretrainResult:
    """What pretraining did: steps, corpus size in tokens, and the training loss at the start and the end."""

    steps: int
    corpus_tokens: int
    first_loss: float
    last_loss: float


# Blocks shorter than this teach next-token prediction over too little context to be worth a step.
_MIN_BLOCK_TOKENS = 16


def corpus_token_ids(tokenizer: Any, texts: Iterable[str]) -> list[int]:
    """Every non-empty text as token ids, each followed by ``<|endoftext|>`` (the pretraining document separator)."""
    separator = tokenizer.convert_tokens_to_ids(ENDOFTEXT)
    chunks = [t for t in texts if t and t.strip()]
    ids: list[int] = []
    # verbose=False: long documents are cut into blocks here, so "longer than the maximum length" does not apply
    for encoded in tokenizer(chunks, add_special_tokens=False, verbose=False)["input_ids"] if chunks else []:
        ids.extend(encoded)
        ids.append(separator)
    return ids


def chat_token_ids(tokenizer: Any, examples: Iterable[Example]) -> list[int]:
    """Every example as the model will see it in `legalft fit`: prompt and answer in its own chat template.

    `render_example` gives the exact training string (thinking switched off, the answer closed by
    ``<|im_end|>``); conversations follow each other with the newline the template puts between turns.
    """
    from legal_ft.prompting import render_example

    rendered = []
    for instruction, input_text, output in examples:
        if output.strip():
            example = render_example(tokenizer, instruction, input_text, output)
            rendered.append(example.prompt + example.completion + "\n")
    ids: list[int] = []
    for encoded in tokenizer(rendered, add_special_tokens=False, verbose=False)["input_ids"] if rendered else []:
        ids.extend(encoded)
    return ids


def pretrain(
    model: Any,
    token_ids: list[int],
    settings: PretrainSettings,
    *,
    seed: int = 0,
    on_step: Callable[[int, int, float], None] | None = None,
) -> PretrainResult:
    """Train every weight of ``model`` on next-token prediction over random ``seq_len`` blocks of ``token_ids``.

    Deterministic for a seed: the blocks come from a private `torch.Generator`, the global RNG is left as it was,
    and the run uses one CPU thread (matrices this small finish before more threads start, as in `legalft fit`).
    ``on_step(step, steps, loss)`` is called after every optimizer step.
    """
    import math

    import torch

    if settings.steps == 0:
        return PretrainResult(0, len(token_ids), float("nan"), float("nan"))
    seq_len = min(settings.seq_len, len(token_ids))
    if seq_len < _MIN_BLOCK_TOKENS:
        raise InputError(
            f"the corpus is too small to pretrain on: {len(token_ids)} tokens",
            f"pass more text (at least {_MIN_BLOCK_TOKENS} tokens), or --pretrain-steps 0",
        )
    data = torch.tensor(token_ids, dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]  # norms: no weight decay
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=settings.lr,
        betas=(0.9, 0.95),
    )
    warmup = max(1, round(settings.steps * settings.warmup_fraction))

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, settings.steps - warmup)
        return settings.min_lr_ratio + (1 - settings.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    was_training = model.training
    first = last = float("nan")
    with tiny_model_threads(model.config.hidden_size):
        try:
            model.train()
            with torch.random.fork_rng(devices=[]):  # dropout, if a config turns it on, draws from a seeded RNG
                torch.manual_seed(seed)
                for step in range(settings.steps):
                    starts = torch.randint(0, len(token_ids) - seq_len + 1, (settings.batch_size,), generator=generator)
                    batch = torch.stack([data[start : start + seq_len] for start in starts.tolist()])
                    loss = model(input_ids=batch, labels=batch).loss  # the model shifts the labels itself
                    if not torch.isfinite(loss):
                        raise InputError(
                            f"pretraining diverged at step {step + 1} (loss {loss.item()})",
                            "pass fewer --pretrain-steps, or build without pretraining",
                        )
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                    scheduler.step()
                    last = loss.item()
                    if step == 0:
                        first = last
                    if on_step is not None:
                        on_step(step + 1, settings.steps, last)
        finally:
            model.train(was_training)
    return PretrainResult(settings.steps, len(token_ids), first, last)


def build_tiny_model(
    out_dir: str | Path,
    texts: Iterable[str] | None = None,
    seed: int = 0,
    pretrain_steps: int = 0,
    *,
    examples: Sequence[Example] | None = None,
    pretrain_settings: PretrainSettings | None = None,
    on_pretrain_step: Callable[[int, int, float], None] | None = None,
) -> Path:
    """Write a tiny Qwen3 model directory to ``out_dir`` and return its path.

    ``texts`` trains the tokenizer; by default the texts of ``examples``, else the sample corpus
    (`legal_ft.sample.generate_records`). With ``pretrain_steps`` > 0 the random weights are then pretrained (see
    `pretrain`; settings other than the step count from ``pretrain_settings``) on ``examples`` rendered with the
    chat template (`chat_token_ids`) — or, when only ``texts`` is given, on the raw texts (`corpus_token_ids`);
    with neither, on the sample corpus in the chat template. The same ``seed``, texts, examples and steps give the
    same weights and tokenizer. The folder is written next to ``out_dir`` first and renamed into place, so an
    interrupted build never leaves a half model behind.
    """
    import torch
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM
    from transformers.utils import logging as hf_logging

    settings = pretrain_settings or PretrainSettings()
    if pretrain_steps:
        settings = dataclasses.replace(settings, steps=pretrain_steps)
    hf_logging.disable_progress_bar()
    out = Path(out_dir)
    values = tiny_config_values()
    texts_given = texts is not None
    if texts is not None:
        texts = list(texts)
    elif examples is not None:
        texts = [text for example in examples for text in example]
    else:
        texts = default_texts(seed=seed)
    tokenizer = train_tokenizer(texts, int(values["vocab_size"]))
    vocab = len(tokenizer)
    values["vocab_size"] = -(-vocab // 64) * 64  # pad the embedding like real models do (multiple of 64)
    config = Qwen3Config(
        **values,
        bos_token_id=tokenizer.convert_tokens_to_ids(ENDOFTEXT),
        eos_token_id=tokenizer.convert_tokens_to_ids(IM_END),
        pad_token_id=tokenizer.convert_tokens_to_ids(ENDOFTEXT),
        use_cache=True,
    )
    config.architectures = ["Qwen3ForCausalLM"]
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = Qwen3ForCausalLM(config).to(torch.float32)
    finally:
        torch.random.set_rng_state(state)
    if settings.steps:
        if examples is None and texts_given:
            token_ids = corpus_token_ids(tokenizer, texts)
        else:
            token_ids = chat_token_ids(tokenizer, default_examples(seed=seed) if examples is None else examples)
        pretrain(model, token_ids, settings, seed=seed, on_step=on_pretrain_step)
        model.eval()
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id,
        eos_token_id=[config.eos_token_id, config.pad_token_id],
        pad_token_id=config.pad_token_id,
        do_sample=False,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        # Legacy layout on purpose: the chat template inside tokenizer_config.json, as Qwen3-4B ships it.
        tokenizer.save_pretrained(tmp, save_jinja_files=False)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
