"""Builders shared by the generate / eval / export / demo tests: adapters, a model of another size, eval data.

The adapters here are made directly with PEFT and *random* LoRA B matrices (PEFT's default init makes B zero, so an
untrained adapter would change nothing and a merge test could not fail). `legalft fit` itself is exercised by the
demo test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]

REFERENCE_OUTPUT = (
    "В Арбитражный суд города Москвы\n\nИстец: ООО «Ромашка», ИНН 7701234567, ОГРН 1027700000000\n"
    "Ответчик: ООО «Василёк», ИНН 7702345678\nЦена иска: 100 000 руб.\n\n"
    "ИСКОВОЕ ЗАЯВЛЕНИЕ\nо взыскании задолженности по договору поставки\n\nМОТИВИРОВОЧНАЯ ЧАСТЬ:\n"
    "Между истцом и ответчиком 10.01.2024 заключён договор поставки № 15, по которому истец передал ответчику "
    "товар на сумму 100 000 руб., что подтверждается товарной накладной. Ответчик товар принял, но не оплатил, "
    "претензия от 01.03.2024 оставлена без ответа. Согласно ст. 309 ГК РФ обязательства должны исполняться "
    "надлежащим образом в соответствии с условиями обязательства. В соответствии со ст. 310 ГК РФ односторонний "
    "отказ от исполнения обязательства не допускается. Согласно п. 1 ст. 486 ГК РФ покупатель обязан оплатить "
    "товар непосредственно до или после его передачи продавцом.\n\n"
    "РЕЗОЛЮТИВНАЯ ЧАСТЬ:\nНа основании изложенного, руководствуясь ст. 125, 126 АПК РФ,\nПРОШУ СУД:\n"
    "1. Взыскать с ответчика в пользу истца сумму основного долга 100 000 руб.\n"
    "2. Взыскать с ответчика расходы по уплате государственной пошлины.\n\n"
    "Приложения:\n1. Копия договора поставки.\n2. Копия товарной накладной.\n3. Копия претензии.\n\n"
    "Генеральный директор ООО «Ромашка» ________ /И.И. Иванов/\n15.04.2024"
)


def make_adapter(model_dir: Path, out_dir: Path, *, seed: int = 1, r: int = 4) -> Path:
    """A LoRA adapter for ``model_dir`` with random (non-zero) weights, saved as PEFT saves it (+ tokenizer)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from legal_ft.modeling.loading import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(model_dir)
    torch.manual_seed(seed)
    config = LoraConfig(r=r, lora_alpha=2 * r, target_modules=TARGETS, init_lora_weights=False)
    peft_model = get_peft_model(model, config)
    with torch.no_grad():  # make the adapter's effect clearly visible in the logits
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.mul_(20.0)
    peft_model.save_pretrained(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    return out_dir


def make_pickled_adapter(adapter_dir: Path, out_dir: Path) -> Path:
    """The same adapter with its weights as a pickled ``adapter_model.bin`` (the old PEFT format)."""
    import torch
    from safetensors.torch import load_file

    shutil.copytree(adapter_dir, out_dir)
    state = load_file(str(out_dir / "adapter_model.safetensors"))
    (out_dir / "adapter_model.safetensors").unlink()
    torch.save(state, str(out_dir / "adapter_model.bin"))
    return out_dir


def make_other_model(model_dir: Path, out_dir: Path) -> Path:
    """A model with the same tokenizer but a different hidden size (an adapter for the first cannot fit)."""
    from transformers import Qwen3Config, Qwen3ForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    shutil.copytree(model_dir, out_dir)
    config = Qwen3Config.from_pretrained(str(model_dir))
    config.hidden_size = 32
    config.head_dim = 8
    config.intermediate_size = 64
    Qwen3ForCausalLM(config).save_pretrained(str(out_dir))
    return out_dir


def eval_records(n: int) -> list[dict]:
    return [
        {
            "instruction": "Составь исковое заявление в арбитражный суд по фактическим обстоятельствам дела.",
            "input": f"Истец поставил ответчику товар по договору № {i + 1}. Ответчик долг {100 + i} 000 руб. не оплатил.",
            "output": REFERENCE_OUTPUT,
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list, extra_lines: tuple[bytes, ...] = ()) -> Path:
    with open(path, "wb") as handle:
        handle.writelines(orjson.dumps(row) + b"\n" for row in rows)
        handle.writelines(line + b"\n" for line in extra_lines)
    return path


# A rule plugin of our own, so the eval mechanics are tested apart from the built-in rules' judgement.
TEST_PLUGIN = '''
from legal_ft.cleaning.api import Rule, hookimpl


class NeedsDemand(Rule):
    """The document has no «ПРОШУ»."""

    code = "TT101"
    name = "no-proshu"
    groups = ("evaltest",)

    def check(self, doc):
        return [] if "ПРОШУ" in doc.output else [self.finding("no-proshu", "no «ПРОШУ» in the document")]


@hookimpl
def legalft_rules():
    return [NeedsDemand]
'''


def write_test_rules(folder: Path) -> Path:
    """A rule set selecting only TT101; returns the .toml path."""
    plugins = folder / "evaltest_plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "evaltest_rules.py").write_text(TEST_PLUGIN, encoding="utf-8")
    toml = folder / "evaltest.toml"
    toml.write_text(
        'description = "eval tests"\nselect = ["evaltest"]\nplugin_dirs = ["evaltest_plugins"]\n', encoding="utf-8"
    )
    return toml


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
