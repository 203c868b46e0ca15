"""Lightning callbacks of `legalft fit`: checkpoints, best adapter, overfitting, Ctrl-C / SIGTERM."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

import lightning as L
import torch

from legal_ft.console import say, warn


class TrainingInterrupted(Exception):
    """Ctrl-C: raised at the end of a batch (never mid-step), after which the outputs are written."""


def save_adapter(model: Any, out_dir: Path) -> None:
    """``save_pretrained`` into a temporary sibling, then move the files in: never a half-written adapter."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".adapter.", dir=out_dir))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        for item in tmp.iterdir():
            os.replace(item, out_dir / item.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def save_checkpoint_atomic(trainer: L.Trainer, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    trainer.save_checkpoint(tmp)
    if trainer.is_global_zero and tmp.exists():
        os.replace(tmp, path)
    trainer.strategy.barrier("legalft-checkpoint")


class StepCheckpoint(L.Callback):
    """``last.ckpt`` every ``save_steps`` optimizer steps and when the run stops for any reason.

    Saved only right after an optimizer step (window boundary), so a checkpoint never holds half a window.
    """

    def __init__(self, path: Path, save_steps: int) -> None:
        self.path, self.save_steps = path, save_steps
        self._last_saved = -1

    def on_train_batch_end(
        self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any, batch_idx: int
    ) -> None:
        step = trainer.global_step
        if bool(batch["window_end"]) and step > 0 and step % self.save_steps == 0 and step != self._last_saved:
            self.save(trainer)

    def save(self, trainer: L.Trainer) -> None:
        save_checkpoint_atomic(trainer, self.path)
        self._last_saved = trainer.global_step

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.global_step != self._last_saved:
            self.save(trainer)

    def on_exception(self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException) -> None:
        from lightning.pytorch.utilities.exceptions import SIGTERMException

        interrupted = isinstance(exception, (TrainingInterrupted, SIGTERMException, KeyboardInterrupt))
        if interrupted and trainer.global_step != self._last_saved:
            self.save(trainer)


class BestAdapter(L.Callback):
    """Keep the adapter with the lowest eval loss in ``<out>/best_adapter`` (copied to ``<out>`` at the end)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.best_loss: float | None = None
        self.best_step: int | None = None

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        history = getattr(pl_module, "history", {}).get("eval_loss", [])
        if not history or history[-1][0] != trainer.global_step:
            return
        loss = history[-1][1]
        if self.best_loss is None or loss < self.best_loss:
            self.best_loss, self.best_step = loss, trainer.global_step
            if trainer.is_global_zero:
                save_adapter(pl_module.model, self.directory)

    def state_dict(self) -> dict[str, Any]:
        return {"best_loss": self.best_loss, "best_step": self.best_step}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.best_loss = state_dict.get("best_loss")
        self.best_step = state_dict.get("best_step")


class OverfitDetector(L.Callback):
    """Warn when eval loss rose for ``patience`` evaluations in a row while the train loss fell; optionally stop.

    Train loss per evaluation interval is the mean of the step losses logged since the previous evaluation, so a
    noisy single step does not decide. This is the seed's "Eval Loss растёт, а Training Loss падает".
    """

    def __init__(self, patience: int, stop: bool) -> None:
        self.patience, self.stop = patience, stop
        self.triggered_at: list[int] = []

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking:
            return
        history = getattr(pl_module, "history", {})
        evals = history.get("eval_loss", [])
        if len(evals) < self.patience + 1:
            return
        recent = evals[-(self.patience + 1) :]
        train = history.get("train_loss", [])
        means = []
        for (prev_step, _), (step, _) in itertools.pairwise(recent):
            window = [loss for s, loss in train if prev_step < s <= step]
            if not window:
                return
            means.append(sum(window) / len(window))
        eval_rising = all(b[1] > a[1] for a, b in itertools.pairwise(recent))
        train_falling = all(b < a for a, b in itertools.pairwise(means))
        if eval_rising and train_falling and (not self.triggered_at or self.triggered_at[-1] != trainer.global_step):
            self.triggered_at.append(trainer.global_step)
            message = (
                f"overfitting: eval loss rose for {self.patience} evaluations in a row "
                f"({recent[0][1]:.4f} → {recent[-1][1]:.4f}) while the train loss fell (step "
                f"{trainer.global_step}); the best adapter by eval loss is kept"
            )
            if trainer.is_global_zero:
                warn(message + ("; stopping (--stop-on-overfit)" if self.stop else "; --stop-on-overfit stops here"))
            if self.stop:
                trainer.should_stop = True

    def state_dict(self) -> dict[str, Any]:
        return {"triggered_at": self.triggered_at}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.triggered_at = list(state_dict.get("triggered_at", []))


class GracefulInterrupt(L.Callback):
    """First Ctrl-C: finish the current batch, save a checkpoint and the adapter, stop. Second: stop at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        say("interrupt received: finishing this batch and saving (press Ctrl-C again to abort at once)")

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)

    def _restore(self) -> None:
        if self._previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def on_train_batch_end(
        self, trainer: L.Trainer, pl_module: L.LightningModule, outputs: Any, batch: Any, batch_idx: int
    ) -> None:
        flag = torch.tensor(1.0 if self.requested else 0.0, device=pl_module.device)
        if trainer.world_size > 1:
            flag = trainer.strategy.reduce(flag, reduce_op="sum")
        if float(flag) > 0:
            raise TrainingInterrupted(f"interrupted at step {trainer.global_step}")

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._restore()

    def on_exception(self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException) -> None:
        self._restore()
