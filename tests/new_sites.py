"""Three loopback news sites for `akhbar sites add` / `sites check`, scoped crawls and archive
backfills, each built the way a kind of real Arabic news site is built.

- press.akhbar.test: a WordPress newspaper (Yoast sitemap index of post, page and category
  sitemaps; a post feed and a comments feed announced in <head>; percent-encoded Arabic slugs
  under /YYYY/MM/DD/; theme chrome around every article: share bar, "قد يعجبك أيضا", a comment
  form with a captcha). Eight articles, four of `today` and four of the day before.
- world.akhbar.test: an international broadcaster whose Arabic service lives under /arabic/ and
  whose Persian service under /persian/ shares the host and the URL shape
  (/<service>/articles/c<10 chars>). The Arabic sitemap lists one article by a short link that
  answers 301 to the article, and one Arabic-looking URL that answers 301 into the Persian
  service. Six Arabic articles; four Persian ones.
- old.akhbar.test: a legacy table-layout paper in windows-1256 with no feed and no sitemap, a
  generic <title> on every article, the headline, date (DD/MM/YYYY) and writer in table cells
  with classes, an archive index of day pages for March 2019, and a "الأكثر قراءة" sidebar that
  links articles of other days (and one of November 2018 that no day page of March lists).

Every article is a story of its own (a subject, a place and people of its own; sentences picked
per article; a closing sentence with its own names and numbers), so no two texts are near
duplicates.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from html import escape
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from akhbar.flows.demo.site import ARABIC_MONTHS, CAPTCHA, Response
from network import PERSIAN, RIYADH, _index, _urlset

PRESS = "http://press.akhbar.test"
WORLD = "http://world.akhbar.test"
OLD = "http://old.akhbar.test"
AMMAN = ZoneInfo("Asia/Amman")
OLD_ENCODING = "windows-1256"


@dataclass
class ArticleFacts:
    """What a correct extraction of one article page finds."""

    title: str
    published: datetime  # aware
    authors: list[str]
    first_paragraph: str
    final_url: str  # the URL the page is served at (the listed URL unless it redirects)
    language: str = "ar"
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Site:
    """One loopback site: its pages by unquoted path (with `?query` when there is one) and the
    articles a crawl of it should find, keyed by the URL its sitemaps/feeds/listings give."""

    host: str
    base: str
    pages: dict[str, Response]
    articles: dict[str, ArticleFacts]
    others: dict[str, ArticleFacts] = field(default_factory=dict)  # neighbours, out of scope
    old_days: dict[str, date] = field(default_factory=dict)  # article URL -> its day page's day


# --- Texts ------------------------------------------------------------------------------------

# (subject, a sentence about it, the body in charge)
SUBJECTS = (
    ("مشروع تحلية مياه البحر",
     "وتبلغ الطاقة الإنتاجية المتوقعة لمحطة التحلية مئات آلاف الأمتار المكعبة يوميا",
     "وزارة المياه والري"),
    ("معرض الكتاب الدولي",
     "ويشارك في المعرض هذا العام ناشرون من أكثر من عشرين بلدا عربيا وأجنبيا",
     "وزارة الثقافة"),
    ("برنامج دعم صغار المزارعين",
     "ويشمل البرنامج قروضا ميسرة وبذورا محسنة وتدريبا على أساليب الري الحديثة",
     "وزارة الزراعة"),
    ("مفاوضات اتفاقية التجارة الحرة",
     "وتتناول جولة المفاوضات الحالية الرسوم الجمركية وقواعد المنشأ وتسهيل عبور الشاحنات",
     "وزارة التجارة والصناعة"),
    ("حملة التطعيم الموسمية",
     "وتستهدف الحملة الأطفال دون الخامسة وكبار السن في المراكز الصحية والمدارس",
     "وزارة الصحة"),
    ("مهرجان التراث الشعبي",
     "ويتضمن المهرجان عروضا للفرق الشعبية وأسواقا للحرف اليدوية وأمسيات شعرية",
     "هيئة السياحة والتراث"),
    ("برنامج الإسكان الميسر",
     "وتتيح المرحلة الأولى من البرنامج آلاف الشقق لذوي الدخل المحدود بأقساط طويلة الأجل",
     "المؤسسة العامة للإسكان"),
    ("مشروع إصلاح نظام التقاعد",
     "ويقترح المشروع رفع سن التقاعد تدريجيا وربط المعاشات بمعدلات التضخم السنوية",
     "مؤسسة الضمان الاجتماعي"),
    ("مشروع القطار السريع",
     "ويربط القطار السريع المدينة بالعاصمة في أقل من ساعتين بدلا من خمس ساعات بالحافلة",
     "هيئة النقل البري"),
    ("بطولة الشباب لكرة اليد",
     "وتشارك في البطولة ستة عشر منتخبا تتنافس على اللقب في صالتين مغلقتين",
     "اللجنة الأولمبية"),
    ("مبادرة الطاقة الشمسية للمنازل",
     "وتقدم المبادرة ألواحا شمسية بالتقسيط مع ضمان صيانة لمدة عشر سنوات",
     "وزارة الطاقة"),
    ("قانون حماية المستهلك الجديد",
     "ويفرض القانون غرامات مشددة على الغش التجاري ورفع الأسعار دون مبرر",
     "اللجنة الاقتصادية النيابية"),
    ("مشروع ميناء الصيد الجديد",
     "ويضم الميناء أرصفة حديثة ومخازن مبردة وسوقا مركزية لبيع الأسماك",
     "سلطة الموانئ"),
    ("مؤتمر الأمن الغذائي الإقليمي",
     "ويناقش المؤتمر سبل تقليل الاعتماد على الاستيراد وتخزين الحبوب الاستراتيجية",
     "منظمة الأغذية والزراعة"),
    ("خطة ترميم المدينة القديمة",
     "وتشمل الخطة إعادة تأهيل الأسواق التاريخية والبيوت الحجرية والممرات الضيقة",
     "دائرة الآثار العامة"),
    ("انتخابات المجالس البلدية",
     "ويتنافس في الانتخابات مئات المرشحين على مقاعد المجالس في الأحياء المختلفة",
     "الهيئة المستقلة للانتخاب"),
    ("مشروع توسعة المطار",
     "وترفع التوسعة الطاقة الاستيعابية للمطار إلى ملايين المسافرين سنويا",
     "هيئة الطيران المدني"),
    ("برنامج المنح الجامعية",
     "ويغطي البرنامج الرسوم الدراسية ونفقات السكن لطلاب الأسر ذات الدخل المحدود",
     "وزارة التعليم العالي"),
    ("خطة مكافحة التصحر",
     "وتقوم الخطة على زراعة أحزمة خضراء من الأشجار المقاومة للجفاف حول القرى",
     "وزارة البيئة"),
    ("تعديلات قانون الاستثمار",
     "وتمنح التعديلات المستثمرين إعفاءات ضريبية مؤقتة وتختصر إجراءات التسجيل",
     "هيئة الاستثمار"),
    ("مشروع شبكة الألياف الضوئية",
     "وتعد الشبكة الجديدة بسرعات إنترنت أعلى بعشرة أضعاف للمنازل والشركات",
     "هيئة تنظيم الاتصالات"),
    ("مستشفى الأطفال الجديد",
     "ويضم المستشفى أقساما للعناية المركزة وجراحة القلب ومركزا لعلاج الأورام",
     "مديرية الشؤون الصحية"),
    ("موسم السياحة الشتوية",
     "وتتوقع الفنادق نسب إشغال مرتفعة مع عودة الرحلات المباشرة من عدة عواصم",
     "وزارة السياحة"),
    ("اتفاقية الربط الكهربائي",
     "وتسمح الاتفاقية بتبادل الطاقة في أوقات الذروة وتقليل انقطاع التيار صيفا",
     "شركة الكهرباء الوطنية"),
    ("صندوق دعم المشاريع الصغيرة",
     "ويقدم الصندوق تمويلا بلا فوائد لأصحاب الأفكار الريادية من الشباب",
     "مؤسسة تنمية المشاريع"),
)
PLACES = ("عمان", "إربد", "الزرقاء", "العقبة", "جدة", "الدمام", "تبوك", "أبها", "حائل",
          "الطائف", "نابلس", "الخليل", "صيدا", "طرابلس", "صفاقس", "سوسة", "وهران", "قسنطينة",
          "فاس", "مراكش", "الإسكندرية", "أسوان", "البصرة", "أربيل", "صلالة")
MEN = ("سامي الخطيب", "خالد الزعبي", "يوسف النجار", "عمر البدوي", "طارق المصري",
       "فيصل العتيبي", "بلال الشامي", "حسن العلي", "ماجد السالم", "وليد عيسى", "زياد الحمد",
       "أنس البيطار", "كريم التميمي", "نبيل الحايك", "رامي القضاة", "مازن الطويل",
       "هشام بن علي", "عادل الفاسي", "مراد بلقاسم", "أيمن شكري", "جمال الحلبي",
       "صالح المهيري", "ناصر الكندي", "إبراهيم داود", "مهند الجبوري")
WOMEN = ("ليلى العمري", "منى الحسيني", "هدى الشريف", "رنا القاسم", "سلمى الأحمد",
         "نادية حداد", "ريم الدوسري", "دينا منصور", "إيمان الرفاعي", "لينا الكردي",
         "سهى العطار", "جمانة خليل", "غادة السعدي", "سارة المومني", "نور بن سالم", "أمل الزين",
         "فاطمة الغامدي", "رزان عبيدات", "هالة فهمي", "وفاء الكعبي", "عبير النعيمي",
         "ياسمين الشهري", "بشرى التازي", "مريم الفارس", "دعاء حمدان")
LEAD = ("أعلنت {org} في {place} اليوم إطلاق المرحلة الأولى من {subject} بكلفة تقدر بنحو {m} "
        "مليون دولار")
TEMPLATES = (
    "وقال {person} المسؤول عن متابعة {subject} إن الدراسات الفنية استغرقت {months} أشهر من "
    "العمل المتواصل",
    "وأضاف أن نحو {n} عامل وفني سيشاركون في التنفيذ وأن سكان {place} سيلمسون النتائج قريبا",
    "ويأتي الإعلان عن {subject} في وقت تشهد فيه {place} نموا سكانيا سريعا وضغطا على المرافق "
    "العامة",
    "وانتقد أعضاء في المجلس البلدي تأجيل {subject} أكثر من مرة منذ عام {year} دون توضيحات "
    "كافية",
    "وطالب {person} الجهات الممولة بالالتزام بالجدول الزمني المعلن وعدم تحميل المواطنين أعباء "
    "إضافية",
    "وبحسب بيان صادر عن {org} فإن التمويل سيأتي من موازنة العام الحالي ومن منح خارجية",
    "وأكد خبراء اقتصاديون أن نجاح {subject} يتوقف على الشفافية في الإنفاق ووجود رقابة مستقلة",
    "وشهدت {place} خلال الأسابيع الماضية نقاشات واسعة حول أولويات الإنفاق على الخدمات الأساسية",
    "ومن المقرر أن تعقد {org} مؤتمرا صحافيا الأسبوع المقبل لعرض التفاصيل الكاملة للخطة",
    "وأشار تقرير رسمي إلى أن {pct} في المئة من الأسر في {place} تنتظر تحسنا ملموسا في الخدمات",
    "ونقلت وسائل إعلام محلية عن مصادر مطلعة أن العقود الأولى ستوقع قبل نهاية الشهر الجاري",
    "وفي المقابل عبر تجار في أسواق {place} عن قلقهم من أثر أعمال البناء على حركة البيع",
    "ودعا ناشطون إلى إشراك الشباب والنساء في لجان متابعة {subject} لضمان وصول الفوائد إلى الجميع",
    "وتعد هذه الخطوة جزءا من رؤية أوسع أعلنتها الحكومة قبل {months} أشهر لتنشيط الاقتصاد المحلي",
    "وقالت {woman} وهي من سكان {place} إن الأهالي انتظروا هذا اليوم طويلا ويأملون ألا يتأخر "
    "التنفيذ",
    "كما أعلنت {org} فتح باب التوظيف أمام {n} شخص من أبناء {place} خلال المرحلة الأولى",
    "ولم تستبعد مصادر رسمية توسيع {subject} ليشمل مدنا أخرى إذا أثبت جدواه خلال العامين المقبلين",
    "وسجلت الإحصاءات الأخيرة ارتفاعا في الطلب على الخدمات بنسبة {pct} في المئة مقارنة بالعام "
    "الماضي",
    "وختم {person} حديثه بالتأكيد على أن أبواب {org} مفتوحة لتلقي ملاحظات المواطنين واقتراحاتهم",
)
TITLES = (
    "{place}: إطلاق {subject} بكلفة {m} مليون دولار",
    "جدل في {place} حول تأخر {subject}",
    "{subject} في {place}.. خطوة جديدة لتحسين الخدمات",
    "مسؤول: {subject} في {place} يوفر {n} فرصة عمل",
    "سكان {place} يترقبون نتائج {subject}",
)


def arabic_story(k: int) -> tuple[str, list[str]]:
    """(title, five paragraphs of ~150 words) of Arabic story `k` (0 <= k < 25): its own
    subject, place and people, eight of the template sentences picked for it, and a closing
    sentence with its own names and numbers."""
    subject, detail, org = SUBJECTS[k]
    values = {"subject": subject, "org": org, "place": PLACES[k], "person": MEN[k],
              "woman": WOMEN[k], "n": 120 + 37 * k, "m": 15 + 11 * k, "pct": 31 + k,
              "months": 3 + k % 9, "year": 2010 + k % 8}
    picked = sorted(random.Random(f"story-{k}").sample(range(len(TEMPLATES)), 7))
    sentences = [LEAD.format(**values), detail, *(TEMPLATES[i].format(**values) for i in picked),
                 f"وأعد هذا التقرير مراسلنا في {PLACES[k]} بعد لقاءات مع {MEN[k]} و{WOMEN[k]}، "
                 f"ويحمل الملف الرقم {5000 + 17 * k} في أرشيف التحرير"]
    paragraphs = [f"{sentences[i]}. {sentences[i + 1]}." for i in range(0, len(sentences), 2)]
    return TITLES[k % len(TITLES)].format(**values), paragraphs


PERSIAN_SUBJECTS = (
    ("طرح توسعه خط مترو",
     "این خط جدید قرار است شمال و جنوب شهر را در کمتر از نیم ساعت به هم متصل کند.",
     "شهرداری"),
    ("نمایشگاه بین‌المللی کتاب",
     "در نمایشگاه امسال ناشرانی از بیش از سی کشور حضور دارند و ده‌ها نشست ادبی برگزار می‌شود.",
     "وزارت فرهنگ"),
    ("برنامه حمایت از کشاورزان",
     "این برنامه شامل وام‌های کم‌بهره، بذرهای اصلاح‌شده و آموزش روش‌های نوین آبیاری است.",
     "وزارت جهاد کشاورزی"),
    ("طرح بازسازی بافت تاریخی",
     "در این طرح بازارهای قدیمی، کاروانسراها و خانه‌های سنتی شهر مرمت می‌شوند.",
     "سازمان میراث فرهنگی"),
)
PERSIAN_CITIES = ("تهران", "اصفهان", "شیراز", "تبریز")
PERSIAN_PEOPLE = ("علی رضایی", "مریم احمدی", "حسین کریمی", "زهرا محمدی")
PERSIAN_AUTHORS = ("نیما طاهری", "سارا نیک‌نام", "کاوه امیری", "لیلا صدری")
PERSIAN_LEAD = ("به گزارش خبرنگار ما، مسئولان شهر {city} روز گذشته از آغاز مرحله نخست {subject} "
                "با بودجه‌ای حدود {m} میلیارد تومان خبر دادند.")
PERSIAN_TEMPLATES = (
    "{person}، مدیر این طرح، گفت مطالعات فنی در مدت {months} ماه به پایان رسیده و عملیات "
    "اجرایی به زودی آغاز می‌شود.",
    "به گفته او حدود {n} نفر در اجرای این طرح مشارکت خواهند داشت و ساکنان {city} و روستاهای "
    "اطراف از آن بهره‌مند می‌شوند.",
    "برخی از اعضای شورای شهر {city} از تأخیرهای مکرر در اعلام جزئیات {subject} از سال {year} "
    "تاکنون انتقاد کردند.",
    "کارشناسان اقتصادی می‌گویند موفقیت این برنامه به شفافیت در هزینه‌ها و نظارت مستقل نهادهای "
    "مدنی بستگی دارد.",
    "در همین حال گروهی از شهروندان در شبکه‌های اجتماعی خواستار برگزاری جلسات عمومی برای بررسی "
    "پیامدهای طرح شدند.",
    "{org} اعلام کرد گزارش پیشرفت کار هر سه ماه یک بار منتشر می‌شود و در دسترس عموم قرار "
    "می‌گیرد.",
    "پیش از این نیز طرح‌های مشابهی در شهرهای دیگر اجرا شده بود که نتایج متفاوتی به همراه داشت.",
    "آمارهای رسمی نشان می‌دهد تقاضا برای این خدمات در یک سال گذشته حدود {pct} درصد افزایش "
    "یافته است.",
    "یکی از ساکنان محله‌های جنوبی {city} گفت مردم سال‌هاست منتظر چنین اقدامی هستند و امیدوارند "
    "وعده‌ها عملی شود.",
    "قرار است قراردادهای نخست پیش از پایان ماه جاری امضا شود و پیمانکاران کار خود را آغاز کنند.",
)
PERSIAN_TITLES = ("آغاز {subject} در {city}", "انتقاد از تأخیر در {subject} {city}",
                  "{subject} در {city}؛ گامی تازه", "بودجه {m} میلیاردی برای {subject} در {city}")


def persian_story(k: int) -> tuple[str, list[str]]:
    """(title, paragraphs of ~130 words) of Persian story `k` (0 <= k < 4)."""
    subject, detail, org = PERSIAN_SUBJECTS[k]
    values = {"subject": subject, "org": org, "city": PERSIAN_CITIES[k],
              "person": PERSIAN_PEOPLE[k], "n": 240 + 53 * k, "m": 80 + 45 * k, "pct": 12 + 7 * k,
              "months": 4 + 2 * k, "year": 1395 + k}
    picked = sorted(random.Random(f"persian-{k}").sample(range(len(PERSIAN_TEMPLATES)), 6))
    sentences = [PERSIAN_LEAD.format(**values), detail,
                 *(PERSIAN_TEMPLATES[i].format(**values) for i in picked)]
    if k == 0:
        sentences += list(PERSIAN)
    sentences.append(f"این گزارش را {PERSIAN_AUTHORS[k]} پس از گفتگو با {PERSIAN_PEOPLE[k]} در "
                     f"{PERSIAN_CITIES[k]} تهیه کرده و شماره پرونده آن {7300 + 29 * k} است.")
    paragraphs = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    return PERSIAN_TITLES[k].format(**values), paragraphs


def _display(moment: datetime | date) -> str:
    return f"{moment.day} {ARABIC_MONTHS[moment.month - 1]} {moment.year}"


def _html(body: str) -> Response:
    return Response(body.encode())


def _feed(title: str, link: str, language: str, items: list[dict[str, str]]) -> Response:
    """An RSS 2.0 feed; items have link, title, pubDate and optionally guid, creator,
    category, description."""
    rows = []
    for item in items:
        guid = item.get("guid", item["link"])
        permalink = "true" if guid == item["link"] else "false"
        rows.append(
            "<item>"
            f"<title>{xml_escape(item['title'])}</title><link>{xml_escape(item['link'])}</link>"
            + (f"<dc:creator><![CDATA[{item['creator']}]]></dc:creator>"
               if "creator" in item else "")
            + f"<pubDate>{item['pubDate']}</pubDate>"
            + (f"<category><![CDATA[{item['category']}]]></category>"
               if "category" in item else "")
            + f'<guid isPermaLink="{permalink}">{xml_escape(guid)}</guid>'
            + (f"<description><![CDATA[{item['description']}]]></description>"
               if "description" in item else "")
            + "</item>")
    return Response(
        ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
         'xmlns:dc="http://purl.org/dc/elements/1.1/" '
         'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
         f"<title>{xml_escape(title)}</title><link>{xml_escape(link)}</link>"
         f"<description>{xml_escape(title)}</description><language>{language}</language>"
         + "".join(rows) + "</channel></rss>\n").encode(),
        "application/rss+xml; charset=UTF-8")


def _xml(body: bytes) -> Response:
    return Response(body, "application/xml; charset=UTF-8")


# --- press.akhbar.test: WordPress -------------------------------------------------------------

PRESS_NAME = "صحيفة المنار"
PRESS_AUTHORS = (("أحمد الزهراني", "ahmed"), ("نوال السيد", "nawal"),
                 ("محمود عبد الله", "mahmoud"), ("هيفاء القحطاني", "haifa"))
PRESS_CATEGORIES = {"politics": "سياسة", "economy": "اقتصاد"}


@dataclass
class _Post:
    number: int
    title: str
    paragraphs: list[str]
    published: datetime
    author: tuple[str, str]
    category: str
    slug: str

    @property
    def path(self) -> str:  # unquoted
        return f"/{self.published:%Y/%m/%d}/{self.slug}/"

    @property
    def url(self) -> str:  # percent-encoded, as in links, feeds and sitemaps
        return PRESS + quote(self.path)


def _press_head(title: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{extra}<link rel="alternate" type="application/rss+xml" title="{PRESS_NAME} &raquo; الخلاصة" \
href="{PRESS}/feed/">
<link rel="alternate" type="application/rss+xml" title="{PRESS_NAME} &raquo; خلاصة التعليقات" \
href="{PRESS}/comments/feed/">
<link rel="stylesheet" id="almanar-style-css" href="{PRESS}/wp-content/themes/almanar/style.css\
?ver=6.4.2" media="all">
<script src="{PRESS}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
"""


