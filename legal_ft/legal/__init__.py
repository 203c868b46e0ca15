"""Domain knowledge about Russian procedural documents: document types, citations, sections."""
