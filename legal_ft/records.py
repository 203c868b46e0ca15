"""The training record and its provenance.

A record is the seed's JSONL object (`instruction`, `input`, `output`, optional `metadata`). Unknown top-level
fields are kept verbatim so that nothing a user stored is lost on the way through. Every record knows where it
came from (`Provenance`): the file and line it was read from now, and — once it has passed through `merge` —
the file and line it was first collected in, kept in ``metadata["source"]`` so it survives later steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

REQUIRED_FIELDS = ("instruction", "input", "output")
SOURCE_KEY = "source"  # metadata key holding the original {"file", "line"}


class SeedMetadata(TypedDict, total=False):
    """Metadata fields the assistant's GUI writes (see the seed guide); other keys are allowed."""

    local_response: str
    provider: str
    mode: str
    timestamp: str
    version: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record was read (``file``, ``line``) and where it was first collected (``origin_*``)."""

    file: str
    line: int
    origin_file: str | None = None
    origin_line: int | None = None

    @property
    def origin(self) -> tuple[str, int]:
        if self.origin_file is not None and self.origin_line is not None:
            return self.origin_file, self.origin_line
        return self.file, self.line

    def label(self) -> str:
        """`file:line` of the original record, the form used in every message."""
        f, n = self.origin
        return f"{f}:{n}"

    def to_dict(self) -> dict[str, Any]:
        f, n = self.origin
        return {"file": f, "line": n}


class RecordError(ValueError):
    """Why a JSON object is not a valid record; the message is the reason shown as `file:line: reason`."""


@dataclass(slots=True)
class Record:
    instruction: str
    input: str
    output: str
    metadata: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    provenance: Provenance | None = None

    @classmethod
    def from_dict(cls, obj: Any, provenance: Provenance | None = None) -> "Record":
        """Validate a parsed JSON value; raises `RecordError` with a short reason, never repairs."""
        if not isinstance(obj, dict):
            raise RecordError(f"expected a JSON object, got {_json_type(obj)}")
        values: dict[str, str] = {}
        for name in REQUIRED_FIELDS:
            if name not in obj:
                raise RecordError(f"missing field {name!r}")
            value = obj[name]
            if not isinstance(value, str):
                raise RecordError(f"field {name!r} must be a string, got {_json_type(value)}")
            values[name] = value
        metadata = obj.get("metadata")
        if metadata is None:
            metadata = {}
        elif not isinstance(metadata, dict):
            raise RecordError(f"field 'metadata' must be an object, got {_json_type(metadata)}")
        else:
            metadata = dict(metadata)
        extra = {k: v for k, v in obj.items() if k not in REQUIRED_FIELDS and k != "metadata"}
        if provenance is not None:
            src = metadata.get(SOURCE_KEY)
            if (
                isinstance(src, dict)
                and isinstance(src.get("file"), str)
                and isinstance(src.get("line"), int)
                and not isinstance(src.get("line"), bool)
                and provenance.origin_file is None
            ):
                provenance = Provenance(provenance.file, provenance.line, src["file"], src["line"])
        return cls(values["instruction"], values["input"], values["output"], metadata, extra, provenance)

    def to_dict(self, *, with_source: bool = True) -> dict[str, Any]:
        """The seed's JSON shape; with ``with_source`` the origin goes into ``metadata.source``."""
        out: dict[str, Any] = {"instruction": self.instruction, "input": self.input, "output": self.output}
        metadata = dict(self.metadata)
        if with_source and self.provenance is not None:
            metadata[SOURCE_KEY] = self.provenance.to_dict()
        elif not with_source:
            metadata.pop(SOURCE_KEY, None)
        if metadata:
            out["metadata"] = metadata
        out.update(self.extra)
        return out

    def where(self) -> str:
        return self.provenance.label() if self.provenance else "<memory>"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", list: "array", dict: "object", str: "string"}.get(
        type(value), type(value).__name__
    )
