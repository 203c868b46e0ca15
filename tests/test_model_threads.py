"""One CPU thread for tiny models only, and the thread count always restored."""

from __future__ import annotations

import pytest
import torch

from legal_ft.modeling.threads import tiny_model_threads


@pytest.mark.parametrize(("hidden", "device", "inside_one"), [(64, "cpu", True), (2560, "cpu", False), (64, "cuda", False)])
def test_tiny_model_threads(hidden, device, inside_one):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with tiny_model_threads(hidden, device):
            assert (torch.get_num_threads() == 1) is inside_one
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), tiny_model_threads(hidden, device):
            raise RuntimeError("boom")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
