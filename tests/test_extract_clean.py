"""Line cleaning and Arabic text helpers."""

from __future__ import annotations

import pytest
from akhbar.extract.arabic import clean_text, count_words, guess_language, normalize_for_search
from akhbar.extract.clean import clean_lines, is_boilerplate


@pytest.mark.parametrize("line", [
    "واحد × أربعة =", "3 + 4 =", "ثلاثة + اثنان = ", "nine - 2 =", "٣ × ٤ =",
    "Leave A Reply", "Your email address will not be published.", "أضف تعليق",
    "You might also like", "اقرأ أيضا:", "0", "12 تعليق", "شارك على: فيسبوك | تويتر",
    "جميع الحقوق محفوظة © 2024",
])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "شارك في المؤتمر وزراء خارجية الدول العربية.",
    "قتل 21 “داعشياً” منذ الجمعة.",
    "وارتفع عدد الضحايا إلى 3 + 4 قتلى بحسب مصادر طبية.",
    "Share prices rose in Kuwait on Sunday.",
])
def test_article_lines_are_kept(line):
    assert not is_boilerplate(line)


def test_tail_after_related_heading_is_cut_but_early_read_also_is_not():
    body = [f"فقرة رقم {n} من نص الخبر الطويل." for n in range(6)]
    assert clean_lines(body + ["You might also like", "عنوان خبر آخر"]) == body
    assert clean_lines([body[0], "اقرأ أيضا", *body[1:]]) == body


def test_clean_text_keeps_prefix_tatweel_and_drops_kashida():
    assert clean_text("كـــتب بـ“داعش” لـ2020") == "كتب بـ“داعش” لـ2020"
    assert clean_text("ﻻ\u200f  ﷲ") == "لا الله"


def test_search_form_and_word_count():
    assert normalize_for_search("إلى مدرسةٍ أُخرى") == "الي مدرسه اخري"
    assert count_words("قال: “تراجع مقاتلو التنظيم” 30 عنصراً.") == 6


def test_language_guess():
    assert guess_language("ذهب الطلاب إلى المدارس")[0] == "ar"
    assert guess_language("این یک خبر فارسی است که پیش از این گفته شد")[0] == "fa"
    assert guess_language("یہ ایک اردو خبر ہے جو کراچی سے ہے")[0] == "ur"


def test_inline_read_also_box_goes_with_its_headlines():
    body = [f"فقرة رقم {n} من نص الخبر الطويل." for n in range(4)]
    headline = "الحكومة تعلن موعد الانتخابات المقبلة"
    lines = [body[0], body[1], "اقرأ أيضا:", headline, body[2], body[3]]
    assert clean_lines(lines) == body