PRESS_HEADER = f"""<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">تخطي إلى المحتوى</a>
<header id="masthead" class="site-header">
<div class="site-branding">
<p class="site-title"><a href="{PRESS}/" rel="home">{PRESS_NAME}</a></p>
<p class="site-description">أخبار محلية وعربية على مدار الساعة</p>
</div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li class="menu-item menu-item-home"><a href="{PRESS}/">الرئيسية</a></li>
<li class="menu-item menu-item-type-taxonomy"><a href="{PRESS}/category/politics/">سياسة</a></li>
<li class="menu-item menu-item-type-taxonomy"><a href="{PRESS}/category/economy/">اقتصاد</a></li>
<li class="menu-item menu-item-type-post_type"><a href="{PRESS}/about-us/">من نحن</a></li>
<li class="menu-item menu-item-type-post_type"><a href="{PRESS}/contact/">اتصل بنا</a></li>
</ul></nav>
</header>
"""


def _press_footer(year: int) -> str:
    return f"""<footer id="colophon" class="site-footer">
<div class="footer-widgets"><section class="widget widget_text"><h2 class="widget-title">عن \
الصحيفة</h2><p>صحيفة يومية مستقلة تصدر منذ عام 1998.</p></section></div>
<div class="site-info">جميع الحقوق محفوظة &copy; {year} {PRESS_NAME} | يعمل بواسطة ووردبريس</div>
</footer>
</div>
<script src="{PRESS}/wp-content/themes/almanar/js/navigation.js?ver=1.0" id="nav-js"></script>
</body>
</html>
"""


