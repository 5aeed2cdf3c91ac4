"""crm_workshop.exports.formula_safe: no exported cell can run as a formula."""

import datetime as dt

import pytest

from crm_workshop.exports import formula_safe


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+34 600", "-2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x","y")'],
)
def test_formula_safe_prefixes_formula_triggers_with_a_quote(value):
    assert formula_safe(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "Ana Pérez",
        "",
        "a=b",
        "ana@gob.mx",
        " =x",
        "'=already",
        12,
        -3,
        1.5,
        None,
        dt.date(2022, 6, 14),
    ],
)
def test_formula_safe_leaves_safe_values_untouched(value):
    assert formula_safe(value) == value
