"""Numbers, units, names and flags as people read them (tanlian/fmt.py): examples worked by hand."""

from __future__ import annotations

import pytest

from tanlian import fmt


@pytest.mark.parametrize(
    ("value", "sig", "shown"),
    [
        (1.963e7, 3, "19,630,000"),  # was 1.963e+07
        (19_634_512.4, 3, "19,634,512"),  # whole numbers from 1 000 up keep every digit
        (999.96, 3, "1,000"),  # 3 significant figures round up to 1 000
        (123.4, 3, "123"),
        (12.345, 3, "12.3"),
        (0.012345, 3, "0.0123"),
        (5.0, 3, "5"),  # trailing zeros dropped
        (1.2, 3, "1.2"),
        (138.4567, 4, "138.5"),
        (-0.0, 3, "0"),  # never -0
        (-0.0004, 3, "-0.0004"),
        (-1e-12, 3, "0"),  # below 9 decimals: rounds to 0, shown without sign
        (-2_500.4, 3, "-2,500"),
        (0, 3, "0"),
        (1234, 3, "1,234"),
        (1e300, 3, "1×10³⁰⁰"),  # beyond 1e15: a power of ten, never 300 digits
        (-2.5e18, 3, "-2.5×10¹⁸"),
        (None, 3, "–"),
        (float("nan"), 3, "–"),
    ],
)
def test_number(value, sig, shown):
    assert fmt.number(value, sig) == shown


@pytest.mark.parametrize(
    ("kg", "shown"),
    [(19_630_000.0, "19,630 tCO2e"), (1000.0, "1 tCO2e"), (950.4, "950 kgCO2e"), (-0.0, "0 kgCO2e"), (None, "–")],
)
def test_co2e_picks_tonnes_from_one_tonne(kg, shown):
    assert fmt.co2e(kg) == shown


def test_co2e_scale_of_a_table():
    assert fmt.co2e_scale([12.0, -999.0, None]) == (1.0, "kgCO2e")
    assert fmt.co2e_scale([12.0, -1000.0]) == (1000.0, "tCO2e")


@pytest.mark.parametrize(
    ("pint", "people"),
    [("m**3", "m³"), ("t*km", "t·km"), ("m**2", "m²"), ("kg**-1", "kg⁻¹"), ("kg / m ** 3", "kg / m³"), ("t", "t")],
)
def test_units_as_people_write_them(pint, people):
    assert fmt.unit(pint) == people


def test_quantity_with_unit():
    assert fmt.quantity(1.4712, "tCO2/tce") == "1.47 tCO2/tce"
    assert fmt.quantity(9.314, "%") == "9.31%"
    assert fmt.quantity(350_000, "m**3") == "350,000 m³"
    assert fmt.quantity(None, "%") == "–"


def test_names_are_cut_with_an_ellipsis_by_terminal_width():
    """CJK characters take two columns: 苏南精工 is 8 columns wide."""
    assert fmt.cut("E05 苏南精工紧固件 Sunan", 12) == "E05 苏南精…"  # 4 + 3×2 = 10 columns + … = 11 ≤ 12
    assert fmt.cell_width(fmt.cut("E05 苏南精工紧固件 Sunan", 12)) <= 12
    assert fmt.cut("short", 12) == "short"
    assert fmt.cut("exactly-12ch", 12) == "exactly-12ch"
    assert fmt.cut("thirteen-char", 12) == "thirteen-ch…"


def test_flags_percent_and_signed():
    assert (fmt.yes_no(True), fmt.yes_no(False), fmt.yes_no(None)) == ("yes", "no", "–")
    assert fmt.percent(0.1234) == "12.3%"
    assert fmt.percent(-0.00001) == "0%"
    assert fmt.percent(None) == "–"
    assert (fmt.signed(1234.4), fmt.signed(-12.34), fmt.signed(-0.0)) == ("+1,234", "-12.3", "0")