def _press_article(post: _Post, related: list[_Post]) -> str:
    url, iso = post.url, post.published.isoformat()
    modified = (post.published + timedelta(minutes=25)).isoformat()
    cat_url = f"{PRESS}/category/{post.category}/"
    cat_name = PRESS_CATEGORIES[post.category]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in post.paragraphs)
    share = quote(url, safe="")
    related_html = "\n".join(
        f'<li class="related-post"><a href="{o.url}" rel="bookmark">{escape(o.title)}</a> '
        f'<span class="related-date">{_display(o.published)}</span></li>' for o in related)
    head = _press_head(
        f"{escape(post.title)} &#8211; {PRESS_NAME}",
        f"""<link rel="canonical" href="{url}">
<meta property="og:locale" content="ar_AR">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(post.title)}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{PRESS_NAME}">
<meta property="article:section" content="{cat_name}">
<meta property="article:published_time" content="{iso}">
<meta property="article:modified_time" content="{modified}">
""")
    return head + f"""<body class="rtl post-template-default single single-post \
postid-{post.number} single-format-standard">
{PRESS_HEADER}<main id="primary" class="site-main">
<article id="post-{post.number}" class="post-{post.number} post type-post status-publish \
format-standard hentry category-{post.category}">
<header class="entry-header">
<span class="cat-links"><a href="{cat_url}" rel="category tag">{cat_name}</a></span>
<h1 class="entry-title">{escape(post.title)}</h1>
<div class="entry-meta">
<span class="posted-on">نشر في <a href="{url}" rel="bookmark"><time class="entry-date published" \
datetime="{iso}">{_display(post.published)}</time><time class="updated" datetime="{modified}">\
{_display(post.published)}</time></a></span>
<span class="byline"> بواسطة <span class="author vcard"><a class="url fn n" \
href="{PRESS}/author/{post.author[1]}/">{post.author[0]}</a></span></span>
</div>
</header>
<div class="entry-content">
{body}
</div>
<div class="share-bar"><span class="share-title">شارك هذا الخبر:</span>
<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={share}" \
target="_blank">فيسبوك</a>
<a class="share-twitter" href="https://twitter.com/intent/tweet?url={share}" \
target="_blank">تويتر</a>
<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={share}" \
target="_blank">واتساب</a>
</div>
<footer class="entry-footer"><span class="cat-links">نشرت في <a href="{cat_url}" \
rel="category tag">{cat_name}</a></span></footer>
</article>
<section class="related-posts"><h3 class="related-title">قد يعجبك أيضا</h3>
<ul>
{related_html}
</ul></section>
<div id="comments" class="comments-area">
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">اترك تعليقاً</h3>
<form action="{PRESS}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes"><span id="email-notes">لن يتم نشر عنوان بريدك الإلكتروني.</span> \
الحقول الإلزامية مشار إليها بـ <span class="required">*</span></p>
<p class="comment-form-comment"><label for="comment">التعليق</label> <textarea id="comment" \
name="comment" cols="45" rows="8"></textarea></p>
<p class="comment-form-author"><label for="author">الاسم *</label> <input id="author" \
name="author" type="text"></p>
<p class="comment-form-email"><label for="email">البريد الإلكتروني *</label> <input id="email" \
name="email" type="email"></p>
<p class="math-captcha-form"><label for="mc-input">{CAPTCHA}</label> <input id="mc-input" \
name="mc-value" type="text"></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" \
value="إرسال التعليق"><input type="hidden" name="comment_post_ID" value="{post.number}"></p>
</form>
</div>
</div>
</main>
{_press_footer(post.published.year)}"""


