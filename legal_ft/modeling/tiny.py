"""Build a tiny Qwen3 model directory offline: the real architecture, random weights, a tokenizer trained here.

Real weights cannot be downloaded in tests, CI or the demo, but the code path must be the real one: the tiny
model is a genuine `Qwen3ForCausalLM` (sizes from ``configs/tiny_qwen3.json``) saved as safetensors, with a
byte-level BPE tokenizer trained with `tokenizers` on Russian legal text, Qwen3's special tokens and Qwen3's own
chat template. The folder looks like a Hugging Face model folder (config.json, generation_config.json,
model.safetensors, tokenizer.json, tokenizer_config.json with ``chat_template``), so
`load_model_and_tokenizer` loads it exactly like QVikhr-3-4B. Building takes a few seconds on a CPU.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from legal_ft.errors import InputError
from legal_ft.modeling.qwen3_template import QWEN3_CHAT_TEMPLATE
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


def default_texts(n: int = DEFAULT_SAMPLE_RECORDS, seed: int = 0) -> list[str]:
    """Texts of the sample corpus (instruction, input, output of each record), plus the built-in legal snippets."""
    texts = list(_FALLBACK_TEXTS)
    try:
        from legal_ft.sample import generate_records
    except ImportError:
        return texts
    for record in generate_records(n, seed=seed):
        if isinstance(record, dict):
            texts.extend(str(record.get(k) or "") for k in ("instruction", "input", "output"))
    return texts


def texts_from_jsonl(path: str | Path) -> list[str]:
    """Instruction, input and output texts of every valid record in a JSONL corpus (bad lines are skipped)."""
    from legal_ft.io import iter_records
    from legal_ft.records import Record

    texts: list[str] = []
    for item in iter_records(path):
        if isinstance(item, Record):
            texts.extend([item.instruction, item.input, item.output])
    if not texts:
        raise InputError(f"{path} has no valid records to train the tokenizer on", "pass a JSONL file of records")
    return texts


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


def build_tiny_model(out_dir: str | Path, texts: Iterable[str] | None = None, seed: int = 0) -> Path:
    """Write a tiny Qwen3 model directory to ``out_dir`` and return its path.

    ``texts`` trains the tokenizer; by default the sample corpus (`legal_ft.sample.generate_records`). The same
    ``seed`` and texts give the same weights and tokenizer. The folder is written next to ``out_dir`` first and
    renamed into place, so an interrupted build never leaves a half model behind.
    """
    import torch
    from transformers import GenerationConfig, Qwen3Config, Qwen3ForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    out = Path(out_dir)
    values = tiny_config_values()
    tokenizer = train_tokenizer(default_texts(seed=seed) if texts is None else texts, int(values["vocab_size"]))
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
