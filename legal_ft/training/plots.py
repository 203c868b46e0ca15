"""The loss-curve PNG written beside the adapter (matplotlib, headless Agg backend)."""

from __future__ import annotations

from pathlib import Path


def plot_loss_curves(history: dict[str, list[list[float]]], path: Path, title: str = "legalft fit") -> Path:
    """Train and eval loss against the optimizer step; the learning rate on a second axis."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from legal_ft.io.atomic import atomic_output

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    try:
        train = history.get("train_loss", [])
        evals = history.get("eval_loss", [])
        if train:
            ax.plot([s for s, _ in train], [v for _, v in train], label="train loss", color="tab:blue", lw=1.2)
        if evals:
            ax.plot(
                [s for s, _ in evals], [v for _, v in evals], label="eval loss", color="tab:red", marker="o", lw=1.5
            )
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("loss (mean over answer tokens)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        lr = history.get("lr", [])
        if lr:
            ax2 = ax.twinx()
            ax2.plot([s for s, _ in lr], [v for _, v in lr], color="tab:gray", ls="--", lw=0.8, label="learning rate")
            ax2.set_ylabel("learning rate")
            ax2.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
        ax.legend(loc="upper right")
        fig.tight_layout()
        with atomic_output(path, "wb") as handle:
            fig.savefig(handle, format="png")
    finally:
        plt.close(fig)
    return path
