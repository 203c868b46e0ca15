"""Local inference: load a base model with a LoRA adapter, write documents from case facts.

`artifacts` checks model and adapter folders without loading weights (pickles refused, adapter shapes compared
with the model), `loader` loads them, `generate` renders the training prompt and decodes (streamed or batched).
"""

from legal_ft.generation.generate import (
    GeneratedDocument,
    GenerationSettings,
    check_facts,
    default_instruction,
    generate_batch,
    generate_document,
    parse_doc_type,
)
from legal_ft.generation.loader import LoadedModel, load_for_inference

__all__ = [
    "GeneratedDocument",
    "GenerationSettings",
    "LoadedModel",
    "check_facts",
    "default_instruction",
    "generate_batch",
    "generate_document",
    "load_for_inference",
    "parse_doc_type",
]
