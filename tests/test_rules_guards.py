"""The cheap pre-checks that let rules and normalisers skip a full regex scan never change a result.

Each guard, anchor list or counting shortcut is compared with the pattern it stands in front of, over the rule cases,
a sample corpus and hand-made edge cases (case folding of «İ», hyphenated words, characters beyond the BMP).
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_cases import load_cases

from legal_ft.cleaning.plugins import load_plugins
from legal_ft.legal import artefacts, sections
from legal_ft.records import Record, RecordError
from legal_ft.sample import generate_records

REGISTRY = load_plugins(entry_points=False)


def plugin_module(code_or_name: str):
    cls = REGISTRY.rules.get(code_or_name) or REGISTRY.normalisers[code_or_name]
    return sys.modules[cls.__module__]


EDGE = [
    "", "Как ИИ, я не могу", "как  искусственный\n\tинтеллект", "вы\u2028вправе", "I cannot help", "As an AI model",
    "İ can't help", "I'M SORRY, but",
    "Я — языковая модель", "Вот ваш ДОКУМЕНТ:", "\nКонечно! Вот", "Хороший вопрос", "Извините, но я не могу помочь",
    "В этой статье рассмотрим", "Здравствуйте! В вашей ситуации вы вправе", "Верховный суд разъяснил",
    "-суд иск-ответчик --ст ст. ГК РФ дело дела делу Дело-суд заём ЗАЁМ", "𝐀𝐁 Ιστός ΑΣ суд", "\ud800 суд",
    "[ФИО истца] <адрес> {{сумма}} XXX хх ххх Xх № XX «___» ______ 20__ ____ руб. ИНН ________ (указать сумму)",
    "**жирный** __тоже__ # Заголовок\n```\ncode\n```\n| a | b |\n|---|---|\n[ссылка](https://x.ru) `код`\n- - -\n* пункт",
    "> цитата\n  \t\nстрока  \n\n\n\n\nконец \t", "\ufeffИСТЕЦ:\u00a0Иванов  \r\n\r\n\r\n\r\n\r\nОТВЕТЧИК",
    'ООО "Ромашка" - ответчик; ст. ст. 309—310; „цитата“ -- тире',
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    out = list(EDGE)
    out += [c.text for c in load_cases()]
    for obj in generate_records(400, seed=11):
        try:
            r = Record.from_dict(obj)
        except RecordError:
            continue
        out += [r.output, r.input, r.instruction]
    return out


def test_guards_are_never_narrower_than_their_patterns(texts):
    off_topic = plugin_module("LF301")
    pairs = [(artefacts.CHATTER_ANYWHERE_GUARD, artefacts.CHATTER_ANYWHERE_RE),
             (artefacts.REFUSAL_GUARD, artefacts.REFUSAL_RE),
             (off_topic._ARTICLE_GUARD, off_topic._ARTICLE_RE)]
    fired = 0
    for text in texts:
        folded = artefacts.fold(text)
        for guard, pattern in pairs:
            if pattern.search(text):
                fired += 1
                assert guard.possible(folded), (pattern.pattern[:40], text[:200])
    assert fired > 20  # the corpus does exercise the patterns


def test_anchor_lists_cover_every_match(texts):
    for kinds, anchors in ((artefacts.MARKDOWN_KINDS, artefacts.MARKDOWN_ANCHORS),
                           (artefacts.PLACEHOLDER_KINDS, artefacts.PLACEHOLDER_ANCHORS)):
        assert len(kinds) == len(anchors)
        for text in texts:
            for (kind, pattern), need in zip(kinds, anchors, strict=True):
                if pattern.search(text):
                    assert any(a in text for a in need), (kind, text[:200])


def test_triggers_cover_every_match(texts):
    off_topic = plugin_module("LF301")
    for text in [*texts, "---", "* * *", "-\t- -", "ИНН: ____", "Паспорт серии ___", "Тел.___", "«__» ____ 2024",
                 "2024__ г.", "5 _____ 2024", "x = 1", "def f():", "print(x);", "if (a) {"]:
        for (kind, pattern), trigger, on_folded in zip(artefacts.PLACEHOLDER_KINDS, artefacts.PLACEHOLDER_TRIGGERS,
                                                       artefacts.PLACEHOLDER_FOLDED, strict=True):
            if trigger is not None and pattern.search(text):
                assert trigger.search(text.casefold() if on_folded else text), (kind, text[:200])
        if artefacts.MD_RULE_RE.search(text):
            assert artefacts.MD_RULE_TRIGGER.search(text), text[:200]
        for pattern, guard in zip(off_topic._CODE_RES, off_topic._CODE_GUARDS, strict=True):
            if pattern.search(text):
                assert guard.search(text), (pattern.pattern[:40], text[:200])


def test_legal_word_count_matches_the_vocabulary_regex(texts):
    off_topic = plugin_module("LF301")
    for text in texts:
        lower = text.lower()
        assert off_topic.legal_words(lower) == (len(off_topic._WORD_RE.findall(lower)),
                                                len(off_topic._LEGAL_RE.findall(lower))), text[:200]


def test_script_counts_match_the_regex(texts):
    language = plugin_module("LF501")
    for text in texts:
        assert language._count_cyrillic(text) == len(language._NOT_CYRILLIC_RE.sub("", text))
        assert language._count_latin(text) == len(language._NOT_LATIN_RE.sub("", text))
        assert sections.letters(text) == sum(map(len, sections._LETTER_RE.findall(text)))


def _echo_records(texts):
    """Records whose output copies none, some or all of the input (repeated, shuffled, cut), and the plain ones."""
    out = []
    for k, text in enumerate(texts[:300]):
        words = text.split()
        half = " ".join(words[: len(words) // 2])
        out += [Record("Составь иск.", text, text), Record("Составь иск.", text, half + " " + half),
                Record("Составь иск.", half, text), Record("Составь иск.", text, " ".join(reversed(words))),
                Record(text, "", text[: max(1, len(text) // 3)]), Record("", texts[k - 1], text),
                Record("Составь иск.", text, " ".join(words[:5]))]
    return out


def test_echo_bound_never_below_the_containment_and_decides_the_same(texts):
    from legal_ft.cleaning.api import Document

    echo = plugin_module("LF604")
    rule = REGISTRY.rules["LF604"]()
    fired = skipped = 0
    for record in _echo_records(texts):
        doc = Document(record)
        sources = rule._sources(doc)
        if not sources:
            assert rule.check(doc) == [] and rule.measure(doc)["containment"] == 0.0
            continue
        exact = rule._containment(doc, sources)
        bound = rule._bound(doc, sources)
        assert bound >= exact - 1e-12, (record.input[:80], record.output[:80], bound, exact)
        assert bool(rule.check(doc)) == (exact > rule.t.max_containment)
        fired += exact > rule.t.max_containment
        skipped += bound <= rule.t.max_containment
    assert fired > 100 and skipped > 100  # both paths taken
    assert echo.shingles(["a", "b"], 4) == {("a", "b")} and echo.shingles([], 4) == set()
    assert echo.shingles(list("abcde"), 4) == {tuple("abcd"), tuple("bcde")}


def _reference_normalisers(n):
    """The normaliser text functions as they were before the pre-checks (every substitution always run)."""

    def whitespace(text):
        if "\n" not in text and text.count("\\n") >= n._MIN_LITERAL_BREAKS:
            for escaped, char in n._LITERAL_ESCAPES:
                text = text.replace(escaped, char)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = n._ZERO_WIDTH_RE.sub("", text)
        text = n._SPACE_RE.sub(" ", text)
        text = n._TRAILING_RE.sub("", text)
        text = n._BLANK_RUN_RE.sub("\n\n\n", text)
        return text.strip()

    def markdown(text):
        if not n._MARKDOWN_CHAR_RE.search(text):
            return text
        for line_re in n._WHOLE_LINES:
            text = line_re.sub("", text)
        text = n.MD_TABLE_ROW_RE.sub(n._table_row, text)
        text = n.MD_HEADING_RE.sub(lambda m: m.group("text"), text)
        text = n.MD_QUOTE_RE.sub("", text)
        text = n.MD_LINK_RE.sub(lambda m: f"{m.group('text')} ({m.group('url')})", text)
        prev = None
        while prev != text:
            prev = text
            text = n.MD_BOLD_RE.sub(lambda m: m.group(2), text)
        text = n.MD_ITALIC_RE.sub(lambda m: m.group(1), text)
        text = n.MD_CODE_RE.sub(lambda m: m.group("text"), text)
        text = n.MD_BULLET_RE.sub(lambda m: f"{m.group('indent')}- ", text)
        return n._BLANK_RUN_RE.sub("\n\n\n", n._TRAILING_RE.sub("", text)).strip()

    def quotes(text):
        text = n._CURLY_PAIRS_RE.sub(lambda m: f"«{m.group(1)}»", text)
        text = n._STRAIGHT_PAIRS_RE.sub(lambda m: f"«{m.group(1)}»", text)
        text = n._SPACED_NUMBER_DASH_RE.sub(n._range_dash, text)
        text = n._SPACED_DASH_RE.sub(" — ", text)
        text = n._DOUBLE_HYPHEN_RE.sub("—", text)
        return n._NUMBER_RANGE_RE.sub("–", text)

    return [(n._whitespace, whitespace), (n.strip_markdown, markdown), (n.quotes_dashes, quotes)]


def test_normaliser_pre_checks_change_nothing(texts):
    n = plugin_module("strip-markdown")
    for fast, reference in _reference_normalisers(n):
        for text in texts:
            assert fast(text) == reference(text), (fast.__name__, text[:200])


def test_dedup_key_and_shingles_from_the_folded_output(texts):
    from legal_ft.cleaning.dedup import exact_key, shingles

    for text in [*texts[:300], "a\x1cb  C\u2028d", "ſ ǅ İ"]:
        if "\ud800" in text:
            continue  # a lone surrogate is not UTF-8 (and never comes out of a JSON line)
        folded = artefacts.fold(text)
        assert exact_key(text, folded) == exact_key(text)
        assert shingles(text, 5, folded) == shingles(text, 5)


def test_chatter_edges_match_the_line_regex(texts):
    chatter = plugin_module("LF601")

    def reference(text):
        lines = [(m.start(), m.end()) for m in chatter._NONEMPTY_LINE_RE.finditer(text)]
        if not lines:
            return 0, len(text)
        n = len(lines)
        return lines[min(chatter.EDGE_LINES, n) - 1][1], lines[max(n - chatter.EDGE_LINES, 0)][0]

    odd = ["", "\n", "\n\n  \n", "a", "a\n", "\na", "a\nb", "a\n\nb\n\nc\n\nd\n", " \u00a0x\n\x1cy\n\u3000z\n\tw\n",
           "\r\nx\r\n\r\ny\r\n", "  \n x \n\n"]
    for text in [*odd, *texts]:
        assert chatter._edges(text) == reference(text), repr(text[:80])


def test_hashed_repeated_passages_match_the_word_tuple_definition(texts):
    """LF608's numpy pass (64-bit n-gram hashes, sorted) gives exactly what comparing word tuples gives — on the
    corpus, on random loops over tiny vocabularies (many repeats, every n), and when every hash collides."""
    import random

    from legal_ft.cleaning.dedup import words_of

    repetition = plugin_module("LF608")
    for text in texts:
        words = words_of(text)
        assert repetition.repeated_passages(words) == repetition._repeated_passages_exact(words, 10)
    rng = random.Random(7)
    looped = 0
    for _ in range(2000):
        vocab = [f"w{k}" for k in range(rng.randint(1, 6))]
        words = [rng.choice(vocab) for _ in range(rng.randint(0, 60))]
        if rng.random() < 0.5:
            span = words[:rng.randint(1, 12)]
            words = words + span * rng.randint(2, 6) + words
        n = rng.randint(1, 12)
        got = repetition.repeated_passages(words, n)
        assert got == repetition._repeated_passages_exact(words, n), (words, n)
        looped += got.copies >= 3
    assert looped > 200  # the random cases do exercise the loop detection


def test_repeated_passages_fall_back_on_a_hash_collision(monkeypatch):
    repetition = plugin_module("LF608")
    words = ("взыскать с ответчика в пользу истца сумму долга по договору займа " * 3 + "прошу суд").split()
    expected = repetition._repeated_passages_exact(words, 10)
    assert expected.copies == 3
    monkeypatch.setattr(repetition, "hash", lambda word: 0, raising=False)  # every word, hence every n-gram, collides
    assert repetition.repeated_passages(words) == expected


def test_repeated_lines_strip_list_marks_as_the_regex_does(texts):
    """LF608 only runs the list-mark regex on a line that starts with a digit or a dash; the counts are those of
    running it on every line."""
    repetition = plugin_module("LF608")

    def reference(text: str, min_chars: int):
        from collections import Counter

        counts = Counter(b for line in text.splitlines()
                         if len(b := repetition._LIST_MARK_RE.sub("", line).strip().casefold()) >= min_chars)
        if not counts:
            return 0, 0, 0, ""
        line, most = counts.most_common(1)[0]
        return sum(counts.values()), sum(counts.values()) - len(counts), most, line

    extra = [("  1) Взыскать с ответчика неустойку за нарушение сроков\n\t— Взыскать с ответчика неустойку за "
              "нарушение сроков\n١٢. Взыскать с ответчика неустойку за нарушение сроков\n•ßßßßßßßßßßßßßßßßßßßß\x1c")]
    for text in texts + extra:
        for min_chars in (5, 40):
            assert repetition.repeated_lines(text, min_chars) == reference(text, min_chars)


REVERSIBLE = [
    r"\d[ \t]+___", r"(?:инн|тел|дело\s+№|№\s*дела)\S*[ \t]*[:№]?[ \t]*___", r"a(?:bc|d(?:ef)+)?[\]x]z",
    r"[^]a]b*|c?[a\]b]+", r"(?:a|)(?:b(?:c|a)*)+c",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(REVERSIBLE), st.text(alphabet="abcdefxz]_ \t\n:№5интелодсжа\\", max_size=40))
def test_a_reversed_pattern_matches_the_reversed_text_exactly_when_the_pattern_matches(pattern, text):
    backward = re.compile(artefacts.reverse_pattern(pattern))
    assert (re.search(pattern, text) is None) == (backward.search(text[::-1]) is None)


@pytest.mark.parametrize("pattern", [r"^a", r"a$", r"a(?=b)", r"(a)\1", r"a*?", r"a{2}", r"(a)", r"[ab", r"a)", r"\Aa", r"a\Z", r"\1"])
def test_patterns_that_cannot_be_reversed_are_refused(pattern):
    with pytest.raises(ValueError):
        artefacts.reverse_pattern(pattern)


def test_range_dashes_equal_the_pattern_they_replace():
    """quotes-dashes finds spaced dashes between digits by hand (fast); the one-pattern definition decides."""
    import random

    n = plugin_module("quotes-dashes")
    rng = random.Random(7)
    pieces = ["1", "2", "309", " ", "\xa0", "\t", "-", "--", "–", "—", "ст. ", "п.", "ч. ", ".", "2024", "12.03.", "а"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert n._range_dashes(text) == n._SPACED_NUMBER_DASH_RE.sub(n._range_dash, text), repr(text)
