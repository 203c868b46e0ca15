"""LoRA training: configuration and GPU profiles, data module, Lightning module, callbacks, memory estimate."""
