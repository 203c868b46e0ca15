"""Loading the pass/fail cases kept as data in ``plugins/cases/*.toml`` (shared by the rule and quality tests).

A case names a base document from ``documents.toml`` (or gives ``text``) and may change it:

    [[case]]
    id = "pretension-asks-court"
    document = "pretension"                        # or: text = "…"
    replace = [["ТРЕБУЮ:", "ПРОШУ СУД:"]]          # each old string must occur
    drop_between = ["МОТИВИРОВОЧНАЯ ЧАСТЬ:", "РЕЗОЛЮТИВНАЯ ЧАСТЬ:"]   # keep both markers, drop what is between
    cut_at = "РЕЗОЛЮТИВНАЯ ЧАСТЬ:"                 # the text ends just before this marker
    prepend = "…"  /  append = "…"  /  repeat = 12
    mangle = "mac_roman" | "sloppy-windows-1251" | "cp1251-lossy"   # UTF-8 bytes decoded the wrong way
    instruction = "…"  /  input = "…"              # default: the base document's
    strict = true                                  # also run the family's strict rules
    normalise = true                               # run the built-in normalisers first
    thresholds = { LF201 = { min_citations = 2 } }
    expect = ["LF103"]                             # codes of the family's rules that must fire ([] = pass)
    reason = "pretension-asks-court"               # optional: the reason slug of the first finding
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

from legal_ft.resources import plugins_dir

CASES_DIR = plugins_dir() / "cases"


@dataclass
class Case:
    family: str
    id: str
    instruction: str
    input: str
    text: str
    expect: list[str]
    strict: bool = False
    normalise: bool = False
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str | None = None
    label: str | None = None  # "keep" / "reject" when the case also serves the quality test


def documents() -> dict[str, dict[str, str]]:
    with open(CASES_DIR / "documents.toml", "rb") as fh:
        return tomllib.load(fh)["documents"]


def _build(spec: dict[str, Any], docs: dict[str, dict[str, str]], where: str) -> tuple[str, str, str]:
    base = docs[spec["document"]] if "document" in spec else {}
    text = spec.get("text", base.get("text", ""))
    for old, new in spec.get("replace", []):
        assert old in text, f"{where}: replace target {old!r} not in the text"
        text = text.replace(old, new)
    if "drop_between" in spec:
        start, end = spec["drop_between"]
        i = text.index(start) + len(start)
        j = text.index(end, i)
        text = text[:i] + "\n" + text[j:]
    if "cut_at" in spec:
        assert spec["cut_at"] in text, f"{where}: cut_at marker not in the text"
        text = text[: text.index(spec["cut_at"])]
    if "repeat" in spec:
        text = "\n\n".join([text] * spec["repeat"])
    text = spec.get("prepend", "") + text + spec.get("append", "")
    mangle = spec.get("mangle")
    if mangle == "cp1251-lossy":
        text = text.encode("utf-8").decode("cp1251", errors="replace")
    elif mangle:
        import ftfy.bad_codecs  # noqa: F401

        text = text.encode("utf-8").decode(mangle)
    instruction = spec.get("instruction", base.get("instruction", "Составь документ."))
    return instruction, spec.get("input", base.get("input", "")), text


def load_cases(family: str | None = None) -> list[Case]:
    docs = documents()
    out = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        if path.stem == "documents" or (family and path.stem != family):
            continue
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for spec in data.get("case", []):
            where = f"{path.name}:{spec.get('id')}"
            instruction, input_, text = _build(spec, docs, where)
            out.append(Case(path.stem, spec["id"], instruction, input_, text, list(spec["expect"]),
                            spec.get("strict", False), spec.get("normalise", False), spec.get("thresholds", {}),
                            spec.get("reason"), spec.get("label")))
    return out
