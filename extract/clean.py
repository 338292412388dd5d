"""Line-level cleaning of the text trafilatura keeps: captchas, comment prompts, share lines."""

from __future__ import annotations

import re

NUMBER_WORDS = (
    r"صفر|واحد|اثنان|اثنين|إثنان|ثلاثة|ثلاث|أربعة|اربعة|أربع|خمسة|خمس|ستة|ست|سبعة|سبع|"
    r"ثمانية|ثماني|تسعة|تسع|عشرة|عشر|"
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten"
)
SOCIAL = (r"فيسبوك|فيس بوك|تويتر|إكس|واتساب|واتس اب|تيليجرام|تلغرام|لينكدإن|البريد|"
          r"facebook|twitter|x|whatsapp|telegram|linkedin|email|pinterest|messenger")
OPERAND = rf"(?:\d+|[٠-٩]+|{NUMBER_WORDS})"
CAPTCHA = re.compile(
    rf"^\s*{OPERAND}\s*[×x*+\-−–÷/]\s*{OPERAND}\s*=\s*(?:\?|\S{{0,3}})\s*$", re.IGNORECASE
)
# Lines that are never article text.
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:"
    r"you might also like|related (?:posts|articles)|read (?:also|more)|"
    r"leave a (?:reply|comment)|post comment|cancel reply|"
    r"your email address will not be published\.?(?: required fields are marked \*)?|"
    r"required fields are marked \*|save my name, email.*|"
    r"اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|اقرأ ايضا|مواضيع ذات (?:علاقة|صلة)|أخبار ذات صلة|"
    r"قد يعجبك أيضا|قد يهمك أيضا|أضف تعليق|اترك تعليقا|اترك تعليقاً|اترك رداً?|"
    r"لن يتم نشر عنوان بريدك الإلكتروني.*|الحقول الإلزامية مشار إليها.*|"
    rf"(?:شارك(?:ها)?|share(?: this)?)(?: على| on)?\s*[:：]?(?:\s*[,،|]?\s*(?:{SOCIAL}))*|"
    r"تابعونا على.*|تابعوا .{1,30} على.*|follow us on.*|انسخ الرابط.*|copy link.*|"
    r"(?:©|copyright|جميع الحقوق محفوظة).{0,120}|"
    r"[\d٠-٩]+|[\d٠-٩]+ (?:تعليق|تعليقات|comments?)"
    r")\s*[:.]?\s*$",
    re.IGNORECASE,
)
MAX_HEADLINE_WORDS = 15
SENTENCE_END = re.compile(r"[.!?؟…:]\s*[\"'”»)]*\s*$")
# Notices that are never article text: comment policies, cookie and privacy banners.
NOTICE = re.compile(
    r"لا تعبر عن رأي|تعكس وجهات نظر أصحابها|مراجعة التعليقات|إرشادات الاستخدام|"
    r"ملفات (?:تعريف )?الارتباط|الكوكيز|\bcookies\b|سياستنا المتعلقة بالخصوصية|"
    r"do not reflect the views|comment policy",
    re.IGNORECASE,
)
# A byline or credit line at the start or end of the body: "حوار: فلان", "كتب: فلان".
BYLINE = re.compile(
    r"^\s*(?:حوار|كتب|كتبت|بقلم|إعداد|اعداد|تقرير|متابعة|تحرير|إشراف|تصوير|ترجمة|by)"
    r"\s*[:：]\s*(?P<names>[^.!؟?:]{2,60})$",
    re.IGNORECASE,
)
SOURCE_CREDIT = re.compile(r"^\s*(?:المصدر|المصادر|source)\s*[:：]\s*.{1,60}$", re.IGNORECASE)
# Headings after which the rest of the text is page furniture, not article.
TAIL_MARKER = re.compile(
    r"^\s*(?:you might also like|related (?:posts|articles)|leave a (?:reply|comment)|"
    r"اقرأ أيضا|مواضيع ذات (?:علاقة|صلة)|أخبار ذات صلة|قد يعجبك أيضا|أضف تعليق|"
    r"اترك تعليقا|اترك تعليقاً|التعليقات)\s*[:.]?\s*$",
    re.IGNORECASE,
)


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is a captcha, comment prompt, share/follow, copyright line or a
    comment-policy/cookie notice."""
    return bool(CAPTCHA.match(line) or BOILERPLATE_LINE.match(line)
                or len(NOTICE.findall(line)) >= (1 if len(line) < 200 else 2))


def split_bylines(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(lines without the byline/credit lines at their start and end, the names in the
    bylines, the source credit lines)."""
    names: list[str] = []
    credits: list[str] = []
    while lines and (match := BYLINE.match(lines[0])):
        names.append(match["names"].strip())
        lines = lines[1:]
    while lines and ((match := BYLINE.match(lines[-1])) or SOURCE_CREDIT.match(lines[-1])):
        if match:
            names.append(match["names"].strip())
        else:
            credits.append(lines[-1])
        lines = lines[:-1]
    return lines, names, credits


def _is_headline_like(line: str) -> bool:
    """A short line without closing punctuation: a linked headline, not a sentence."""
    return len(line.split()) <= MAX_HEADLINE_WORDS and not SENTENCE_END.search(line)


def clean_lines(lines: list[str]) -> list[str]:
    """Drop boilerplate lines and the related/comment boxes that a heading opens.

    After a box heading ("You might also like", "اقرأ أيضا"), headline-like lines go with it;
    when nothing but such lines follows, the rest of the text is page furniture.
    """
    kept = [line for line in (ln.strip() for ln in lines) if line]
    cleaned: list[str] = []
    index = 0
    while index < len(kept):
        line = kept[index]
        index += 1
        if TAIL_MARKER.match(line) and cleaned:
            rest = [ln for ln in kept[index:] if not is_boilerplate(ln)]
            if all(_is_headline_like(ln) for ln in rest):
                break
            while index < len(kept) and _is_headline_like(kept[index]):
                index += 1
            continue
        if not is_boilerplate(line):
            cleaned.append(line)
    return cleaned
