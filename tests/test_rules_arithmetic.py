"""LF701's reading of written-out calculations, against Python's own arithmetic on the same numbers."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from legal_ft.cleaning.plugins import load_plugins

REGISTRY = load_plugins(entry_points=False)
arithmetic = sys.modules[REGISTRY.rules["LF701"].__module__]


def russian(value: float, decimals: int) -> str:
    """«1 234 567,89» as documents write amounts."""
    whole, _, frac = f"{value:.{decimals}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{grouped},{frac}" if decimals else grouped


numbers = st.tuples(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=0, max_value=2))
operators = st.sampled_from([" × ", " x ", " * ", " / ", " + ", " - ", " : ", "/"])


_PYTHON_OP = {" × ": "*", " x ": "*", " * ": "*", " / ": "/", "/": "/", " + ": "+", " - ": "-", " : ": "/"}


@settings(max_examples=300, deadline=None)
@given(first=numbers, rest=st.lists(st.tuples(operators, numbers), min_size=1, max_size=4),
       percent=st.booleans(), unit=st.sampled_from(["", " руб.", " дн.", " рублей"]))
def test_evaluate_agrees_with_python(first, rest, percent, unit):
    """× and / before + and −; «%» divides its own number by 100; units and thousands spaces are only layout."""
    terms = [(None, first), *rest]
    written, python = "", ""
    for i, (op, (digits, decimals)) in enumerate(terms):
        value = digits / 10 ** decimals
        last = i == len(terms) - 1
        written += (op or "") + russian(value, decimals) + (" %" if percent and last else "") + (unit if i == 0 else "")
        python += (_PYTHON_OP[op] if op else "") + (f"({value!r}/100)" if percent and last else repr(value))
    expected = eval(python)  # noqa: S307 - numbers and operators only, built above
    got = arithmetic.evaluate(written)
    assert got is not None
    assert abs(got - expected) <= 1e-6 * max(1.0, abs(expected)), (written, python)


@settings(max_examples=200, deadline=None)
@given(a=numbers, b=numbers, off=st.integers(min_value=-3, max_value=3))
def test_a_written_result_is_judged_by_its_distance_from_the_value(a, b, off):
    x, y = a[0] / 10 ** a[1], b[0] / 10 ** b[1]
    total = x + y
    written = f"Итого: {russian(x, a[1])} руб. + {russian(y, b[1])} руб. = {russian(total * (1 + off / 100), 2)} руб."
    found = arithmetic.miscalculations(written, 0.005, 1.0)
    if abs(total * off / 100) > max(1.0, 0.005 * abs(total * (1 + off / 100))) + 0.01:
        assert found, written
    elif off == 0:
        assert not found, written
