"""A site's own title/date/author selectors (seed `[extraction]`), on pure HTML."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

from akhbar.extract import extract_article
from akhbar.extract.model import ExtractOptions
from akhbar.extract.selectors import date_in_format

AMMAN = ZoneInfo("Asia/Amman")
BODY = "".join(f"<p>{'وقال المسؤول إن العمل في المشروع سيبدأ خلال الأسابيع المقبلة ' * 3}"
               f"رقم {n}.</p>" for n in range(5))
PAGE = f"""<html dir="rtl"><head><title>جريدة الأمس</title></head><body><table><tr>
<td class="sidebar"><a href="/news/1.html">الأكثر قراءة</a>
<span class="newsdate">01/01/2018</span></td>
<td class="main"><div class="newstitle">افتتاح الجسر الجديد في المدينة</div>
<div>تاريخ النشر: <span class="newsdate">٠٥/٠٣/٢٠١٩</span> - <time class="stamp"
 datetime="2019-03-05T10:30:00+02:00">صباحا</time></div>
<div class="info"><span class="nm">سامر الحسن</span> <span class="nm">رنا القاسم</span>
| 1200 مشاهدة</div>
{BODY}</td></tr></table></body></html>"""
SITE = ExtractOptions(timezone="Asia/Amman", title_selector="div.newstitle",
                      date_selector="td.main span.newsdate", date_format="%d/%m/%Y",
                      author_selector="span.nm")


def test_dates_are_found_in_their_format_inside_a_longer_line():
    assert date_in_format("تاريخ النشر: ٠٥/٠٣/٢٠١٩ - 10:30", "%d/%m/%Y", "Asia/Amman") == \
        datetime(2019, 3, 5, tzinfo=AMMAN)
    assert date_in_format("نشر في 5 March 2019", "%d %B %Y", "UTC").day == 5
    assert date_in_format("لا تاريخ هنا", "%d/%m/%Y", "UTC") is None


def test_site_selectors_give_title_date_and_authors():
    generic = extract_article(PAGE, "http://old.akhbar.test/news/2.html",
                              ExtractOptions(timezone="Asia/Amman"))
    site = extract_article(PAGE, "http://old.akhbar.test/news/2.html", SITE)
    assert generic.title != "افتتاح الجسر الجديد في المدينة"  # the markup defeats the rules
    assert generic.authors == [] and generic.published_at != site.published_at
    assert site.title == "افتتاح الجسر الجديد في المدينة"
    assert site.published_at == datetime(2019, 3, 5, tzinfo=AMMAN)
    assert site.authors == ["سامر الحسن", "رنا القاسم"]
    assert site.title not in site.text.split("\n")  # the headline is not read as text


def test_a_machine_readable_attribute_comes_first_and_a_selector_finding_nothing_is_harmless():
    stamp = dataclasses.replace(SITE, date_selector="time.stamp", date_format=None)
    assert extract_article(PAGE, "http://x.test/a", stamp).published_at == datetime(
        2019, 3, 5, 10, 30, tzinfo=AMMAN)
    nothing = dataclasses.replace(SITE, title_selector="h1.nowhere", date_selector="b.none",
                                  author_selector="i.none")
    generic = extract_article(PAGE, "http://x.test/a", ExtractOptions(timezone="Asia/Amman"))
    found = extract_article(PAGE, "http://x.test/a", nothing)
    assert (found.title, found.published_at, found.authors) == (
        generic.title, generic.published_at, generic.authors)
