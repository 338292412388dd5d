"""The words extraction rules are built from, in one place (like trafilatura's xpaths.py).

Each list is vocabulary that news pages print around an article — headings of related boxes,
byline words, agency names, navigation labels — in Arabic and in the English that Arabic sites'
themes leave untranslated. Rules in html.py, clean.py, agency.py and metadata.py compile their
patterns from these lists; add a phrase here and every rule that needs it sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Letters of the Arabic alphabet proper (hamza to yeh), and of the whole Arabic script.
ARABIC_LETTERS = "\u0621-\u063f\u0641-\u064a"
ARABIC_SCRIPT_LETTERS = "\u0621-\u063a\u0641-\u064a\u066e-\u06d3\u06fa-\u06ff"
ARABIC_DIACRITICS = "\u064b-\u0652"

# Headings that open a box of other articles: related, read-also, most read.
RELATED_HEADINGS = (
    "you might also like", "related posts", "related articles", "related news", "read also",
    "read more", "more from", "more stories", "recommended",
    "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً", "اقرأ ايضا", "اقرأ كذلك",
    "مواضيع ذات علاقة", "مواضيع ذات صلة", "أخبار ذات صلة", "اخبار ذات صلة", "مقالات ذات صلة",
    "قد يعجبك أيضا", "قد يعجبك أيضاً", "قد يهمك أيضا", "قد يهمك أيضاً", "قد يهمك",
    "المزيد من", "الأكثر قراءة", "الاكثر قراءة", "الأكثر تصفحا", "الأكثر تصفحاً",
    "الأكثر مشاهدة", "يستحق الانتباه", "قصص مقترحة", "المزيد حول هذه القصة", "شاهد أيضا",
    "شاهد أيضاً", "مقالات أخرى للكاتب", "مقالات أخرى", "المزيد للكاتب", "أخبار متعلقة",
)
# Headings that open the comment section or its form.
COMMENT_HEADINGS = (
    "leave a reply", "leave a comment", "comments", "comment", "post a comment",
    "أضف تعليق", "أضف تعليقك", "اترك تعليقا", "اترك تعليقاً", "اترك رد", "اترك رداً",
    "التعليقات", "تعليقات", "إرسال تعليق", "ارسال تعليق", "شارك برأيك",
)
# Prompts of the comment form ("Log in to post comments").
COMMENT_PROMPTS = (
    "سجل الدخول لإضافة تعليق", "سجّل الدخول لإضافة تعليق", "سجل دخولك للتعليق",
    "تسجيل الدخول للتعليق", "يجب تسجيل الدخول للتعليق", "log in to post comments",
    "login to post comments", "log in or register to post comments", "add new comment",
    "أضف تعليقا جديدا", "أضف تعليقاً جديداً",
)
# After these the rest of a text is furniture, when only headlines follow.
TAIL_HEADINGS = (
    "you might also like", "related posts", "related articles", "leave a reply",
    "leave a comment", "اقرأ أيضا", "مواضيع ذات علاقة", "مواضيع ذات صلة", "أخبار ذات صلة",
    "قد يعجبك أيضا", "أضف تعليق", "اترك تعليقا", "اترك تعليقاً", "التعليقات",
    "إرسال تعليق", "مقالات أخرى للكاتب",
)
# Labels of links to the previous/next article.
NEIGHBOUR_LABELS = (
    "السابق", "التالي", "المقال السابق", "المقال التالي", "الخبر السابق", "الخبر التالي",
    "المقالة السابقة", "المقالة التالية", "الموضوع السابق", "الموضوع التالي",
    "previous", "next", "previous article", "next article", "previous post", "next post",
    "« السابق", "التالي »", "السابق »", "« التالي",
)
# Labels that open a list of tags.
TAG_LABELS = (
    "الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "الكلمات الدلالية",
    "كلمات دلالية", "التسميات", "تسميات", "العلامات", "المواضيع", "tags", "labels", "keywords",
    "topics",
)
# Words that open a byline ("كتب: فلان", "بقلم فلان") or a credit line ("تصوير: فلان").
BYLINE_WORDS = ("كتب", "كتبت", "بقلم", "حوار", "إعداد", "اعداد", "تقرير", "بواسطة", "by",
                "written by")
# Byline words that open a byline without a colon ("كتبت فلانة", "بقلم فلان").
BYLINE_VERBS = ("كتب", "كتبت", "بقلم", "بواسطة", "by", "written by")
CREDIT_WORDS = ("متابعة", "تحرير", "إشراف", "ترجمة")
PHOTO_CREDIT_WORDS = ("تصوير", "عدسة", "الصورة", "صورة", "photo", "photos", "photograph",
                      "image", "credit")
# Lines pointing elsewhere: "لمزيد من المعلومات اضغط هنا", "for more information".
POINTER_PHRASES = (
    "لمزيد من المعلومات", "للمزيد من المعلومات", "لمزيد من التفاصيل", "للمزيد من التفاصيل",
    "للمزيد", "اضغط هنا", "انقر هنا", "اضغط على الرابط", "لمتابعة آخر الأخبار",
    "for more information", "for more details", "click here", "more info",
)
# Screen-reader labels that themes print as headings ("Navigation path", "Side Bar").
ACCESSIBILITY_LABELS = (
    "navigation path", "side bar", "article information", "author", "authors", "sidebar",
    "main navigation", "main menu", "menu",
    "skip to content", "skip to main content", "breadcrumb", "breadcrumbs", "search",
    "تخطى إلى المحتوى", "انتقل إلى المحتوى", "الانتقال إلى المحتوى", "مسار التنقل",
    "القائمة الرئيسية", "القائمة", "بحث", "الشريط الجانبي",
)
# Classes of elements only screen readers see.
SCREEN_READER_CLASSES = ("sr-only", "visually-hidden", "screen-reader", "visuallyhidden",
                         "a11y", "skip-link", "element-invisible", "hidden-text")
# Reading-time stamps: "2min", "3 min read", "قراءة 3 دقائق", "دقيقتان للقراءة".
READING_TIME = (
    r"[\d٠-٩]+\s*(?:min|mins|minutes?)(?:\s*read)?",
    r"(?:reading time|read time)\s*[:：]?\s*[\d٠-٩]+\s*(?:min|mins|minutes?)",
    r"(?:مدة |وقت |زمن )?(?:ال)?قراءة\s*[:：]?\s*(?:[\d٠-٩]+\s*)?(?:دقيقة|دقيقتان|دقيقتين|دقائق|د)",
    r"(?:[\d٠-٩]+\s*)?(?:دقيقة|دقيقتان|دقيقتين|دقائق|د)\s*(?:لل|من ال)?قراءة",
)
# Social networks named in share/follow bars.
SOCIAL_NETWORKS = ("فيسبوك", "فيس بوك", "تويتر", "إكس", "واتساب", "واتس اب", "تيليجرام",
                   "تلغرام", "لينكدإن", "البريد", "facebook", "twitter", "x", "whatsapp",
                   "telegram", "linkedin", "email", "pinterest", "messenger")
# Number words of word captchas ("واحد × أربعة =").
NUMBER_WORDS = (
    "صفر", "واحد", "اثنان", "اثنين", "إثنان", "ثلاثة", "ثلاث", "أربعة", "اربعة", "أربع", "خمسة",
    "خمس", "ستة", "ست", "سبعة", "سبع", "ثمانية", "ثماني", "تسعة", "تسع", "عشرة", "عشر",
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
)
# Notices that are never article text: comment policies, cookie and privacy banners.
NOTICE_PHRASES = (
    "لا تعبر عن رأي", "تعكس وجهات نظر أصحابها", "مراجعة التعليقات", "إرشادات الاستخدام",
    "ملفات تعريف الارتباط", "ملفات الارتباط", "الكوكيز", "cookies",
    "سياستنا المتعلقة بالخصوصية", "do not reflect the views", "comment policy",
)
# News agencies, by the name akhbar records, with the spellings that credit them.
AGENCIES = {
    "وكالات": ("وكالات",),
    "رويترز": ("رويترز", "reuters"),
    "أ ف ب": (r"أ\s?ف\s?ب", r"أ\.ف\.ب", "فرانس برس", "afp"),
    "أسوشيتد برس": ("أسوشيتد برس", "associated press"),
    "الأناضول": ("الأناضول", "anadolu"),
    "كونا": ("كونا", "kuna"),
    "واس": ("واس", "spa"),
    "وام": ("وام", "wam"),
    "د ب أ": (r"د\s?ب\s?أ", "dpa"),
    "أ ش أ": (r"أ\s?ش\s?أ",),
    "بترا": ("بترا", "petra"),
    "سانا": ("سانا", "sana"),
    "قنا": ("قنا", "qna"),
    "شينخوا": ("شينخوا", "xinhua"),
    "سبوتنيك": ("سبوتنيك", "sputnik"),
    "وفا": ("وفا", "wafa"),
    "العمانية": ("العمانية",),
    "واج": ("واج",),
    "لاماب": ("لاماب", "و م ع"),
}
# Words naming a desk or a role, never a person ("المحرر", "staff").
NON_PERSON_WORDS = ("وكالة", "وكالات", "محرر", "المحرر", "فريق التحرير", "هيئة التحرير",
                    "التحرير", "قسم", "مراسلنا", "مراسلو", "staff", "editor", "editors", "desk",
                    "newsroom", "team", "admin", "administrator")
# Classes (lower case) of the elements themes print a date in, besides <time>.
DATE_CLASS_PARTS = ("date", "time", "publish", "created", "posted", "submitted", "updated",
                    "modified", "timestamp", "datetime", "تاريخ")
# Dates that are not the article's: the masthead's today, clocks, prayer times, weather.
NOT_DATE_CLASS_PARTS = ("today", "current", "clock", "prayer", "weather", "salat", "hijri-now")


def phrases(words: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first, spaces matching any space."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


def patterns(items: Iterable[str]) -> str:
    """A regex alternation of patterns (already regex), longest first."""
    return "|".join(sorted(set(items), key=len, reverse=True))


def whole_line(alternation: str, suffix: str = r"\s*[:：.]?\s*") -> re.Pattern[str]:
    """A case-insensitive pattern for a line that is only one of the alternatives."""
    return re.compile(rf"^\s*(?:{alternation}){suffix}$", re.IGNORECASE)