def _press_listing(title: str, posts: list[_Post], intro: str, year: int) -> str:
    items = "\n".join(
        f'<article class="post-{p.number} post type-post"><h2 class="entry-title">'
        f'<a href="{p.url}" rel="bookmark">{escape(p.title)}</a></h2><div class="entry-meta"><time '
        f'class="entry-date published" datetime="{p.published.isoformat()}">'
        f"{_display(p.published)}</time></div><div class=\"entry-summary\"><p>"
        f"{escape(p.paragraphs[0][:90])}&hellip;</p></div></article>" for p in posts)
    return (_press_head(title) + f'<body class="rtl">\n{PRESS_HEADER}<main id="primary" '
            f'class="site-main">\n{intro}\n{items}\n</main>\n{_press_footer(year)}')


def _press_page(title: str, text: str, year: int) -> str:
    return (_press_head(f"{title} &#8211; {PRESS_NAME}") + f'<body class="rtl page">\n'
            f'{PRESS_HEADER}<main id="primary" class="site-main"><article class="page type-page">'
            f'<h1 class="entry-title">{title}</h1><div class="entry-content"><p>{text}</p></div>'
            f"</article></main>\n{_press_footer(year)}")


def press_site(today: date) -> Site:
    """The WordPress newspaper: 8 articles, 4 of `today` and 4 of the day before (Riyadh)."""
    yesterday = today - timedelta(days=1)
    times = [(today, 6, 15), (today, 8, 40), (today, 10, 5), (today, 11, 30),
             (yesterday, 9, 0), (yesterday, 13, 20), (yesterday, 17, 45), (yesterday, 22, 10)]
    posts = []
    for k, (day, hour, minute) in enumerate(times):
        title, paragraphs = arabic_story(k)
        posts.append(_Post(
            number=4821 + 3 * k, title=title, paragraphs=paragraphs,
            published=datetime(day.year, day.month, day.day, hour, minute, tzinfo=RIYADH),
            author=PRESS_AUTHORS[k % len(PRESS_AUTHORS)],
            category="politics" if k % 2 == 0 else "economy",
            slug="-".join(re.findall(r"\w+", title))))
    newest = sorted(posts, key=lambda p: p.published, reverse=True)
    pages: dict[str, Response] = {}
    for k, post in enumerate(posts):
        related = [posts[(k + i) % len(posts)] for i in (1, 2, 3)]
        pages[post.path] = _html(_press_article(post, related))

    year = today.year
    pages["/"] = _html(_press_listing(
        f"{PRESS_NAME} &#8211; أخبار محلية وعربية على مدار الساعة", newest,
        '<h2 class="section-title">آخر الأخبار</h2>', year))
    for slug, name in PRESS_CATEGORIES.items():
        pages[f"/category/{slug}/"] = _html(_press_listing(
            f"{name} &#8211; {PRESS_NAME}", [p for p in newest if p.category == slug],
            f'<header class="page-header"><h1 class="page-title">التصنيف: {name}</h1></header>',
            year))
    for name, slug in PRESS_AUTHORS:
        pages[f"/author/{slug}/"] = _html(_press_listing(
            f"{name} &#8211; {PRESS_NAME}", [p for p in newest if p.author[1] == slug],
            f'<header class="page-header"><h1 class="page-title">الكاتب: {name}</h1></header>',
            year))
    pages["/about-us/"] = _html(_press_page(
        "من نحن", "صحيفة المنار صحيفة يومية مستقلة تعنى بالشأن المحلي والعربي.", year))
    pages["/contact/"] = _html(_press_page(
        "اتصل بنا", "للتواصل مع هيئة التحرير: editor@press.akhbar.test", year))
    pages["/robots.txt"] = Response(
        b"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
        b"Sitemap: http://press.akhbar.test/sitemap_index.xml\n", "text/plain")

    stamp = newest[0].published.isoformat()
    pages["/sitemap_index.xml"] = _xml(_index([
        (f"{PRESS}/post-sitemap.xml", stamp), (f"{PRESS}/page-sitemap.xml", stamp),
        (f"{PRESS}/category-sitemap.xml", stamp)]))
    pages["/post-sitemap.xml"] = _xml(_urlset(
        [(p.url, (p.published + timedelta(minutes=25)).isoformat()) for p in newest]))
    pages["/page-sitemap.xml"] = _xml(_urlset(
        [(f"{PRESS}/", stamp), (f"{PRESS}/about-us/", "2023-01-10T12:00:00+03:00"),
         (f"{PRESS}/contact/", "2023-01-10T12:05:00+03:00")]))
    pages["/category-sitemap.xml"] = _xml(_urlset(
        [(f"{PRESS}/category/{slug}/", stamp) for slug in PRESS_CATEGORIES]))
    pages["/feed/"] = _feed(PRESS_NAME, f"{PRESS}/", "ar", [
        {"title": p.title, "link": p.url, "creator": p.author[0],
         "pubDate": format_datetime(p.published), "category": PRESS_CATEGORIES[p.category],
         "guid": f"{PRESS}/?p={p.number}", "description": p.paragraphs[0]} for p in newest])
    commenters = ("أبو خالد", "مواطن", "سعاد", "قارئ من جدة")
    pages["/comments/feed/"] = _feed(f"التعليقات على: {PRESS_NAME}", f"{PRESS}/", "ar", [
        {"title": f"تعليق على {p.title} بواسطة {commenters[i % len(commenters)]}",
         "link": f"{p.url}#comment-{12 + i}", "creator": commenters[i % len(commenters)],
         "pubDate": format_datetime(p.published + timedelta(hours=1)),
         "guid": f"{PRESS}/?p={p.number}#comment-{12 + i}",
         "description": "شكرا على هذا التقرير المفيد"} for i, p in enumerate(newest[:5])])

    articles = {p.url: ArticleFacts(title=p.title, published=p.published, authors=[p.author[0]],
                                    first_paragraph=p.paragraphs[0], final_url=p.url,
                                    paragraphs=p.paragraphs) for p in posts}
    return Site(host="press.akhbar.test", base=PRESS, pages=pages, articles=articles)


