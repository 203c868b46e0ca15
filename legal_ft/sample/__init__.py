"""A realistic raw sample corpus, written as the assistant's GUI writes it, with labelled defects.

`generate_records(n, seed=0)` yields seed-format dicts (instruction, input, output, metadata) whose
``metadata["sample"]`` says what each record is (`doc_type`), what is wrong with it (`defect`) and what a good
cleaner does with it (`expect`: keep / reject). `write_sample(out_dir, n, seed=0)` writes them as daily
``dataset_YYYYMMDD.jsonl`` files, in the encodings real collections come in, with malformed lines mixed in.
"""

from legal_ft.sample.generator import (
    DEFAULT_DEFECT_RATE,
    DEFECT_WEIGHTS,
    DEFECTS,
    KEEP_DEFECTS,
    generate_records,
)
from legal_ft.sample.writer import MALFORMED_KINDS, SampleFile, SampleSummary, write_sample

__all__ = [
    "DEFAULT_DEFECT_RATE",
    "DEFECTS",
    "DEFECT_WEIGHTS",
    "KEEP_DEFECTS",
    "MALFORMED_KINDS",
    "SampleFile",
    "SampleSummary",
    "generate_records",
    "write_sample",
]
