"""`generate_records`: a deterministic stream of seed-format records, good ones and labelled defective ones.

Every record carries ``metadata["sample"] = {"doc_type", "defect", "expect"}`` so that a cleaner can be scored
against it. ``expect`` is ``keep`` for good documents and for the defects a cleaner should repair
(`chatter-wrapped`, `markdown`, `mojibake-cp1251`, `mojibake-macroman`), ``reject`` for the rest.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import ftfy
import ftfy.bad_codecs  # noqa: F401 - registers the "sloppy-windows-1251" codec

from legal_ft.sample import texts
from legal_ft.sample.disputes import Dispute, draw_dispute
from legal_ft.sample.documents import Parts, Rendered, render
from legal_ft.sample.vocab import tidy

# Relative weights of the defect categories (the vocabulary is fixed in docs/COMMON: names are API).
DEFECT_WEIGHTS: dict[str, float] = {
    "off-topic": 1.0,
    "legal-article": 1.0,
    "missing-reasoning": 1.2,
    "missing-demand": 1.2,
    "no-citation": 1.2,
    "invented-citation": 1.2,
    "chatter-wrapped": 1.4,
    "chatter": 1.0,
    "refusal": 0.8,
    "markdown": 1.4,
    "truncated": 1.2,
    "placeholder": 1.0,
    "english": 0.5,
    "ukrainian": 0.5,
    "mojibake-cp1251": 0.8,
    "mojibake-macroman": 0.8,
    "mojibake-broken": 0.5,
    "duplicate": 1.6,
    "near-duplicate": 1.2,
    "echo": 0.6,
    "empty-output": 0.5,
    "too-short": 0.7,
    "too-long": 0.3,
}
DEFECTS = tuple(DEFECT_WEIGHTS)
KEEP_DEFECTS = frozenset({"chatter-wrapped", "markdown", "mojibake-cp1251", "mojibake-macroman"})
DEFAULT_DEFECT_RATE = 0.35
# Defects whose output is not a document of any type.
_UNTYPED = frozenset({"off-topic", "legal-article", "refusal", "english", "ukrainian", "echo", "empty-output"})

PROVIDERS = (("openai", 0.35), ("anthropic", 0.2), ("gigachat", 0.2), ("yandexgpt", 0.15), ("deepseek", 0.1))
MODES = (("polish", 0.5), ("hybrid", 0.35), ("generate", 0.15))

# Articles outside each act's range, and dotted numbers that do not exist (docs/legal_reference.md).
_INVENTED = {
    "ГК": ("1700", "1650", "1899", "2012", "395.1", "309.5", "15.3", "1064.2"),
    "ГПК": ("447", "512", "601", "131.1", "98.2"),
    "АПК": ("333", "410", "125.2", "110.1"),
    "ТК": ("425", "480", "140.2", "236.1"),
    "СК": ("171", "205", "80.1"),
}
_CITE_RE = re.compile(r"ст\. (\d+(?:\.\d+)?) (ГК|ГПК|АПК|ТК|СК) РФ")


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


class _Generator:
    def __init__(self, n: int, seed: int, defect_rate: float, weights: Mapping[str, float], start: datetime,
                 span_days: float) -> None:
        if not 0.0 <= defect_rate <= 1.0:
            raise ValueError("defect_rate must be within 0..1")
        unknown = set(weights) - set(DEFECT_WEIGHTS)
        if unknown:
            raise ValueError(f"unknown defect names: {sorted(unknown)}")
        self.n = n
        self.rng = random.Random(seed)
        self.defect_rate = defect_rate
        self.names = [k for k, w in weights.items() if w > 0]
        self.weights = [weights[k] for k in self.names]
        self.start = start
        self.step = span_days * 86400 / max(n, 1)
        self.history: list[dict[str, Any]] = []  # recent good records: sources of (near-)duplicates

    def records(self) -> Iterator[dict[str, Any]]:
        for i in range(self.n):
            yield self.record(i)

    def record(self, i: int) -> dict[str, Any]:
        rng = self.rng
        defect = None
        if self.names and rng.random() < self.defect_rate:
            defect = rng.choices(self.names, self.weights)[0]
        if defect in ("duplicate", "near-duplicate") and not self.history:
            defect = None
        stamp = (self.start + timedelta(seconds=i * self.step + rng.uniform(0, self.step * 0.9))).isoformat(
            timespec="microseconds")
        meta = {"provider": _weighted(rng, PROVIDERS), "mode": _weighted(rng, MODES), "timestamp": stamp,
                "version": "1.0"}
        if defect in ("duplicate", "near-duplicate"):
            return self._copy(defect, meta)
        dispute = draw_dispute(rng)
        doc_type = rng.choice(dispute.doc_types)
        parts = Parts(reasoning=defect != "missing-reasoning", demand=defect != "missing-demand",
                      citations=defect != "no-citation")
        if defect == "too-long":
            doc_type = rng.choice([t for t in dispute.doc_types if t != "motion"] or ["claim"])
        doc = render(rng, dispute, doc_type, parts)
        output, defect = self._apply(defect, dispute, doc)
        output = tidy(output)
        record = {
            "instruction": doc.instruction,
            "input": dispute.plain_facts,
            "output": output,
            "metadata": {"local_response": doc.draft, **meta},
        }
        expect = "keep" if defect is None or defect in KEEP_DEFECTS else "reject"
        label_type = None if defect in _UNTYPED else doc_type
        record["metadata"]["sample"] = {"doc_type": label_type, "defect": defect, "expect": expect}
        if defect is None:
            self._remember(record)
        return record

    def _remember(self, record: dict[str, Any]) -> None:
        if len(self.history) < 256:
            self.history.append(record)
        else:
            self.history[self.rng.randrange(256)] = record

    def _copy(self, defect: str, meta: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        original = rng.choice(self.history)
        output = original["output"]
        if defect == "duplicate":
            if rng.random() < 0.3:  # the same text saved again with different whitespace
                output = output.replace("\n\n", "\n \n", 1).replace(". ", ".  ", 2) + rng.choice(("\n", " ", "\r\n"))
        else:
            output = near_duplicate(rng, output)
        sample = dict(original["metadata"]["sample"], defect=defect, expect="reject")
        return {
            "instruction": original["instruction"],
            "input": original["input"],
            "output": output,
            "metadata": {"local_response": original["metadata"]["local_response"], **meta, "sample": sample},
        }

    def _apply(self, defect: str | None, d: Dispute, doc: Rendered) -> tuple[str, str | None]:
        rng = self.rng
        text = doc.text
        if defect is None:
            return text, None
        if defect == "no-citation":
            return text, defect
        if defect in ("missing-reasoning", "missing-demand"):
            return text, defect
        if defect == "invented-citation":
            return invent_citation(rng, text), defect
        if defect == "off-topic":
            return texts.off_topic(rng), defect
        if defect == "legal-article":
            return texts.legal_article(rng), defect
        if defect == "chatter-wrapped":
            return texts.chatter_wrap(rng, text), defect
        if defect == "chatter":
            return texts.chatter_inside(rng, text, doc.doc_type), defect
        if defect == "refusal":
            return texts.refusal(rng), defect
        if defect == "markdown":
            return to_markdown(rng, text), defect
        if defect == "truncated":
            return truncate(rng, text), defect
        if defect == "placeholder":
            return add_placeholders(rng, text, d), defect
        if defect == "english":
            return texts.english(rng, d), defect
        if defect == "ukrainian":
            return texts.ukrainian(rng, d), defect
        if defect in ("mojibake-cp1251", "mojibake-macroman", "mojibake-broken"):
            return mojibake(rng, text, defect)
        if defect == "echo":
            return (d.plain_facts if rng.random() < 0.7 else f"{doc.instruction}\n{d.plain_facts}"), defect
        if defect == "empty-output":
            return rng.choice(("", " ", "\n", "  \n\t")), defect
        if defect == "too-short":
            return texts.too_short(rng, d), defect
        if defect == "too-long":
            return too_long(rng, text), defect
        raise AssertionError(f"unhandled defect {defect}")


def invent_citation(rng: random.Random, text: str) -> str:
    """Replace one real citation with an article that does not exist (beyond the range, or unknown dotted)."""
    matches = list(_CITE_RE.finditer(text))
    if matches:
        m = rng.choice(matches)
        fake = rng.choice(_INVENTED[m.group(2)])
        return f"{text[: m.start(1)]}{fake}{text[m.end(1):]}"
    fake = rng.choice(_INVENTED["ГК"])
    sentence = (f"Кроме того, в силу ст. {fake} ГК РФ ответчик обязан возместить истцу все понесённые им расходы "
                "в полном объёме.")
    paras = text.split("\n\n")
    paras.insert(max(1, len(paras) // 2), sentence)
    return "\n\n".join(paras)


_HEADINGS_MD = re.compile(
    r"^(ИСКОВОЕ ЗАЯВЛЕНИЕ|ПРЕТЕНЗИЯ|ДОСУДЕБНАЯ ПРЕТЕНЗИЯ|АПЕЛЛЯЦИОННАЯ ЖАЛОБА|ОТЗЫВ НА ИСКОВОЕ ЗАЯВЛЕНИЕ|ОТЗЫВ|"
    r"ВОЗРАЖЕНИЯ НА ИСКОВОЕ ЗАЯВЛЕНИЕ|ХОДАТАЙСТВО|ЗАЯВЛЕНИЕ)$",
    re.M,
)
_SECTIONS_MD = re.compile(r"^(МОТИВИРОВОЧНАЯ ЧАСТЬ:|РЕЗОЛЮТИВНАЯ ЧАСТЬ:|Обстоятельства дела|Правовое обоснование|"
                          r"Приложения:|Хронология взаимоотношений сторон:)$", re.M)
_LABELS_MD = re.compile(r"^(Истец|Ответчик|Взыскатель|Должник|Заявитель \(ответчик\)|Цена иска|Кому|От кого):", re.M)


def to_markdown(rng: random.Random, text: str) -> str:
    """What chat models do to a document: # titles, ## headings, **bold** labels, '* ' bullets."""
    out = _HEADINGS_MD.sub(lambda m: f"# {m.group(1)}", text)
    out = _SECTIONS_MD.sub(lambda m: f"## {m.group(1)}" if rng.random() < 0.8 else f"**{m.group(1)}**", out)
    out = _LABELS_MD.sub(lambda m: f"**{m.group(1)}:**", out)
    if rng.random() < 0.5:
        out = re.sub(r"^- ", "* ", out, flags=re.M)
    if rng.random() < 0.3:
        out = out.replace("\n\nПриложения", "\n\n---\n\nПриложения", 1)
        out = out.replace("\n\n## Приложения", "\n\n---\n\n## Приложения", 1)
    if out == text:  # nothing matched: at least the title line
        first, _, rest = text.partition("\n")
        out = f"**{first}**\n{rest}"
    return out