# --- world.akhbar.test: a broadcaster's Arabic and Persian services ------------------------------

SERVICES = {
    "arabic": {"lang": "ar", "name": "بي بي سي نيوز عربي", "home": "الرئيسية",
               "author_label": "اسم الكاتب", "role_label": "المنصب",
               "topics": "مواضيع ذات صلة", "more": "المزيد حول هذه القصة",
               "topic_names": ("الشرق الأوسط", "اقتصاد", "مجتمع"),
               "languages": "لغات أخرى", "footer": "بي بي سي ليست مسؤولة عن محتوى المواقع "
               "الخارجية."},
    "persian": {"lang": "fa", "name": "بی‌بی‌سی فارسی", "home": "صفحه اصلی",
                "author_label": "نام نویسنده", "role_label": "سمت",
                "topics": "موضوعات مرتبط", "more": "مطالب بیشتر درباره این موضوع",
                "topic_names": ("ایران", "اقتصاد", "جامعه"),
                "languages": "زبان‌های دیگر", "footer": "بی‌بی‌سی مسئول محتوای سایت‌های "
                "دیگر نیست."},
}
WORLD_AUTHORS = ("سامر الحسن", "رشا قنديل", "عمرو عبد الحميد", "نجلاء العمري")


def world_id(number: int) -> str:
    """A broadcaster-style article id: 'c' and 10 lowercase hex characters."""
    return "c" + hashlib.sha1(f"world-{number}".encode()).hexdigest()[:10]


