"""Line-level cleaning of the text kept from a page: captchas, comment prompts, share lines,
reading times, pointers, next/previous labels, tag lists, bylines and credits."""

from __future__ import annotations

import re

from akhbar.extract.lexicon import (
    ACCESSIBILITY_LABELS,
    ARABIC_LETTERS,
    BYLINE_WORDS,
    COMMENT_HEADINGS,
    COMMENT_PROMPTS,
    CREDIT_WORDS,
    NEIGHBOUR_LABELS,
    NOTICE_PHRASES,
    NUMBER_WORDS,
    PHOTO_CREDIT_WORDS,
    POINTER_PHRASES,
    READING_TIME,
    RELATED_HEADINGS,
    SOCIAL_NETWORKS,
    TAG_LABELS,
    TAIL_HEADINGS,
    patterns,
    phrases,
    whole_line,
)

OPERAND = rf"(?:\d+|[٠-٩]+|{phrases(NUMBER_WORDS)})"
CAPTCHA = re.compile(
    rf"^\s*{OPERAND}\s*[×x*+\-−–÷/]\s*{OPERAND}\s*=\s*(?:\?|\S{{0,3}})\s*$", re.IGNORECASE
)
SOCIAL = phrases(SOCIAL_NETWORKS)
# Lines that are never article text.
BOILERPLATE_LINE = whole_line(
    r"[-–—•|*]?\s*(?:"
    + phrases(RELATED_HEADINGS + COMMENT_HEADINGS + COMMENT_PROMPTS + NEIGHBOUR_LABELS
              + ACCESSIBILITY_LABELS) + r")|"
    r"post comment|cancel reply|"
    r"your email address will not be published\.?(?: required fields are marked \*)?|"
    r"required fields are marked \*|save my name, email.*|"
    r"لن يتم نشر عنوان بريدك الإلكتروني.*|الحقول الإلزامية مشار إليها.*|"
    rf"(?:شارك(?:ها)?|share(?: this)?)(?: على| on)?\s*[:：]?(?:\s*[,،|]?\s*(?:{SOCIAL}))*|"
    r"تابعونا على.*|تابعوا .{1,30} على.*|follow us on.*|انسخ الرابط.*|copy link.*|"
    r"(?:©|copyright|جميع الحقوق محفوظة).{0,120}|"
    r"[\d٠-٩]+|[\d٠-٩]+ (?:تعليق|تعليقات|comments?)|"
    + patterns(READING_TIME)
)
# "لمزيد من المعلومات اضغط هنا", "للمزيد: https://…": a short line that points elsewhere.
POINTER = re.compile(rf"^\s*(?:{phrases(POINTER_PHRASES)})\b", re.IGNORECASE)
MAX_POINTER_WORDS = 14
# "اقرأ أيضاً: عنوان خبر آخر" — a related link flattened into one line of the text.
RELATED_LINK_LINE = re.compile(
    rf"^\s*(?:{phrases(RELATED_HEADINGS)})\s*[:：\-–—]\s*(?P<headline>.+)$", re.IGNORECASE)
# Desk initials closing a wire story: "م ع/ ف ق", "ع.ع / م.ج".
INITIAL = rf"(?:[{ARABIC_LETTERS}]\.?\s?){{1,3}}"
INITIALS = re.compile(rf"^{INITIAL}\s*/\s*{INITIAL}(?:\s*/\s*{INITIAL})?$")
# "الوسوم: أ، ب، ج" — a tag list flattened into one line.
TAG_LINE = re.compile(rf"^\s*(?:{phrases(TAG_LABELS)})\s*[:：]", re.IGNORECASE)
# "السابق" / "التالي" alone on a line: the line after it is another article's headline.
NEIGHBOUR_LABEL = whole_line(phrases(NEIGHBOUR_LABELS), r"\s*[:：«»]?\s*")
MAX_HEADLINE_WORDS = 15
SENTENCE_END = re.compile(r"[.!?؟…:]\s*[\"'”»)]*\s*$")
NOTICE = re.compile(phrases(NOTICE_PHRASES), re.IGNORECASE)
# A byline or credit line at the start or end of the body: "حوار: فلان", "كتب: فلان".
BYLINE = re.compile(
    rf"^\s*(?:{phrases(BYLINE_WORDS + CREDIT_WORDS)})"
    r"\s*[:：\-–—]\s*(?P<names>[^.!؟?:]{2,60})$",
    re.IGNORECASE,
)
# "تصوير: فلان" anywhere: a photo credit is never article text.
CREDIT = re.compile(rf"^\s*(?:{phrases(PHOTO_CREDIT_WORDS)})\s*[:：]\s*[^.!؟?:]{{2,60}}$",
                    re.IGNORECASE)
SOURCE_CREDIT = re.compile(r"^\s*(?:المصدر|المصادر|source)\s*[:：]\s*.{1,60}$", re.IGNORECASE)
# Headings after which the rest of the text is page furniture, not article.
TAIL_MARKER = whole_line(phrases(TAIL_HEADINGS))


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is a captcha, comment prompt, share/follow, copyright line,
    reading time, screen-reader label, photo credit, tag list, pointer elsewhere or a
    comment-policy/cookie notice."""
    related = RELATED_LINK_LINE.match(line)
    return bool(CAPTCHA.match(line) or BOILERPLATE_LINE.match(line) or CREDIT.match(line)
                or TAG_LINE.match(line) or INITIALS.match(line)
                or (related and is_headline_like(related["headline"]))
                or (POINTER.match(line) and len(line.split()) <= MAX_POINTER_WORDS)
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


def is_headline_like(line: str) -> bool:
    """A short line without closing punctuation: a linked headline, not a sentence."""
    return len(line.split()) <= MAX_HEADLINE_WORDS and not SENTENCE_END.search(line)


def clean_lines(lines: list[str]) -> list[str]:
    """Drop boilerplate lines and the related/comment boxes that a heading opens.

    After a box heading ("You might also like", "اقرأ أيضا"), headline-like lines go with it;
    when nothing but such lines follows, the rest of the text is page furniture. After a
    next/previous label, the headline it labels goes with it.
    """
    kept = [line for line in (ln.strip() for ln in lines) if line]
    cleaned: list[str] = []
    index = 0
    while index < len(kept):
        line = kept[index]
        index += 1
        if TAIL_MARKER.match(line) and cleaned:
            rest = [ln for ln in kept[index:] if not is_boilerplate(ln)]
            if all(is_headline_like(ln) for ln in rest):
                break
            while index < len(kept) and is_headline_like(kept[index]):
                index += 1
            continue
        if NEIGHBOUR_LABEL.match(line):
            if index < len(kept) and is_headline_like(kept[index]):
                index += 1
            continue
        if not is_boilerplate(line):
            cleaned.append(line)
    return cleaned
