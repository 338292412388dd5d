"""Extraction of whole pages: the seed-document article, boilerplate, metadata, rejects."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from akhbar.extract import Article, ExtractOptions, Reject, extract_article
from akhbar.flows.demo.run import DEMO_SEEDS_DIR
from akhbar.flows.demo.site import build_site, load_articles
from akhbar.seeds import load_seeds
from conftest import FIXTURES

BASE = "http://demo.akhbar.test"
SEED_BOILERPLATE = ("You might also like", "Leave A Reply",
                    "Your email address will not be published.", "واحد × أربعة =")
KUWAIT = ExtractOptions(timezone="Asia/Kuwait")


def demo_article(index: int):
    article = load_articles()[index]
    return article, build_site(BASE)[unquote(article.path)].body


def test_seed_document_article_is_the_sixteen_paragraphs_and_nothing_else():
    source, html = demo_article(0)
    result = extract_article(html, BASE + source.path, KUWAIT)
    assert isinstance(result, Article)
    paragraphs = result.text.split("\n")
    assert len(paragraphs) == 16
    assert paragraphs == source.paragraphs
    assert result.title == "داعش يوقظ “خلاياه النائمة” ويتحول إلى الهجوم في سورية"
    assert result.subtitle == "روسيا: بؤر مواجهة التنظيم تتواجد في مناطق سيطرة أميركا"
    for boilerplate in SEED_BOILERPLATE:
        assert boilerplate not in result.text
    assert "0" not in paragraphs  # the stray comment count


def test_demo_metadata():
    source, html = demo_article(3)
    result = extract_article(html, BASE + source.path, KUWAIT)
    assert result.authors == ["منى الشمري", "عبدالله الفيلكاوي"]
    assert result.published_at == datetime(2024, 3, 18, 11, 0, tzinfo=ZoneInfo("Asia/Kuwait"))
    assert result.modified_at == datetime(2024, 3, 18, 13, 20, tzinfo=ZoneInfo("Asia/Kuwait"))
    assert result.section == "ثقافة"
    assert result.tags == ["معرض الكتاب", "ثقافة", "نشر"]
    assert result.language == "ar"
    assert result.canonical_url == BASE + source.path
    assert result.word_count > 80


def test_organisation_is_not_an_author():
    source, html = demo_article(0)  # JSON-LD names the publisher, not a person
    assert extract_article(html, BASE + source.path, KUWAIT).authors == []


def test_boilerplate_in_plain_paragraphs_is_removed():
    html = (FIXTURES / "pages" / "plain-theme-comments.html").read_bytes()
    result = extract_article(html, "https://almasaa.example/economy/gold", ExtractOptions())
    assert isinstance(result, Article)
    lines = result.text.split("\n")
    assert len(lines) == 4
    assert lines[0].startswith("ارتفعت أسعار الذهب")
    assert lines[-1].startswith("ويرى محللون")
    for junk in ("You might also like", "Leave A Reply", "Your email", "واحد × أربعة", "3 + 4",
                 "أضف تعليق", "جميع الحقوق", "شارك", "البورصة تغلق"):
        assert junk not in result.text
    assert result.title == "ارتفاع أسعار الذهب في السوق المحلية"
    assert result.authors == ["رامي الحسن"]
    # A naive timestamp is read in the site's timezone.
    assert result.published_at == datetime(2023, 11, 2, 14, 20, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize("page, language", [("persian-on-arabic-site.html", "Persian"),
                                            ("urdu-on-arabic-site.html", "Urdu")])
def test_persian_and_urdu_pages_are_rejected_as_language(page, language):
    result = extract_article((FIXTURES / "pages" / page).read_bytes(), "https://x.example/a")
    assert isinstance(result, Reject)
    assert result.reason == "language"
    assert language in result.detail


def test_presentation_forms_are_unfolded():
    expected = json.loads((FIXTURES / "pages" / "presentation-forms.expected.json").read_text())
    html = (FIXTURES / "pages" / "presentation-forms.html").read_bytes()
    result = extract_article(html, "https://x.example/school", ExtractOptions(min_words=10))
    assert isinstance(result, Article)
    assert result.title == expected["title"]
    assert result.text.split("\n") == expected["paragraphs"]
    assert not any("\ufb50" <= ch <= "\ufeff" for ch in result.text)


def test_normalised_text_is_the_search_form():
    source, html = demo_article(1)
    result = extract_article(html, BASE + source.path, KUWAIT)
    assert "أ" not in result.text_normalized and "ة" not in result.text_normalized
    assert "اعلنت وزاره الكهرباء" in result.text_normalized


def test_empty_and_non_html_input_is_rejected():
    assert extract_article(b"", "https://x.example/").reason == "not_html"
    assert extract_article(b"<html><body><p>short</p></body></html>", "https://x.example/") \
        .reason in ("no_text", "language", "too_short")


ARABIC_PAGE = ("<html lang='ar'><body><article><p>"
               + "افتتح في العاصمة الأردنية معرض للفنون التشكيلية يضم أعمالا لفنانين من عدة دول "
                 "عربية ويستمر حتى نهاية الشهر. " * 5
               + "</p></article></body></html>").encode()


@pytest.mark.parametrize("body, detail", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "a PNG image"),
    (gzip.compress(ARABIC_PAGE), "gzip-compressed data"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
     + random.Random(2).randbytes(4000), "a PDF document"),
    (b"\x00\x00\x00\x20ftypavif" + random.Random(3).randbytes(4000), "an MP4, QuickTime or HEIF"),
    (random.Random(0).randbytes(20000), "binary data (NUL bytes and other control bytes)"),
    ((" ".join(["خبر"] * 300)).encode(), "no HTML markup"),
])
def test_binary_or_markup_free_input_is_not_html(body, detail):
    for declared in (None, "utf-8", "windows-1256"):  # a crawled page comes with its encoding
        result = extract_article(body, "https://x.example/a/1", declared_encoding=declared)
        assert isinstance(result, Reject) and result.reason == "not_html", result
        assert result.detail.startswith(detail)


def test_html_in_utf16_or_without_a_root_element_is_still_html():
    text = ARABIC_PAGE.decode()
    assert isinstance(extract_article(("\ufeff" + text).encode("utf-16-le"), "https://x.example/"),
                      Article)
    fragment = text.removeprefix("<html lang='ar'><body>").removesuffix("</body></html>")
    assert isinstance(extract_article(fragment.encode(), "https://x.example/"), Article)


def test_a_page_over_the_size_cap_is_rejected_unparsed():
    from akhbar.extract.model import MAX_PAGE_BYTES
    from akhbar.spiders.settings import crawl_settings

    page = ARABIC_PAGE.replace(b"</article>", b" " * (MAX_PAGE_BYTES - len(ARABIC_PAGE) + 1)
                               + b"</article>")
    assert len(page) == MAX_PAGE_BYTES + 1
    result = extract_article(page, "https://x.example/a/1")
    assert result == Reject("too_large", f"{MAX_PAGE_BYTES + 1} bytes, over the page limit of "
                                         f"{MAX_PAGE_BYTES}")
    assert extract_article(page.decode(), "https://x.example/a/1").reason == "too_large"
    # At the limit a page is read: a 10 MB PDF is rejected for what it is, not for its size.
    assert extract_article(b"%PDF-" + b" " * (MAX_PAGE_BYTES - 5), "https://x.example/").reason \
        == "not_html"
    # The crawler downloads no more than extraction accepts.
    seed = load_seeds(DEMO_SEEDS_DIR)[0]
    assert crawl_settings(seed)["DOWNLOAD_MAXSIZE"] == MAX_PAGE_BYTES


def test_a_few_nul_bytes_are_removed_not_a_reason_to_reject():
    page = ARABIC_PAGE.decode()
    spoiled = page.replace("</p>", "\x00</p>", 2).replace("<p>", "<p>\x00", 1).encode()
    result = extract_article(spoiled, "https://x.example/a/1")
    assert isinstance(result, Article), result
    assert "\x00" not in result.text
    assert result.text == extract_article(ARABIC_PAGE, "https://x.example/a/1").text


def test_a_utf8_page_with_a_few_broken_bytes_stays_utf8():
    from akhbar.extract.encoding import detect_encoding

    body = ARABIC_PAGE.replace(b"<p>", b"<p>\xd8", 1)
    assert detect_encoding(body) == "utf-8"
    assert detect_encoding(body, "text/html; charset=utf-8") == "utf-8"
    result = extract_article(body, "https://x.example/a/1")
    assert isinstance(result, Article) and result.language == "ar", result
    # A page in windows-1256 is still told apart: as UTF-8 it breaks on nearly every letter.
    legacy = ARABIC_PAGE.decode().encode("windows-1256")
    assert detect_encoding(legacy, "text/html; charset=utf-8") == "windows-1256"


def test_legacy_page_after_a_long_ascii_head_is_still_sniffed():
    # Scripts and styles fill the first kilobytes of many pages: the Arabic comes later, and
    # an undeclared windows-1256 page must still be read as one, not as UTF-8 or ASCII.
    from akhbar.extract.encoding import detect_encoding

    head = b"<html><head>" + b"<script>var slot = 'ad-top'; load(slot);</script>\n" * 200
    legacy = head + ARABIC_PAGE.decode().encode("windows-1256").split(b"<html>", 1)[-1]
    assert legacy[:8192].isascii()
    assert detect_encoding(legacy) == "windows-1256"


def test_generic_extraction_reads_only_what_holds_the_headline_and_the_article():
    # Classless markup, so nothing but structure says which text is the article: the
    # prose box beside it (the paper's history) is not under the element holding both the
    # headline and the longest text, and must not be read as article text.
    para = ("أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم المزارعين في المناطق الريفية خلال "
            "الموسم المقبل، وقالت إن الخطة تشمل قروضا ميسرة وبذورا محسنة وتدريبا على أساليب "
            "الري الحديثة")
    about = ("تأسست الصحيفة عام ألف وتسعمائة وخمسين في مدينة صغيرة على ساحل البحر، وكانت تصدر "
             "أسبوعيا في أربع صفحات قبل أن تتحول إلى يومية واسعة الانتشار")
    html = ('<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خطة لدعم المزارعين'
            "</title></head><body><div><div><h1>خطة لدعم المزارعين</h1>"
            + "".join(f"<p>{para}، الفقرة {i}.</p>" for i in range(5))
            + f"</div><div><p>{about}.</p><p>{about}، وما زالت.</p><p>{about}، حتى اليوم.</p>"
            "</div></div></body></html>")
    article = extract_article(html, "https://example.com/2026/11/29/a")
    assert isinstance(article, Article)
    assert article.text.count("الفقرة") == 5
    assert "تأسست الصحيفة" not in article.text
