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
    # reading times, screen-reader labels, pointers, tag lists, photo credits (issue 9)
    "2min", "3 min read", "قراءة 3 دقائق", "دقيقتان للقراءة", "Navigation path", "Side Bar",
    "لمزيد من المعلومات اضغط هنا", "For more information click here", "الوسوم: غزة، مصر",
    "Tags: Gaza", "تصوير: أحمد علي", "السابق", "المقال التالي",
])
def test_boilerplate_lines(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "شارك في المؤتمر وزراء خارجية الدول العربية.",
    "قتل 21 “داعشياً” منذ الجمعة.",
    "وارتفع عدد الضحايا إلى 3 + 4 قتلى بحسب مصادر طبية.",
    "Share prices rose in Kuwait on Sunday.",
    "قراءة في كتاب جديد عن تاريخ المدينة وأهلها صدر هذا الأسبوع عن دار النشر.",
    "للمزيد من التفاصيل حول الخطة، قال الوزير إن الحكومة ستعقد مؤتمرا صحافيا الأسبوع المقبل "
    "لشرح بنودها كاملة أمام الصحافيين والمواطنين.",
])
def test_article_lines_are_kept(line):
    assert not is_boilerplate(line)


def test_next_previous_label_takes_its_headline_along():
    body = [f"فقرة رقم {n} من نص الخبر الطويل." for n in range(3)]
    assert clean_lines(body + ["السابق", "وزير المالية يعلن موازنة العام المقبل", "التالي",
                               "افتتاح معرض الكتاب في الرياض"]) == body


WORD_COUNT_SAMPLES = [
    "قالَ الـوزيرُ: «نعم» للاتفاق، والـ2020 عامٌ صعب.", "1⃣ 😀👍🏽 a_b x.y 12,5% #وسم @user",
    "ﷺ ٣٫٥ … (أ ف ب) —-- word's “quoted” [1] {x} <y> 3+4=7 e-mail", "",
]


@pytest.mark.parametrize("text", WORD_COUNT_SAMPLES)
def test_word_count_is_camel_tools_count(text):
    from akhbar.extract.arabic import WORD
    from camel_tools.tokenizers.word import simple_word_tokenize

    expected = sum(1 for token in simple_word_tokenize(text) if WORD.search(token))
    assert count_words(text) == expected


def test_search_form_uses_camel_tools_arclean_exactly():
    from akhbar.extract.arabic import ARCLEAN, arclean

    every_character = "".join(chr(c) for c in range(0x0, 0xD800)) + "".join(
        chr(c) for c in range(0xE000, 0x110000, 3))
    assert arclean(every_character) == ARCLEAN(every_character)


def test_search_form_of_a_long_text_is_the_search_form_of_the_whole():
    from akhbar.extract.arabic import SEARCH_SLICE, _search_form

    text = "إلى مدرسةٍ أُخرى، قالَ الـوزيرُ: «نعم» آمنة ى " * (3 * SEARCH_SLICE // 40)
    assert len(text) > 2 * SEARCH_SLICE
    assert normalize_for_search(text) == _search_form(text)


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


def test_letter_counts_are_exact_across_slices():
    from akhbar.extract.arabic import ARABIC_LETTER, LATIN_LETTER, SEARCH_SLICE, count_matches

    # Runs of letters cut by the slice boundary count each letter once.
    text = ("نص عربي abc " * (SEARCH_SLICE // 6))[:SEARCH_SLICE - 2] + "مدرسة" * 3 + " xyz"
    assert count_matches(ARABIC_LETTER, text) == sum(
        1 for c in text if "\u0600" <= c <= "\u06ff" and c.isalpha())
    assert count_matches(LATIN_LETTER, text) == sum(1 for c in text if c.isascii() and c.isalpha())
    assert guess_language("abc أبجد") == ("ar", 4 / 7)


def test_language_guess():
    assert guess_language("ذهب الطلاب إلى المدارس")[0] == "ar"
    assert guess_language("این یک خبر فارسی است که پیش از این گفته شد")[0] == "fa"
    assert guess_language("یہ ایک اردو خبر ہے جو کراچی سے ہے")[0] == "ur"


def test_inline_read_also_box_goes_with_its_headlines():
    body = [f"فقرة رقم {n} من نص الخبر الطويل." for n in range(4)]
    headline = "الحكومة تعلن موعد الانتخابات المقبلة"
    lines = [body[0], body[1], "اقرأ أيضا:", headline, body[2], body[3]]
    assert clean_lines(lines) == body
