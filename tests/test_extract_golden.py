"""Golden extractions of the fixture pages (tests/fixtures/golden), and what they must show."""

from __future__ import annotations

import json

import pytest
from golden import expected_path, extract_golden, golden_pages


@pytest.mark.parametrize("name", list(golden_pages()))
def test_golden_extraction(name):
    expected = json.loads(expected_path(name).read_text(encoding="utf-8"))
    assert extract_golden(name) == expected


def test_levantine_page():
    data = extract_golden("levantine-daily")
    assert data["published_at"] == "2020-01-12T10:45:00+02:00"  # ١٢ كانون الثاني ٢٠٢٠ - ١٠:٤٥
    assert data["modified_at"] == "2020-01-13T00:00:00+02:00"   # آخر تحديث: ...
    assert data["authors"] == ["ريما الحاج"]                      # بقلم: ...
    for junk in ("بقلم", "اقرأ أيضاً", "ارتفاع أسعار المحروقات", "صدر الصورة",
                 "التعليق على الصورة", "Leave a Reply", "Your email", "3 + 4", "Post Comment",
                 "جميع الحقوق", "صحيفة المدينة"):
        assert junk not in data["text"]
    assert len(data["text"].split("\n")) == 4


def test_egyptian_page():
    data = extract_golden("egyptian-daily")
    assert data["authors"] == ["أحمد عبد الرحمن"]                 # كتب ...
    assert data["published_at"] == "2020-08-24T09:00:00+02:00"   # 24 أغسطس 2020 09:00 ص
    for junk in ("شارك", "أضف تعليق", "واحد × أربعة", "كتب"):
        assert junk not in data["text"]


def test_hijri_date_and_agency():
    data = extract_golden("saudi-hijri")
    assert data["published_at"].startswith("2020-06-03")  # 11 شوال 1441 هـ
    assert data["agency"] == "واس" and data["authors"] == []
    assert "1441" not in data["text"]


def test_agency_is_not_an_author():
    data = extract_golden("wire-gulf")
    assert data["agency"] == "أ ف ب" and data["authors"] == []


def test_presentation_forms_and_plain_theme():
    assert "\ufefb" not in extract_golden("presentation-forms")["text"]
    assert "Leave A Reply" not in extract_golden("plain-theme-comments")["text"]


@pytest.mark.parametrize("name", [n for n, page in golden_pages().items()
                                  if page.get("must_not_contain")])
def test_golden_page_shows_no_boilerplate(name):
    text = extract_golden(name)["text"]
    leaked = [s for s in golden_pages()[name]["must_not_contain"] if s in text]
    assert leaked == []
