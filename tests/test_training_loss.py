"""Loss correctness: token-normalised accumulation, label-only logits, gradient checkpointing memory."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from _training_helpers import fit_options, write_config, write_records


@pytest.fixture(scope="module")
def lora_model(tiny_model_dir: Path):
    from peft import LoraConfig, get_peft_model

    from legal_ft.modeling.loading import load_model_and_tokenizer

    torch.manual_seed(0)
    model, tokenizer = load_model_and_tokenizer(tiny_model_dir)
    model = get_peft_model(
        model,
        LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0, init_lora_weights=False),
    )
    return model, tokenizer


def _batch(tokenizer, rows: list[tuple[str, str, str]], max_length: int = 96):
    from legal_ft.training.data import Collator, TokenizeFn

    fn = TokenizeFn(tokenizer, max_length)
    out = fn({"instruction": [r[0] for r in rows], "input": [r[1] for r in rows], "output": [r[2] for r in rows]})
    items = [{"input_ids": ids, "prompt_len": p} for ids, p in zip(out["input_ids"], out["prompt_len"], strict=True)]
    return Collator(pad_token_id=int(tokenizer.pad_token_id))(items)


ROWS = [
    ("Составь иск.", "Долг 100 рублей.", "ИСКОВОЕ ЗАЯВЛЕНИЕ. Прошу взыскать долг согласно ст. 309 ГК РФ."),
    ("Составь претензию.", "Не оплатили.", "ПРЕТЕНЗИЯ. Требую оплатить."),
    ("Составь отзыв.", "Иск необоснован.", "ОТЗЫВ. В удовлетворении иска прошу отказать, ст. 56 ГПК РФ."),
]


def test_label_only_logits_give_the_full_logits_loss_and_gradients(lora_model) -> None:
    from legal_ft.training.module import label_loss_sum

    model, tokenizer = lora_model
    batch = _batch(tokenizer, ROWS)
    n_labels = int((batch["labels"][:, 1:] != -100).sum())
    model.zero_grad()
    full = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).loss
    (full * n_labels).backward()
    grads_full = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}
    for chunk in (5, 10_000):  # several checkpointed chunks, and one
        model.zero_grad()
        loss_sum, n = label_loss_sum(model, batch, chunk)
        assert n == n_labels
        assert torch.allclose(loss_sum / n, full, atol=1e-5)
        loss_sum.backward()
        for name, p in model.named_parameters():
            if p.requires_grad:
                assert torch.allclose(p.grad, grads_full[name], atol=1e-5, rtol=1e-4), name


def test_gradient_checkpointing_cuts_saved_activation_memory(tiny_model_dir) -> None:
    from peft import LoraConfig, get_peft_model

    from legal_ft.modeling.loading import load_model_and_tokenizer
    from legal_ft.training.fit import enable_checkpointing

    def saved_bytes(checkpointing: bool) -> int:
        model, _ = load_model_and_tokenizer(tiny_model_dir)
        if checkpointing:
            enable_checkpointing(model)
        model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
        model.train()
        total = 0

        def pack(t: torch.Tensor):
            nonlocal total
            total += t.numel() * t.element_size()
            return t

        ids = torch.randint(0, 200, (2, 128))
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            hidden = model.get_base_model().model(input_ids=ids, use_cache=False).last_hidden_state
        hidden.sum().backward()  # still trainable with checkpointing on
        assert any(p.grad is not None for p in model.parameters() if p.requires_grad)
        return total

    without, with_ckpt = saved_bytes(False), saved_bytes(True)
    assert with_ckpt < 0.5 * without, (with_ckpt, without)


class _GradCapture:
    def __init__(self) -> None:
        import lightning as L

        self.grads: dict[str, torch.Tensor] = {}
        capture = self

        class Cb(L.Callback):
            def on_before_optimizer_step(self, trainer, pl_module, optimizer):
                if not capture.grads:
                    capture.grads = {
                        n: p.grad.detach().clone()
                        for n, p in pl_module.named_parameters()
                        if p.requires_grad and p.grad is not None
                    }

        self.callback = Cb()


def test_batch1_accum4_equals_batch4_accum1_on_unequal_lengths(tiny_model_dir, tmp_path) -> None:
    from legal_ft.training.data import TokenizedDataset, tokenize_file
    from legal_ft.training.fit import run_fit

    data = write_records(tmp_path / "four.jsonl", 4, seed=11)
    common = {
        "max_steps": 1,
        "eval_strategy": "no",
        "max_grad_norm": 0.0,
        "warmup_steps": 0,
        "lora": {"lora_dropout": 0.0},
        "data": {"max_length": 192},
    }
    grads = []
    for batch, accum in ((1, 4), (4, 1)):
        config = write_config(
            tmp_path / f"c{batch}.json",
            per_device_train_batch_size=batch,
            gradient_accumulation_steps=accum,
            **{k: (dict(v) if isinstance(v, dict) else v) for k, v in common.items()},
        )
        capture = _GradCapture()
        run_fit(fit_options(tiny_model_dir, data, tmp_path / f"o{batch}", config, extra_callbacks=[capture.callback]))
        grads.append(capture.grads)
    a, b = grads
    assert a and a.keys() == b.keys()
    for name in a:
        assert torch.allclose(a[name], b[name], atol=1e-7, rtol=1e-4), name

    # the records really differ in answer length, so a mean of per-batch means would differ
    from legal_ft.modeling.loading import load_tokenizer

    table, _ = tokenize_file(data, load_tokenizer(tiny_model_dir), 192)
    counts = TokenizedDataset(table).n_labels
    assert len(set(counts)) > 1, counts


def test_chunked_loss_paths_match_full_cross_entropy() -> None:
    import torch.nn.functional as F

    from legal_ft.training.module import chunked_label_loss

    torch.manual_seed(0)
    labels = torch.randint(0, 50, (3, 12))
    labels[:, :4] = -100
    labels[2, 9:] = -100
    for trainable_head in (False, True):  # frozen: fused gradient; trainable: checkpointed chunks
        head = torch.nn.Linear(16, 50, bias=False).requires_grad_(trainable_head)
        hidden = torch.randn(3, 12, 16, requires_grad=True)
        loss, n = chunked_label_loss(hidden, labels, head, chunk_tokens=4)
        loss.backward()
        got = hidden.grad.clone()
        hidden.grad = None
        logits = head(hidden)[:, :-1]
        want = F.cross_entropy(logits.reshape(-1, 50), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="sum")
        want.backward()
        assert n == int((labels[:, 1:] != -100).sum())
        assert torch.allclose(loss, want, atol=1e-4) and torch.allclose(got, hidden.grad, atol=1e-5)
    with torch.no_grad():
        assert torch.allclose(chunked_label_loss(hidden, labels, head, 4)[0], want, atol=1e-4)


def test_fused_loss_under_autocast_matches_fp32() -> None:
    from legal_ft.training.module import chunked_label_loss

    torch.manual_seed(1)
    head = torch.nn.Linear(32, 64, bias=False).requires_grad_(False)
    labels = torch.randint(0, 64, (2, 10))
    labels[:, :3] = -100
    hidden = torch.randn(2, 10, 32, requires_grad=True)
    ref, _ = chunked_label_loss(hidden, labels, head, 4)
    ref.backward()
    ref_grad = hidden.grad.clone()
    hidden.grad = None
    with torch.autocast("cpu", dtype=torch.bfloat16):  # what bf16-mixed training runs under
        loss, _ = chunked_label_loss(hidden, labels, head, 4)
    loss.backward()
    assert loss.dtype == torch.float32 and hidden.grad.dtype == torch.float32
    assert torch.allclose(loss, ref, rtol=2e-2) and torch.allclose(hidden.grad, ref_grad, atol=2e-2)
