"""CPU thread policy for tiny models (the test and demo models).

Matrices as small as the tiny model's finish before extra threads start; on a shared CPU the hand-off between
threads made tiny-model work 10-300x slower (measured on two busy cores). Real models keep torch's threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

SMALL_HIDDEN_SIZE = 512  # below this a model counts as tiny


def is_tiny_on_cpu(hidden_size: int, device_type: str) -> bool:
    return device_type == "cpu" and 0 < hidden_size < SMALL_HIDDEN_SIZE


@contextlib.contextmanager
def tiny_model_threads(hidden_size: int, device_type: str = "cpu") -> Iterator[None]:
    """Use one CPU thread inside the block when the model is tiny and on the CPU; restore the count after."""
    import torch

    saved = torch.get_num_threads()
    if is_tiny_on_cpu(hidden_size, device_type):
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(saved)