@dataclass
class _Story:
    service: str
    number: int
    title: str
    paragraphs: list[str]
    published: datetime
    author: str

    @property
    def path(self) -> str:
        return f"/{self.service}/articles/{world_id(self.number)}"

    @property
    def url(self) -> str:
        return WORLD + self.path


def _world_head(service: str, title: str, extra: str = "") -> str:
    s = SERVICES[service]
    return f"""<!DOCTYPE html>
<html lang="{s['lang']}" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{extra}<link rel="alternate" type="application/rss+xml" href="/{service}/rss.xml">
</head>
<body>
<header role="banner"><div class="brand"><a href="/{service}/">{s['name']}</a></div>
<nav role="navigation"><ul>
<li><a href="/{service}/">{s['home']}</a></li>
</ul></nav></header>
"""


def _world_footer(service: str, year: int) -> str:
    return (f'<footer role="contentinfo"><p>&copy; {year} بي بي سي. {SERVICES[service]["footer"]}'
            "</p></footer>\n</body>\n</html>\n")


def _world_article(story: _Story, more: list[_Story]) -> str:
    s = SERVICES[story.service]
    blocks = "\n".join(f'<div dir="rtl" class="text-block"><p>{escape(p)}</p></div>'
                       for p in story.paragraphs)
    topics = "\n".join(
        f'<li><a href="/{story.service}/topics/{world_id(900 + i)}">{name}</a></li>'
        for i, name in enumerate(s["topic_names"]))
    related = "\n".join(f'<li><a href="{o.path}">{escape(o.title)}</a></li>' for o in more)
    head = _world_head(story.service, f"{escape(story.title)} - {s['name']}", f"""<meta \
name="description" content="{escape(story.paragraphs[0][:120])}">
<meta property="og:title" content="{escape(story.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{story.url}">
<link rel="canonical" href="{story.url}">
""")
    return head + f"""<main role="main">
<article>
<header><h1 id="content" tabindex="-1">{escape(story.title)}</h1></header>
<div class="byline"><ul>
<li><span class="visually-hidden">{s['author_label']}،</span><span class="byline-name">\
{story.author}</span></li>
<li><span class="visually-hidden">{s['role_label']}،</span><span class="byline-role">\
{s['name']}</span></li>
</ul></div>
<div class="timestamp"><time datetime="{story.published.isoformat()}">{_display(story.published)}\
</time></div>
{blocks}
</article>
<section aria-labelledby="related-topics"><h2 id="related-topics">{s['topics']}</h2>
<ul>
{topics}
</ul></section>
<section aria-labelledby="related-content"><h2 id="related-content">{s['more']}</h2>
<ul>
{related}
</ul></section>
</main>
{_world_footer(story.service, story.published.year)}"""