def truncate(rng: random.Random, text: str) -> str:
    """Cut the document off mid-sentence, as a generation that hit its token limit."""
    cut = int(len(text) * rng.uniform(0.35, 0.85))
    while cut > 1 and not (text[cut - 1].isalpha() and text[cut].isalpha()):
        cut -= 1
    return text[:cut]


_PLACEHOLDERS = ("[ФИО истца]", "[ФИО ответчика]", "<адрес>", "«___» ______ 20__ г.", "____ руб.", "XXX",
                 "[наименование суда]", "[дата]")


def add_placeholders(rng: random.Random, text: str, d: Dispute) -> str:
    out = text
    choices = rng.sample(range(5), rng.randint(1, 3))
    for c in choices:
        if c == 0:
            out = out.replace(d.plaintiff.name, "[ФИО истца]" if not d.plaintiff.is_org else "[наименование истца]", 1)
        elif c == 1:
            out = re.sub(r"адрес[уа]?: [^\n,]+, [^\n,]+, д\. \d+", "адрес: <адрес>", out, count=1)
        elif c == 2:
            out = re.sub(r"(\d{2}\.\d{2}\.\d{4}|«\d{2}» \w+ \d{4} г\.)(\t+|\nПодпись)", r"«___» ______ 20__ г.\2", out,
                         count=1)
        elif c == 3:
            out = re.sub(r"\d{1,3}(?: \d{3})+ руб\.", "____ руб.", out, count=1)
        else:
            out = re.sub(r"№ [\wА-Я\-/]+", "№ XXX", out, count=1)
    if out == text:
        out = text.replace("\n\n", "\n\n[ФИО представителя]\n\n", 1)
    return out


