"""The cleaning rule engine: hookspecs, plugin loading, rule sets, the clean pipeline, dedup and reports."""
