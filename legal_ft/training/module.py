"""The LightningModule: a PEFT LoRA model, a token-normalised loss, and checkpoints without the frozen base.

Loss. Gradient accumulation usually averages per-batch mean losses, which weighs a token in a short answer more
than one in a long answer, so "batch 1 × accumulation 4" and "batch 4 × accumulation 1" train differently. Here
every batch knows how many answer tokens its whole optimizer window holds (across all DDP ranks; planned by
`WindowedBatchSampler`), and the backward pass uses ``sum of token losses / window tokens × world size`` (DDP
averages gradients over ranks, which the factor undoes). The accumulated gradient is then exactly the gradient of
the mean token loss over the window, whatever the batch split.

Logits only where a label exists: the backbone's hidden states are gathered at label positions before the
``lm_head``, and the vocabulary projection + cross-entropy run in chunks of ``loss_chunk_tokens`` rows, so at
most one chunk of ``rows × vocab`` logits is alive. The head is frozen under LoRA, so each chunk's gradient
with respect to the hidden states is computed right there (`_FusedFrozenHeadLoss`) — no logits are kept for
backward and none are recomputed.

Optimisation is manual (Lightning's manual optimization): a step happens at the last batch of each window; the
precision plugin unscales fp16 gradients before `on_before_optimizer_step`, where they are clipped. A non-finite
loss skips that batch's backward (on every rank) and is counted; ``max_nonfinite_losses`` in a row stop the run.
"""

from __future__ import annotations

import math
import time
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from legal_ft.errors import LegalFtError
from legal_ft.training.data import IGNORE_INDEX

STATE_KEY = "legalft"


class NonFiniteLossError(LegalFtError):
    """Too many non-finite losses in a row."""


