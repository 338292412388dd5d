"""Visible dates: three month-name series, Arabic-Indic digits, Hijri, update stamps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from akhbar.extract.dates import is_update_stamp, parse_visible_date

CAIRO = ZoneInfo("Africa/Cairo")


@pytest.mark.parametrize("text, expected", [
    ("الإثنين، 24 أغسطس 2020 09:00 ص", datetime(2020, 8, 24, 9, 0)),
    ("الاثنين 24 اغسطس 2020 - 09:30 م", datetime(2020, 8, 24, 21, 30)),
    ("١٢ كانون الثاني ٢٠٢٠", datetime(2020, 1, 12)),
    ("3 تشرين الأول 2019", datetime(2019, 10, 3)),
    ("3 مارس/ آذار 2024", datetime(2024, 3, 3)),
    ("الجمعة 8 فيفري 2019", datetime(2019, 2, 8)),
    ("١٢/١١/٢٠٢٠", datetime(2020, 11, 12)),
    ("2020-11-12", datetime(2020, 11, 12)),
    ("11 شوال 1441 هـ", datetime(2020, 6, 3)),
    ("1 رمضان 1445هـ", datetime(2024, 3, 11)),
])
def test_parse_visible_date(text, expected):
    assert parse_visible_date(text, "Africa/Cairo") == expected.replace(tzinfo=CAIRO)


@pytest.mark.parametrize("text", ["لا تاريخ هنا", "32 يناير 2020", "رقم 12345"])
def test_no_date(text):
    assert parse_visible_date(text, "UTC") is None


def test_update_stamps():
    assert is_update_stamp("آخر تحديث: 13 يناير 2020")
    assert not is_update_stamp("نشر في 12 يناير 2020")
