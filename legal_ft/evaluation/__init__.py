"""Scoring generated documents with the cleaning rules: pass rates, loss on references, repetition, the report."""

from legal_ft.evaluation.repetition import RepetitionStats, repetition_stats
from legal_ft.evaluation.runner import EvalOptions, EvalResult, run_eval

__all__ = ["EvalOptions", "EvalResult", "RepetitionStats", "repetition_stats", "run_eval"]