def chunked_label_loss(
    hidden: torch.Tensor, labels: torch.Tensor, lm_head: torch.nn.Module, chunk_tokens: int
) -> tuple[torch.Tensor, int]:
    """Sum of next-token cross-entropy over label positions, and the number of those positions.

    ``hidden`` is ``[batch, seq, hidden]`` from the backbone; ``labels`` ``[batch, seq]`` with -100 where no loss.
    Position t predicts label t+1, so hidden states ``[:, :-1]`` pair with labels ``[:, 1:]``.
    """
    targets = labels[:, 1:]
    mask = targets != IGNORE_INDEX
    rows = hidden[:, :-1][mask]
    wanted = targets[mask]
    n = int(wanted.numel())
    if n == 0:
        return hidden.sum() * 0.0, 0

    if torch.is_grad_enabled() and rows.requires_grad and _is_frozen_linear(lm_head):
        return _FusedFrozenHeadLoss.apply(rows, lm_head.weight, wanted, chunk_tokens), n

    def piece(h: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(lm_head(h).float(), t, reduction="sum")

    if n <= chunk_tokens or not torch.is_grad_enabled():
        total = hidden.new_zeros((), dtype=torch.float32)
        for start in range(0, n, chunk_tokens):
            total = total + piece(rows[start : start + chunk_tokens], wanted[start : start + chunk_tokens])
        return total, n
    # A trainable or wrapped head (e.g. LoRA on lm_head): recompute each chunk in backward instead.
    total = hidden.new_zeros((), dtype=torch.float32)
    for start in range(0, n, chunk_tokens):
        h, t = rows[start : start + chunk_tokens], wanted[start : start + chunk_tokens]
        total = total + checkpoint(piece, h, t, use_reentrant=False)
    return total, n


def _is_frozen_linear(module: torch.nn.Module) -> bool:
    return (
        type(module) is torch.nn.Linear
        and module.bias is None
        and not module.weight.requires_grad
        and module.weight.dtype in (torch.float32, torch.float16, torch.bfloat16)
    )


class _FusedFrozenHeadLoss(torch.autograd.Function):
    """Cross-entropy through a frozen ``lm_head``, chunk by chunk, with the gradient computed in the same pass.

    LoRA never trains the head, so the only gradient needed is d loss / d hidden = (softmax − onehot) · W. It
    is computed while each chunk's logits exist and kept (rows × hidden, small); the logits are dropped at once.
    Memory: one chunk of logits; compute: no second head forward in backward (what checkpointing would cost).
    """

    @staticmethod
    def forward(
        ctx: Any, rows: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk_tokens: int
    ) -> torch.Tensor:
        compute_dtype = (
            torch.get_autocast_dtype(rows.device.type) if torch.is_autocast_enabled(rows.device.type) else rows.dtype
        )
        w = weight.to(compute_dtype)
        grad_rows = torch.empty_like(rows)
        total = torch.zeros((), dtype=torch.float32, device=rows.device)
        for start in range(0, rows.shape[0], chunk_tokens):
            h = rows[start : start + chunk_tokens].to(compute_dtype)
            t = targets[start : start + chunk_tokens]
            logits = (h @ w.t()).float()
            lse = torch.logsumexp(logits, dim=-1)
            total += (lse - logits.gather(1, t[:, None]).squeeze(1)).sum()
            probs = torch.exp(logits.sub_(lse[:, None]))  # softmax, in place of the logits
            probs[torch.arange(t.shape[0], device=t.device), t] -= 1.0
            grad_rows[start : start + chunk_tokens] = (probs.to(compute_dtype) @ w).to(rows.dtype)
            del logits, probs
        ctx.save_for_backward(grad_rows)
        return total

    @staticmethod
    def backward(ctx: Any, grad_total: torch.Tensor) -> tuple[torch.Tensor | None, None, None, None]:
        (grad_rows,) = ctx.saved_tensors
        return grad_rows * grad_total.to(grad_rows.dtype), None, None, None


def causal_lm_of(model: Any) -> Any:
    """The transformers CausalLM inside a PEFT model (or the model itself)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def label_loss_sum(model: Any, batch: dict[str, torch.Tensor], chunk_tokens: int) -> tuple[torch.Tensor, int]:
    """Run the backbone, then `chunked_label_loss` — logits exist only at label positions."""
    causal_lm = causal_lm_of(model)
    backbone = getattr(causal_lm, causal_lm.base_model_prefix)
    out = backbone(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], use_cache=False)
    return chunked_label_loss(out.last_hidden_state, batch["labels"], causal_lm.get_output_embeddings(), chunk_tokens)


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach() for name, p in model.named_parameters() if p.requires_grad}


class LoraModule(L.LightningModule):
    def __init__(
        self,
        model: Any,
        *,
        learning_rate: float,
        weight_decay: float,
        betas: tuple[float, float],
        eps: float,
        optim: str,
        scheduler: str,
        warmup_steps: int,
        total_steps: int,
        max_grad_norm: float,
        loss_chunk_tokens: int,
        max_nonfinite_losses: int,
        logging_steps: int = 1,
    ) -> None:
        super().__init__()
        self.model = model
        self.automatic_optimization = False
        self.strict_loading = False  # checkpoints hold only the trainable weights (see on_save_checkpoint)
        self.learning_rate, self.weight_decay, self.betas, self.eps = learning_rate, weight_decay, betas, eps
        self.optim, self.scheduler_name = optim, scheduler
        self.warmup_steps, self.total_steps = warmup_steps, total_steps
        self.max_grad_norm, self.loss_chunk_tokens = max_grad_norm, loss_chunk_tokens
        self.max_nonfinite_losses = max_nonfinite_losses
        self.logging_steps = max(logging_steps, 1)
        # counters and history, saved in checkpoints so a resumed run reports the whole run
        self.nonfinite_total = 0
        self.nonfinite_in_a_row = 0
        self.history: dict[str, list[list[float]]] = {"train_loss": [], "eval_loss": [], "lr": [], "tokens_per_s": []}
        self.tokens_seen = 0
        self.train_seconds = 0.0
        self.last_grad_norm: float | None = None
        # the window being accumulated
        self._window_loss = 0.0
        self._window_tokens = 0
        self._window_nonpad = 0
        self._window_backwards = 0
        self._window_started: float | None = None
        # state at the last optimizer step: what a checkpoint describes (data position, RNG)
        self.epoch_batches_done = 0
        self._batches_in_epoch = 0
        self._step_snapshot: dict[str, Any] = {}
        self._eval_sum = 0.0
        self._eval_tokens = 0

    # -- optimisation ----------------------------------------------------------------------------------------
    def configure_optimizers(self) -> Any:
        from transformers import get_scheduler

        params = [p for p in self.model.parameters() if p.requires_grad]
        if self.optim in ("adamw_8bit", "paged_adamw_8bit"):
            import bitsandbytes as bnb

            cls = bnb.optim.PagedAdamW8bit if self.optim.startswith("paged") else bnb.optim.AdamW8bit
            optimizer = cls(
                params, lr=self.learning_rate, betas=self.betas, eps=self.eps, weight_decay=self.weight_decay
            )
        else:
            optimizer = torch.optim.AdamW(
                params, lr=self.learning_rate, betas=self.betas, eps=self.eps, weight_decay=self.weight_decay
            )
        scheduler = get_scheduler(
            self.scheduler_name,
            optimizer,
            num_warmup_steps=self.warmup_steps,
            num_training_steps=max(self.total_steps, 1),
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    def on_train_epoch_start(self) -> None:
        self._batches_in_epoch = self.epoch_batches_done  # > 0 only right after a mid-epoch resume

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        if self._window_started is None:
            self._window_started = time.perf_counter()
        loss_sum, n = label_loss_sum(self.model, batch, self.loss_chunk_tokens)
        world = self.trainer.world_size
        bad = torch.tensor(0.0 if bool(torch.isfinite(loss_sum.detach())) else 1.0, device=loss_sum.device)
        if world > 1:
            bad = self.trainer.strategy.reduce(bad, reduce_op="sum")
        if float(bad) > 0:
            self.nonfinite_total += 1
            self.nonfinite_in_a_row += 1
            if self.nonfinite_in_a_row >= self.max_nonfinite_losses:
                raise NonFiniteLossError(
                    f"the loss was not finite (nan/inf) {self.nonfinite_in_a_row} times in a row "
                    f"(step {self.global_step})",
                    "fp16 overflows easily: try --bf16 (RTX 30xx and newer) or a lower --lr",
                )
        else:
            self.nonfinite_in_a_row = 0
            window_tokens = max(int(batch["window_tokens"]), 1)
            self.manual_backward(loss_sum / window_tokens * world)
            self._window_backwards += 1
            self._window_loss += float(loss_sum.detach())
            self._window_tokens += n
        self._window_nonpad += int(batch["attention_mask"].sum())
        self._batches_in_epoch += 1
        if bool(batch["window_end"]):
            self._finish_window()

    def _finish_window(self) -> None:
        optimizer = self.optimizers()
        scheduler = self.lr_schedulers()
        if self._window_backwards > 0:
            optimizer.step()
            scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        elapsed = time.perf_counter() - (self._window_started or time.perf_counter())
        world = self.trainer.world_size
        self.train_seconds += elapsed
        self.tokens_seen += self._window_nonpad * world
        step = self.global_step
        if self._window_tokens:
            loss = self._window_loss / self._window_tokens
            tps = self._window_nonpad * world / max(elapsed, 1e-9)
            lr = float(scheduler.get_last_lr()[0])
            self.history["train_loss"].append([step, loss])
            self.history["lr"].append([step, lr])
            self.history["tokens_per_s"].append([step, tps])
            self.log_dict({"loss": loss, "tok/s": tps}, prog_bar=True, on_step=True, logger=False, batch_size=1)
            if step % self.logging_steps == 0 or step >= self.total_steps:
                metrics = {"train_loss": loss, "tokens_per_s": tps, "lr": lr}
                if self.last_grad_norm is not None:
                    metrics["grad_norm"] = self.last_grad_norm
                if torch.cuda.is_available() and self.device.type == "cuda":
                    metrics["peak_gpu_memory_gib"] = torch.cuda.max_memory_allocated(self.device) / 1024**3
                self._log_to_loggers(metrics, step)
        self._window_loss, self._window_tokens, self._window_nonpad, self._window_backwards = 0.0, 0, 0, 0
        self._window_started = None
        self.epoch_batches_done = self._batches_in_epoch
        self._step_snapshot = self._snapshot()

    def on_train_epoch_end(self) -> None:
        self.epoch_batches_done = 0
        self._batches_in_epoch = 0
        self._step_snapshot = self._snapshot()

    def on_before_optimizer_step(self, optimizer: Any) -> None:
        # Gradients are unscaled here (fp16); clip them to max_grad_norm.
        params = [p for p in self.model.parameters() if p.requires_grad and p.grad is not None]
        if params and self.max_grad_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, self.max_grad_norm)
            self.last_grad_norm = float(norm)

    # -- evaluation ------------------------------------------------------------------------------------------
    def on_validation_epoch_start(self) -> None:
        self._eval_sum, self._eval_tokens = 0.0, 0

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        loss_sum, n = label_loss_sum(self.model, batch, self.loss_chunk_tokens)
        if torch.isfinite(loss_sum):
            self._eval_sum += float(loss_sum)
            self._eval_tokens += n

    def on_validation_epoch_end(self) -> None:
        if self.trainer.sanity_checking or self._eval_tokens == 0:
            return
        loss = self._eval_sum / self._eval_tokens
        self.history["eval_loss"].append([self.global_step, loss])
        self.log("eval_loss", loss, prog_bar=True, logger=False, batch_size=1)
        self._log_to_loggers({"eval_loss": loss}, self.global_step)

    def _log_to_loggers(self, metrics: dict[str, float], step: int) -> None:
        """Straight to the loggers at optimizer-step numbers (Lightning's own interval counts batches)."""
        if self.trainer.is_global_zero:
            for logger in self.loggers:
                logger.log_metrics(metrics, step=step)

    # -- checkpoints -----------------------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        """Everything a resumed run needs to replay the next window exactly (taken right after a step)."""
        snap: dict[str, Any] = {
            "epoch": self.current_epoch,
            "epoch_batches_done": self.epoch_batches_done,
            "torch_rng": torch.get_rng_state(),
        }
        if torch.cuda.is_available():
            snap["cuda_rng"] = torch.cuda.get_rng_state_all()
        return snap

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        # Only the trainable (LoRA) weights; the frozen base is the user's model directory, never copied.
        trainable = {name for name, p in self.named_parameters() if p.requires_grad}
        checkpoint["state_dict"] = {k: v for k, v in checkpoint["state_dict"].items() if k in trainable}
        self._rewind_loop_state(checkpoint)
        checkpoint[STATE_KEY] = {
            "snapshot": self._step_snapshot or self._snapshot(),
            "history": self.history,
            "nonfinite_total": self.nonfinite_total,
            "tokens_seen": self.tokens_seen,
            "train_seconds": self.train_seconds,
        }

    def _rewind_loop_state(self, checkpoint: dict[str, Any]) -> None:
        """Make Lightning's batch counters describe the last optimizer step, like the rest of the checkpoint.

        A checkpoint written on Ctrl-C / SIGTERM may come after batches of an unfinished window; their gradients
        are not saved, so a resumed run must replay them. Lightning restores its batch count from the checkpoint
        (and, for a save made in ``on_train_batch_end``, counts that batch as completed on restart); it would
        otherwise skip those batches and end the epoch early. The counters are rewritten to the form Lightning
        expects of a save at the end of the last window's batch, or of an epoch start when no batch is done.
        """
        progress = checkpoint.get("loops", {}).get("fit_loop", {})
        batches = progress.get("epoch_loop.batch_progress")
        if not batches:
            return
        done = self.epoch_batches_done
        current, total = batches["current"], batches["total"]
        before_epoch = total.get("ready", 0) - current.get("ready", 0)
        extra = current.get("ready", 0) - done
        for key in ("ready", "started", "processed", "completed"):
            value = done if key != "completed" or done == 0 else done - 1
            current[key] = value
            total[key] = before_epoch + value
        batches["is_last_batch"] = False
        stepped = progress.get("epoch_loop.state_dict", {})
        if extra > 0 and "_batches_that_stepped" in stepped:
            stepped["_batches_that_stepped"] = max(0, stepped["_batches_that_stepped"] - extra)

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        trainable = {name for name, p in self.named_parameters() if p.requires_grad}
        missing = trainable - set(checkpoint.get("state_dict", {}))
        if missing:
            raise LegalFtError(
                f"the checkpoint does not match this model/LoRA config ({len(missing)} LoRA weights missing, "
                f"e.g. {min(missing)})",
                "resume with the same --model and lora_config as the interrupted run, or start without --resume",
            )
        state = checkpoint.get(STATE_KEY, {})
        self.history = state.get("history", self.history)
        self.nonfinite_total = int(state.get("nonfinite_total", 0))
        self.tokens_seen = int(state.get("tokens_seen", 0))
        self.train_seconds = float(state.get("train_seconds", 0.0))
        snap = state.get("snapshot") or {}
        if "torch_rng" in snap:
            torch.set_rng_state(snap["torch_rng"])
        if "cuda_rng" in snap and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(snap["cuda_rng"])
        self.epoch_batches_done = int(snap.get("epoch_batches_done", 0))
        self._batches_in_epoch = self.epoch_batches_done  # a mid-epoch restart skips on_train_epoch_start
        self._step_snapshot = snap
        datamodule = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        if datamodule is not None and hasattr(datamodule, "resume_at"):
            datamodule.resume_at(self.epoch_batches_done)


def warmup_steps_for(total_steps: int, warmup_steps: int, warmup_ratio: float) -> int:
    """HF semantics: ``warmup_steps`` > 0 wins, else ``ceil(warmup_ratio × total)``."""
    return warmup_steps if warmup_steps > 0 else math.ceil(warmup_ratio * total_steps)
