"""News agencies: credited apart from authors ("عواصم – وكالات:", "(أ ف ب)", "المصدر: سانا")."""

from __future__ import annotations

import re

AGENCIES = {
    "وكالات": r"وكالات",
    "رويترز": r"رويترز|reuters",
    "أ ف ب": r"أ\s?ف\s?ب|أ\.ف\.ب|فرانس برس|afp",
    "أسوشيتد برس": r"أسوشيتد برس|associated press",
    "الأناضول": r"الأناضول|anadolu",
    "كونا": r"كونا|kuna",
    "واس": r"واس|spa",
    "وام": r"وام|wam",
    "د ب أ": r"د\s?ب\s?أ|dpa",
    "أ ش أ": r"أ\s?ش\s?أ",
    "بترا": r"بترا|petra",
    "سانا": r"سانا|sana",
    "قنا": r"قنا|qna",
    "شينخوا": r"شينخوا|xinhua",
    "سبوتنيك": r"سبوتنيك|sputnik",
}
AGENCY = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<a{i}>{p})" for i, p in enumerate(AGENCIES.values()))
    + r")(?!\w)", re.IGNORECASE)
NAMES = list(AGENCIES)
# "عواصم – وكالات:", "القاهرة (رويترز) -", "(أ ف ب) –" at the start of the first paragraph
DATELINE = re.compile(
    r"^[^:.،\n]{0,40}?[(\[–—-]\s*(?P<agency>[^():\]–—-]{2,30}?)\s*[)\]]?\s*[:–—-]")


def agency_of(text: str) -> str | None:
    """The agency a credit names, in its usual Arabic form."""
    match = AGENCY.search(text)
    if not match:
        return None
    index = int(next(k for k, v in match.groupdict().items() if v)[1:])
    return NAMES[index]


def find_agency(first_paragraph: str | None, credits: list[str]) -> str | None:
    """The agency credited by the dateline of the first paragraph, else by a credit line."""
    if first_paragraph:
        match = DATELINE.match(first_paragraph)
        if match and (agency := agency_of(match["agency"])):
            return agency
    for credit in credits:
        if agency := agency_of(credit):
            return agency
    return None
