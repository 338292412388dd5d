"""News agencies: credited apart from authors ("عواصم – وكالات:", "(أ ف ب)", "المصدر: سانا")."""

from __future__ import annotations

import re

from akhbar.extract.lexicon import AGENCIES, patterns

AGENCY = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<a{i}>{patterns(spellings)})"
                             for i, spellings in enumerate(AGENCIES.values()))
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


# "… في عمان.--(بترا)", "(رويترز)" at the very end of the text: the wire's closing tag.
TRAILING_TAG = re.compile(r"\s*[-–—]*\s*[(\[]\s*(?P<agency>[^()\[\]]{2,30}?)\s*[)\]]\s*$")


def without_trailing_tag(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """The paragraphs without an agency's closing tag at the end, and that agency."""
    if not paragraphs:
        return paragraphs, None
    match = TRAILING_TAG.search(paragraphs[-1])
    if not match or not (agency := agency_of(match["agency"])):
        return paragraphs, None
    last = paragraphs[-1][:match.start()].rstrip(" -–—")
    return paragraphs[:-1] + ([last] if last else []), agency


def find_agency(first_paragraph: str | None, credits: list[str],
                closing: str | None = None) -> str | None:
    """The agency credited by the dateline of the first paragraph, else by the closing tag
    of the text, else by a credit line."""
    if first_paragraph:
        match = DATELINE.match(first_paragraph)
        if match and (agency := agency_of(match["agency"])):
            return agency
    if closing:
        return closing
    for credit in credits:
        if agency := agency_of(credit):
            return agency
    return None
