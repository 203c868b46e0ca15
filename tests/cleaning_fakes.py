"""Small stand-in plugins and helpers for the cleaning engine tests (independent of the built-in rules)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

FAKE_PLUGIN = '''
from dataclasses import dataclass, replace

import regex

from legal_ft.cleaning.api import Normaliser, Rule, hookimpl

_SPACES = regex.compile(r"[ \\t]+")


class Short(Rule):
    """The output is too short to be a document.

    Bad: ``ok``.  Good: a few sentences.
    """

    code = "TS101"
    name = "short"
    groups = ("default", "length")

    @dataclass
    class Thresholds:
        min_chars: int = 20

    def measure(self, doc):
        return {"chars": len(doc.output)}

    def check(self, doc):
        if len(doc.output) < self.t.min_chars:
            return [self.finding("too-short", f"{len(doc.output)} characters", "output")]
        return []


class BadWord(Rule):
    """The output contains a banned word.

    Bad: ``это плохо``.  Good: ``это хорошо``.
    """

    code = "TS102"
    name = "bad-word"
    groups = ("default", "words")

    @dataclass
    class Thresholds:
        words: tuple[str, ...] = ("плохо",)
        ratio: float = 0.5
        enabled_flag: bool = True

    def check(self, doc):
        low = doc.output.lower()
        return [self.finding("bad-word", f"contains {w!r}") for w in self.t.words if w in low]


class NeedsDemand(Rule):
    """A strict rule: the output must contain «прошу».

    Bad: ``текст``.  Good: ``прошу суд``.
    """

    code = "TS201"
    name = "needs-demand"
    groups = ("strict", "structure")

    @dataclass
    class Thresholds:
        pass

    def check(self, doc):
        return [] if "прошу" in doc.output.lower() else [self.finding("missing-demand", "no «прошу»")]


class Strip(Normaliser):
    """Strip whitespace around the output."""

    name = "strip"
    order = 10

    def apply(self, record):
        s = record.output.strip()
        return None if s == record.output else replace(record, output=s)


class CollapseSpaces(Normaliser):
    """Collapse runs of spaces."""

    name = "collapse-spaces"
    order = 20

    def apply(self, record):
        s = _SPACES.sub(" ", record.output)
        return None if s == record.output else replace(record, output=s)


@hookimpl
def legalft_rules():
    return [Short, BadWord, NeedsDemand]


@hookimpl
def legalft_normalisers():
    return [Strip, CollapseSpaces]
'''

RAISING_PLUGIN = '''
from dataclasses import dataclass

from legal_ft.cleaning.api import Rule, hookimpl


class Explodes(Rule):
    """Raises on outputs containing «бум».

    Bad: ``бум``.  Good: anything else.
    """

    code = "TS301"
    name = "explodes"
    groups = ("default",)

    @dataclass
    class Thresholds:
        pass

    def check(self, doc):
        if "бум" in doc.output:
            raise RuntimeError("kaboom")
        if "мусор" in doc.output:
            return ["not a finding"]
        return []


@hookimpl
def legalft_rules():
    return [Explodes]
'''

WORDS = ("истец", "ответчик", "суд", "прошу", "взыскать", "договор", "статья", "закон", "долг", "неустойка",
         "требование", "претензия", "решение", "основание", "расчёт", "срок", "оплата", "поставка")


def make_plugin_dir(root: Path, text: str = FAKE_PLUGIN, name: str = "fake_rules.py") -> Path:
    d = root / "plugs"
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def make_rule_set(root: Path, body: str = 'select = ["default"]', plugin_dirs: tuple[str, ...] = ("plugs",),
                  name: str = "set.toml") -> Path:
    dirs = ", ".join(json.dumps(d) for d in plugin_dirs)
    path = root / name
    path.write_text(f"plugin_dirs = [{dirs}]\n{textwrap.dedent(body)}\n", encoding="utf-8")
    return path


def document_text(i: int, n_words: int = 80) -> str:
    """A distinct, deterministic pseudo-document of Russian words (no two share many shingles)."""
    import random

    rng = random.Random(i)
    return "Прошу суд: " + " ".join(rng.choice(WORDS) + str(rng.randrange(100)) for _ in range(n_words))


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    # split on "\n" only: str.splitlines() would also split inside records at U+0085, U+2028 …
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").split("\n") if line.strip()]


def record(output: str, i: int = 0, instruction: str = "Составь исковое заявление.") -> dict:
    return {"instruction": instruction, "input": f"Факты дела {i}", "output": output}