def _world_home(service: str, stories: list[_Story], languages: str, year: int,
                heading: str = "") -> str:
    """A service's home page (or, given a heading, one of its topic pages)."""
    s = SERVICES[service]
    heading = heading or s["name"]
    items = "\n".join(
        f'<li class="promo"><h3><a href="{o.path}">{escape(o.title)}</a></h3><time '
        f'datetime="{o.published.isoformat()}">{_display(o.published)}</time></li>'
        for o in stories)
    return (_world_head(service, heading) + f'<main role="main">\n<h1 id="content">{heading}'
            f'</h1>\n<section class="top-stories"><ul>\n{items}\n</ul></section>\n'
            + (f'<nav class="languages" aria-label="{s["languages"]}">{languages}</nav>\n'
             if languages else "") + "</main>\n"
            + _world_footer(service, year))


def world_site(today: date) -> Site:
    """The broadcaster: 6 Arabic articles under /arabic/ (one listed by a short link), 4 Persian
    ones under /persian/, and a moved Arabic URL that lands in the Persian service."""
    yesterday = today - timedelta(days=1)
    times = [(today, 5, 0), (today, 7, 30), (today, 9, 10), (yesterday, 11, 0),
             (yesterday, 15, 45), (yesterday, 20, 20)]
    arabic = []
    for i, (day, hour, minute) in enumerate(times):
        title, paragraphs = arabic_story(8 + i)
        arabic.append(_Story("arabic", 8 + i, title, paragraphs,
                             datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC),
                             WORLD_AUTHORS[i % len(WORLD_AUTHORS)]))
    persian = []
    for i, (day, hour, minute) in enumerate(times[:4]):
        title, paragraphs = persian_story(i)
        persian.append(_Story("persian", 50 + i, title, paragraphs,
                              datetime(day.year, day.month, day.day, hour, minute + 5,
                                       tzinfo=UTC), PERSIAN_AUTHORS[i]))
    short, moved = "/arabic/n/7731", "/arabic/articles/cmoved00001"
    shortened, landing = arabic[2], persian[3]

    pages: dict[str, Response] = {}
    for group in (arabic, persian):
        for i, story in enumerate(group):
            more = [group[(i + j) % len(group)] for j in (1, 2)]
            pages[story.path] = _html(_world_article(story, more))
    pages[short] = Response(b"", status=301, headers={"Location": shortened.url})
    pages[moved] = Response(b"", status=301, headers={"Location": landing.url})

    year = today.year
    pages["/"] = _html(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>World Service'
        '</title></head><body><h1>World Service</h1><ul><li><a href="/arabic/" lang="ar">عربي'
        '</a></li><li><a href="/persian/" lang="fa">فارسی</a></li></ul></body></html>\n')
    arabic_languages = ('<ul><li><a href="/persian/" lang="fa">فارسی</a></li>' + "".join(
        f'<li><a href="{p.path}" lang="fa">{escape(p.title)}</a></li>' for p in persian[:2])
        + "</ul>")
    pages["/arabic/"] = _html(_world_home("arabic", arabic, arabic_languages, year))
    pages["/persian/"] = _html(_world_home(
        "persian", persian, '<ul><li><a href="/arabic/" lang="ar">عربي</a></li></ul>', year))
    for service, group in (("arabic", arabic), ("persian", persian)):
        for i, name in enumerate(SERVICES[service]["topic_names"]):
            pages[f"/{service}/topics/{world_id(900 + i)}"] = _html(_world_home(
                service, group[i::3], "", year, f"{name} - {SERVICES[service]['name']}"))
    pages["/robots.txt"] = Response(
        b"User-agent: *\nDisallow: /search\nSitemap: http://world.akhbar.test/sitemap.xml\n",
        "text/plain")
    stamp = max(s.published for s in arabic).isoformat()
    pages["/sitemap.xml"] = _xml(_index([(f"{WORLD}/arabic/sitemap.xml", stamp),
                                         (f"{WORLD}/persian/sitemap.xml", stamp)]))
    listed = {s.number: (WORLD + short if s is shortened else s.url) for s in arabic}
    pages["/arabic/sitemap.xml"] = _xml(_urlset(
        [(listed[s.number], s.published.isoformat()) for s in arabic]
        + [(WORLD + moved, landing.published.isoformat())]))
    pages["/persian/sitemap.xml"] = _xml(_urlset(
        [(s.url, s.published.isoformat()) for s in persian]))
    for service, group in (("arabic", [s for s in arabic if s is not shortened]),
                           ("persian", persian)):
        name = SERVICES[service]["name"]
        pages[f"/{service}/rss.xml"] = _feed(name, f"{WORLD}/{service}/",
                                             SERVICES[service]["lang"], [
            {"title": s.title, "link": s.url, "pubDate": format_datetime(s.published),
             "description": s.paragraphs[0][:160]} for s in group])

    def facts(story: _Story) -> ArticleFacts:
        return ArticleFacts(title=story.title, published=story.published, authors=[story.author],
                            first_paragraph=story.paragraphs[0], final_url=story.url,
                            language=SERVICES[story.service]["lang"],
                            paragraphs=story.paragraphs)

    articles = {listed[s.number]: facts(s) for s in arabic}
    others = {s.url: facts(s) for s in persian} | {WORLD + moved: facts(landing)}
    return Site(host="world.akhbar.test", base=WORLD, pages=pages, articles=articles,
                others=others)


# --- old.akhbar.test: a legacy windows-1256 paper ------------------------------------------------

