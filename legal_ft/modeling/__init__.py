"""Loading local Hugging Face models and building the tiny offline Qwen3 used by the demo and tests."""