def too_long(rng: random.Random, text: str) -> str:
    """A generation that looped: the middle paragraphs repeated until far past any sane length."""
    paras = text.split("\n\n")
    middle = paras[3:-2] or paras
    out = list(paras[:-2])
    while sum(len(p) for p in out) < 42_000:
        out.extend(middle)
    return "\n\n".join(out + paras[-2:])


def near_duplicate(rng: random.Random, text: str) -> str:
    """Small edits a regenerated answer has: a changed number or date, a swapped connective, one phrase more."""
    out = text
    edits = rng.sample(range(4), rng.randint(1, 2))
    for e in edits:
        if e == 0:
            out = re.sub(r"\d{2}\.\d{2}\.(\d{4})",
                         lambda m: f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{m.group(1)}", out, count=1)
        elif e == 1:
            out = out.replace("Согласно", "В соответствии с", 1) if "Согласно" in out else out.replace(
                "В соответствии с", "Согласно", 1)
        elif e == 2:
            out = re.sub(r"(\d+) руб\.", lambda m: f"{int(m.group(1)) + rng.randint(1, 9)} руб.", out, count=1)
        else:
            out = out.replace("\n\nПриложения", "\n\nНастоящий документ составлен с учётом фактических "
                              "обстоятельств дела.\n\nПриложения", 1)
    if out == text:
        out = text + "\n"
        out = out.replace("\n\n", "\n\nДополнительно сообщаю следующее.\n\n", 1)
    return out


def mojibake(rng: random.Random, text: str, defect: str) -> tuple[str, str]:
    """Garble the text as a wrong decode does; label by whether the repair is certain.

    `ftfy.fix_encoding` must restore the original exactly for the ``-cp1251`` / ``-macroman`` labels (keep); the
    ``-broken`` kind lost bytes in a strict cp1251 round trip (U+FFFD in place of «И»), so nothing can restore
    it (reject). A garbling ftfy would not restore exactly is made the broken kind instead.
    """
    raw = text.encode("utf-8")
    if defect != "mojibake-broken":
        garbled = raw.decode("sloppy-windows-1251" if defect == "mojibake-cp1251" else "mac_roman")
        if ftfy.fix_encoding(garbled) == text:
            return garbled, defect
        # ftfy does not restore this one exactly: rather than a doubtful label, make it the broken kind.
    # Strict cp1251 has no 0x98 (the second byte of «И»): a real round trip loses it, leaving U+FFFD.
    garbled = raw.decode("cp1251", errors="replace")
    if "\ufffd" not in garbled:
        cut = rng.randrange(1, max(2, len(garbled) - 1))
        garbled = garbled[:cut] + "\ufffd" + garbled[cut + 1 :]
    return garbled, "mojibake-broken"


def generate_records(
    n: int,
    seed: int = 0,
    *,
    defect_rate: float = DEFAULT_DEFECT_RATE,
    defect_weights: Mapping[str, float] | None = None,
    start: datetime | None = None,
    span_days: float | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` seed-format records, deterministic for ``seed``.

    ``defect_rate`` is the share of defective records (0 gives only good ones); ``defect_weights`` overrides the
    relative weights of the categories (`DEFECT_WEIGHTS`; 0 disables one). Timestamps run from ``start``
    (default 2025-08-01 09:00) over ``span_days`` days (default: 1 day per 40 records, at most 6), which is how
    `write_sample` splits records into daily ``dataset_YYYYMMDD.jsonl`` files.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    weights = dict(DEFECT_WEIGHTS)
    if defect_weights:
        for name in defect_weights:
            if name not in DEFECT_WEIGHTS:
                raise ValueError(f"unknown defect name {name!r}; known: {', '.join(DEFECTS)}")
        weights.update(defect_weights)
    start, span_days = _time_range(n, start, span_days)
    gen = _Generator(n, seed, defect_rate, weights, start, span_days)
    return gen.records()


def _time_range(n: int, start: datetime | None, span_days: float | None) -> tuple[datetime, float]:
    return start or datetime(2025, 8, 1, 9, 0), float(min(6, max(1, n // 40 + 1))) if span_days is None else span_days


def sample_days(n: int, start: datetime | None = None, span_days: float | None = None) -> list[date]:
    """The calendar days the timestamps of `generate_records(n, …)` can fall on, in order."""
    start, span_days = _time_range(n, start, span_days)
    last = (start + timedelta(days=span_days)).date()
    days, day = [], start.date()
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days
