"""legalft: clean collected legal-document generations and fit a LoRA adapter for a local Russian model."""

__version__ = "0.1.0"