OLD_NAME = "جريدة الأمس"
OLD_WRITERS = ("عبد الرحيم الشوبكي", "سميرة الحوراني", "محمد العدوان", "تغريد المجالي")
WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
# Day page -> the ids of its articles.
OLD_DAYS = {date(2019, 3, 5): (2301, 2302, 2303), date(2019, 3, 7): (2304, 2305),
            date(2019, 3, 12): (2306, 2307, 2308), date(2019, 3, 20): (2309, 2310)}
OLD_2018 = (1877, date(2018, 11, 2))
OLD_MOST_READ = (1877, 2302, 2307, 2304, 2309)  # the sidebar shows the first 3 of other days
OLD_META = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'


def _old(html: str) -> Response:
    return Response(html.encode(OLD_ENCODING, errors="xmlcharrefreplace"), "text/html")


def _old_day_path(day: date) -> str:
    return f"/archive/{day:%Y/%m/%d}.html"


def _old_page(title: str, main: str, sidebar: str = "") -> str:
    side = (f'<td width="200" valign="top" class="sidebar" bgcolor="#EEEEEE">{sidebar}</td>'
            if sidebar else "")
    return f"""<html dir="rtl">
<head>
{OLD_META}
<title>{title}</title>
<link rel="stylesheet" href="/style.css" type="text/css">
</head>
<body bgcolor="#FFFFFF" topmargin="0" leftmargin="0">
<table width="780" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" class="header" bgcolor="#003366"><font color="#FFFFFF" size="5">\
<b>{OLD_NAME}</b></font><br>
<a href="/"><font color="#FFFFFF">الرئيسية</font></a> | \
<a href="/archive/index.html"><font color="#FFFFFF">الأرشيف</font></a> | \
<a href="/contact.html"><font color="#FFFFFF">اتصل بنا</font></a></td></tr>
<tr>
{main}
{side}
</tr>
<tr><td colspan="2" class="footer" align="center"><font size="1">جميع الحقوق محفوظة &copy; \
{OLD_NAME} 1998 - 2019</font></td></tr>
</table>
</body>
</html>
"""


def old_site() -> Site:
    """The legacy paper: 10 articles on 4 day pages of March 2019, and one of November 2018
    that only the "الأكثر قراءة" sidebars link."""
    day_of: dict[int, date] = {n: day for day, ids in OLD_DAYS.items() for n in ids}
    day_of[OLD_2018[0]] = OLD_2018[1]
    stories: dict[int, tuple[str, list[str], str]] = {}
    for k, number in enumerate(sorted(day_of, reverse=True)):
        title, paragraphs = arabic_story(14 + k)
        stories[number] = (title, paragraphs, OLD_WRITERS[k % len(OLD_WRITERS)])

    def url(number: int) -> str:
        return f"{OLD}/news/{number}.html"

    def link(number: int) -> str:
        return f'<a href="/news/{number}.html">{escape(stories[number][0])}</a>'

    def most_read(day: date, exclude: int = 0) -> str:
        picked = [n for n in OLD_MOST_READ if day_of[n] != day and n != exclude][:3]
        return ("<b>الأكثر قراءة</b><br>\n"
                + "<br>\n".join(f"&raquo; {link(n)}" for n in picked))

    pages: dict[str, Response] = {}
    for number, (title, paragraphs, writer) in stories.items():
        day = day_of[number]
        body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        main = f"""<td width="580" valign="top">
<table width="100%" border="0" cellpadding="4">
<tr><td class="newstitle"><font size="4" color="#990000"><b>{escape(title)}</b></font></td></tr>
<tr><td class="newsinfo"><font size="2">تاريخ النشر: <span class="newsdate">{day:%d/%m/%Y}</span>\
 &nbsp;&nbsp; بقلم: <span class="writer">{writer}</span></font></td></tr>
<tr><td class="newsbody">
{body}
</td></tr>
</table>
</td>"""
        pages[f"/news/{number}.html"] = _old(_old_page(OLD_NAME, main, most_read(day, number)))

    for day, ids in OLD_DAYS.items():
        label = f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"
        items = "\n".join(f"<li>{link(n)}</li>" for n in ids)
        main = (f'<td width="580" valign="top" class="daylist"><b>أخبار يوم {label}</b>\n'
                f"<ul>\n{items}\n</ul></td>")
        pages[_old_day_path(day)] = _old(_old_page(f"{OLD_NAME} - أرشيف {label}", main,
                                                   most_read(day)))
    days = "\n".join(f'<li><a href="{_old_day_path(day)}">{WEEKDAYS[day.weekday()]} '
                     f"{day:%d/%m/%Y}</a></li>" for day in OLD_DAYS)
    pages["/archive/index.html"] = _old(_old_page(
        f"{OLD_NAME} - الأرشيف", '<td width="580" valign="top" class="archive"><b>أرشيف شهر '
        f'آذار 2019</b>\n<ul>\n{days}\n</ul>\n<a href="/">العودة إلى الرئيسية</a> | '
        '<a href="/contact.html">اتصل بنا</a></td>'))
    latest = max(OLD_DAYS)
    pages["/"] = _old(_old_page(
        OLD_NAME, '<td width="580" valign="top" class="home"><b>آخر الأخبار</b><br>\n'
        + "<br>\n".join(link(n) for n in OLD_DAYS[latest])
        + '\n<p><a href="/archive/index.html">الأرشيف</a></p></td>', most_read(latest)))
    pages["/contact.html"] = _old(_old_page(
        f"{OLD_NAME} - اتصل بنا", '<td width="580" valign="top">هاتف: 06-5555555 - ص.ب 1234 '
        "عمان</td>"))
    pages["/robots.txt"] = Response(b"User-agent: *\nDisallow:\n", "text/plain")

    def facts(number: int) -> ArticleFacts:
        title, paragraphs, writer = stories[number]
        day = day_of[number]
        return ArticleFacts(title=title, published=datetime(day.year, day.month, day.day,
                                                            tzinfo=AMMAN),
                            authors=[writer], first_paragraph=paragraphs[0],
                            final_url=url(number), paragraphs=paragraphs)

    march = [n for ids in OLD_DAYS.values() for n in ids]
    return Site(host="old.akhbar.test", base=OLD, pages=pages,
                articles={url(n): facts(n) for n in march},
                others={url(OLD_2018[0]): facts(OLD_2018[0])},
                old_days={url(n): day_of[n] for n in march})
