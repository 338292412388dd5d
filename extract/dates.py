"""Dates written for readers: Arabic month names of every series, Arabic-Indic digits, Hijri.

"الجمعة 8 فيفري 2019", "3 مارس/ آذار 2024", "١٢ كانون الثاني ٢٠٢٠", "١٢/١١/٢٠٢٠",
"11 شوال 1441 هـ" — all become aware datetimes in the site's timezone.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from hijridate import Hijri

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
GREGORIAN_MONTHS = {
    # Egypt and the Gulf
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "إبريل": 4, "مايو": 5,
    "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9,
    "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # the Maghreb
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "افريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7,
    "أوت": 8, "اوت": 8, "غشت": 8, "يوليوز": 7, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # the Levant and Iraq
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "اذار": 3, "نيسان": 4, "أيار": 5, "ايار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "اب": 8, "أيلول": 9, "ايلول": 9, "تشرين الأول": 10,
    "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الأول": 12, "كانون الاول": 12,
    # Joomla's and other CMSes' short Levantine forms
    "كانون2": 1, "كانون 2": 1, "تشرين1": 10, "تشرين 1": 10, "تشرين2": 11, "تشرين 2": 11,
    "كانون1": 12, "كانون 1": 12,
}
HIJRI_MONTHS = {
    "محرم": 1, "صفر": 2, "ربيع الأول": 3, "ربيع الاول": 3, "ربيع الآخر": 4, "ربيع الثاني": 4,
    "جمادى الأولى": 5, "جمادى الاولى": 5, "جمادى الآخرة": 6, "جمادى الثانية": 6, "رجب": 7,
    "شعبان": 8, "رمضان": 9, "شوال": 10, "ذو القعدة": 11, "ذي القعدة": 11, "ذو الحجة": 12,
    "ذي الحجة": 12,
}


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


MONTH = _alternation(GREGORIAN_MONTHS)
HIJRI_MONTH = _alternation(HIJRI_MONTHS)
TIME = r"(?:[^\d]{0,12}(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<half>ص|م|am|pm))?)?"
# 8 فيفري 2019, 3 مارس/ آذار 2024, 12 كانون الثاني 2020
WORDED = re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<month>{MONTH})(?:\s*/\s*(?:{MONTH}))?"
                    rf"\s*[,،]?\s*(?P<year>(?:19|20)\d{{2}}){TIME}")
# 12/11/2020, 12-11-2020, 2020/11/12
NUMERIC = re.compile(r"(?<![\d/.-])(?:(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-]"
                     r"(?P<year>(?:19|20)\d{2})|(?P<year2>(?:19|20)\d{2})[/.-](?P<month2>\d{1,2})"
                     rf"[/.-](?P<day2>\d{{1,2}}))(?![\d/.-]){TIME}")
HIJRI = re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<month>{HIJRI_MONTH})\s*"
                   r"(?P<year>1[34]\d{2})\s*(?:هـ|ه|هجري|هجرية)?")
UPDATE_LABEL = re.compile(r"تحديث|آخر تعديل|عدل في|updated|modified", re.IGNORECASE)


def _moment(year: int, month: int, day: int, match: re.Match, timezone: str) -> datetime | None:
    hour = int(match.group("hour") or 0) if "hour" in match.groupdict() else 0
    minute = int(match.group("minute") or 0) if "minute" in match.groupdict() else 0
    if match.groupdict().get("half") in ("م", "pm") and hour < 12:
        hour += 12
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None


def parse_visible_date(text: str, timezone: str) -> datetime | None:
    """The first date written in `text`, Gregorian or Hijri, in the site's timezone."""
    text = " ".join(text.translate(DIGITS).split())
    found: list[tuple[int, datetime]] = []
    for match in WORDED.finditer(text):
        moment = _moment(int(match["year"]), GREGORIAN_MONTHS[match["month"]],
                         int(match["day"]), match, timezone)
        if moment:
            found.append((match.start(), moment))
    for match in NUMERIC.finditer(text):
        if match["year"]:
            year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        else:
            year, month, day = int(match["year2"]), int(match["month2"]), int(match["day2"])
        moment = _moment(year, month, day, match, timezone)
        if moment:
            found.append((match.start(), moment))
    for match in HIJRI.finditer(text):
        try:
            gregorian = Hijri(int(match["year"]), HIJRI_MONTHS[match["month"]],
                              int(match["day"])).to_gregorian()
        except (ValueError, OverflowError):
            continue
        found.append((match.start(), datetime(gregorian.year, gregorian.month, gregorian.day,
                                              tzinfo=ZoneInfo(timezone))))
    return min(found, key=lambda item: item[0])[1] if found else None


def is_update_stamp(text: str) -> bool:
    """Whether a visible date is labelled as an update, not the publication."""
    return bool(UPDATE_LABEL.search(text))


def parse_datetime(value: str | None, timezone: str, convert: bool = True) -> datetime | None:
    """An ISO-8601 or RFC 822 date(time) as an aware datetime in the site's `timezone` (naive
    values are taken to be in it; others are converted, so the day is the site's day, unless
    `convert` is false because the site's zone is not known: then they keep their offset)."""
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            day = date.fromisoformat(value[:10])
            moment = datetime(day.year, day.month, day.day)
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(ZoneInfo(timezone)) if convert else moment
