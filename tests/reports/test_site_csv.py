"""CSV cells that a spreadsheet would run as a formula are neutralised, whatever hides the sign."""

import pytest

from readiness.reports.site_csv import safe_cell


@pytest.mark.parametrize("value, neutralised", [
    ("=HYPERLINK(\"http://x\")", True), ("+1", True), ("-1", True), ("@SUM(A1)", True),
    ("\t=1", True), ("\r=1", True),
    (" =1+1", True), ("\u3000=1", True),        # a space, an ideographic space
    ("\u200b=1", True), ("\ufeff@x", True),     # zero-width space, BOM
    ("\u2060+1", True),                         # word joiner
    ("＝1+1", True), ("＋1", True), ("－1", True), ("＠x", True),  # full-width forms an IME types
    (" \u200b ＝cmd|' /C calc'!A0", True),
    ("PC-01", False), ("海淀=1", False), ("1101", False), ("", False), ("   ", False),
    ("a-b", False), ("C:\\reports\\PC01.json", False),
])
def test_formula_starts_are_neutralised(value, neutralised):
    assert safe_cell(value) == ("'" + value if neutralised else value)
