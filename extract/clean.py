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
    rf"(?:شارك(?:ها)?|share(?: this)?)(?: على| on)?(?:\s*[,،|]?\s*(?:{SOCIAL}))*|"
    r"تابعونا على.*|follow us on.*|"
    r"(?:©|copyright|جميع الحقوق محفوظة).{0,120}|"
    r"[\d٠-٩]+|[\d٠-٩]+ (?:تعليق|تعليقات|comments?)"
    r")\s*[:.]?\s*$",
    re.IGNORECASE,
)
# Headings after which the rest of the text is page furniture, not article.
TAIL_MARKER = re.compile(
    r"^\s*(?:you might also like|related (?:posts|articles)|leave a (?:reply|comment)|"
    r"اقرأ أيضا|مواضيع ذات (?:علاقة|صلة)|أخبار ذات صلة|قد يعجبك أيضا|أضف تعليق|"
    r"اترك تعليقا|اترك تعليقاً|التعليقات)\s*[:.]?\s*$",
    re.IGNORECASE,
)


def is_boilerplate(line: str) -> bool:
    """Whether a whole line is a captcha, comment prompt, share/follow or copyright line."""
    return bool(CAPTCHA.match(line) or BOILERPLATE_LINE.match(line))


def clean_lines(lines: list[str]) -> list[str]:
    """Drop boilerplate lines, and everything after a related/comments heading in the tail."""
    kept = [line for line in (ln.strip() for ln in lines) if line]
    for index, line in enumerate(kept):
        # Only in the second half: a "read also" line early in the text is an inline box.
        if index >= len(kept) / 2 and TAIL_MARKER.match(line):
            kept = kept[:index]
            break
    return [line for line in kept if not is_boilerplate(line)]
