"""The header rules (extract/header.py, extract/metadata.py): headline, byline, dates, deck,
each on a small page where only that rule gives the right answer."""

from __future__ import annotations

from akhbar.extract import Article, ExtractOptions, extract_article

AMMAN = ExtractOptions(timezone="Asia/Amman")
PARAGRAPHS = "".join(
    f"<p>وقال المسؤول في المؤتمر الصحافي إن المشروع رقم {n} سيخدم آلاف المواطنين في المدينة "
    f"والقرى المحيطة بها خلال السنوات المقبلة.</p>" for n in range(1, 5))
MANY_PARAGRAPHS = "".join(f"<p>فقرة قصيرة رقم {n} من نص الخبر الطويل هنا.</p>"
                          for n in range(70))


def page(body: str, head: str = "", url: str = "https://alwadi.example/news/1") -> Article:
    html = (f'<html lang="ar" dir="rtl"><head><meta charset="utf-8">{head}</head>'
            f"<body>{body}</body></html>")
    result = extract_article(html.encode(), url, AMMAN)
    assert isinstance(result, Article), result
    return result


def test_a_blog_name_in_the_h1_is_known_by_the_feed_title():
    result = page('<header><h1 class="title"><a href="/">أخبار الوادي</a></h1></header>'
                  '<div class="post"><h3 class="post-title">افتتاح جسر جديد فوق نهر المدينة'
                  f'</h3><div class="post-body">{PARAGRAPHS}</div></div>',
                  '<title>افتتاح جسر جديد فوق نهر المدينة</title><link rel="alternate" '
                  'type="application/rss+xml" title="أخبار الوادي » الخلاصة" href="/feed">')
    assert result.title == "افتتاح جسر جديد فوق نهر المدينة"


def test_a_plain_byline_under_the_headline_beats_meta_and_sidebar_names():
    result = page('<article><h1>افتتاح جسر جديد فوق نهر المدينة</h1><div><span>كتب: سامر '
                  f'الخطيب</span></div>{PARAGRAPHS}</article><aside><div class="columnists">'
                  '<span class="author-name">ليلى حسن</span></div></aside>',
                  '<meta name="author" content="خالد منصور">')
    assert result.authors == ["سامر الخطيب"]


def test_next_and_previous_links_inside_the_body_go():
    result = page('<h1>افتتاح جسر جديد فوق نهر المدينة</h1><div itemprop="articleBody">'
                  f'{PARAGRAPHS}<div class="pn"><span>السابق</span> <a href="/n/0">وزير المالية'
                  ' يعلن موازنة العام</a></div><div class="pn"><span>التالي</span> <a href="/n/2">'
                  'افتتاح معرض الكتاب في عمان</a></div></div>')
    assert "وزير المالية" not in result.text and "معرض الكتاب" not in result.text


def test_a_date_class_is_matched_in_any_case():
    result = page(f'<article><h1>افتتاح جسر جديد فوق نهر المدينة</h1>{MANY_PARAGRAPHS}'
                  '<div class="PostDate">12/03/2024 10:15</div></article>')
    assert result.published_at.isoformat() == "2024-03-12T10:15:00+03:00"


def test_the_mastheads_date_of_today_is_not_the_articles():
    result = page('<div class="top-bar"><span class="date-today">الأحد 5 مايو 2024</span>'
                  '</div><article><h1>افتتاح جسر جديد فوق نهر المدينة</h1>'
                  f'{MANY_PARAGRAPHS}<span class="post-date">12 مارس 2024</span></article>')
    assert result.published_at.date().isoformat() == "2024-03-12"


def test_the_site_name_before_the_separator_leaves_the_title():
    result = page(f'<div class="news-head">أمطار غزيرة في الكويت</div>{PARAGRAPHS}',
                  '<meta property="og:site_name" content="صحيفة الرأي العام الكويتية اليومية">'
                  '<title>صحيفة الرأي العام الكويتية اليومية - أمطار غزيرة في الكويت</title>')
    assert result.title == "أمطار غزيرة في الكويت"


def test_times_keep_their_offset_when_the_site_zone_is_unknown():
    html = ('<html><head><meta property="article:published_time" '
            'content="2024-03-12T22:30:00+00:00"></head><body><h1>افتتاح جسر جديد فوق نهر '
            f'المدينة</h1>{PARAGRAPHS}</body></html>').encode()
    unknown = extract_article(html, "https://alwadi.example/news/1")
    known = extract_article(html, "https://alwadi.example/news/1", AMMAN)
    assert unknown.published_at.isoformat() == "2024-03-12T22:30:00+00:00"
    assert known.published_at.isoformat() == "2024-03-13T01:30:00+03:00"


def test_a_section_name_in_the_h1_is_not_the_headline():
    result = page('<nav class="breadcrumb"><a href="/">الرئيسية</a> <a href="/eco">اقتصاد</a>'
                  '</nav><h1 class="section-title">اقتصاد</h1><h2 class="post-title">ارتفاع '
                  f'أسعار الذهب في الأسواق المحلية</h2>{PARAGRAPHS}',
                  '<meta property="og:title" content="ارتفاع أسعار الذهب في الأسواق المحلية">')
    assert result.title == "ارتفاع أسعار الذهب في الأسواق المحلية"
    assert "اقتصاد" not in result.text.split("\n")


def test_a_long_comment_with_line_breaks_is_not_taken_for_the_body():
    comment = "<br>".join(["تعليق طويل من أحد القراء على الخبر يشرح فيه رأيه بالتفصيل " * 3] * 3)
    result = page(f'<h1>افتتاح جسر جديد فوق نهر المدينة</h1><div class="story">{PARAGRAPHS}'
                  f'{PARAGRAPHS}</div><div class="reader-note">{comment}</div>')
    assert result.text.startswith("وقال المسؤول") and "تعليق طويل" not in result.text
