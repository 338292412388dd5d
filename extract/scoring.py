"""The corpus measure (shared/corpus/README.md): bag-of-token P/R/F1, leaks, title, date."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from akhbar.extract.clean import (
    BYLINE,
    CAPTCHA,
    CREDIT,
    NEIGHBOUR_LABEL,
    NOTICE,
    POINTER,
    TAG_LINE,
    is_boilerplate,
    is_headline_like,
)
from akhbar.extract.dates import parse_visible_date
from akhbar.extract.header import BYLINE_LINE

TOKEN = re.compile(r"\w+")
DIACRITICS_AND_TATWEEL = re.compile(r"[\u064b-\u0652\u0640]")
SPACE = re.compile(r"\s+")


def tokens(text: str) -> Counter[str]:
    """\\w+ tokens after NFKC and removal of Arabic diacritics and tatweel, as a multiset."""
    text = DIACRITICS_AND_TATWEEL.sub("", unicodedata.normalize("NFKC", text))
    return Counter(TOKEN.findall(text))


def squash(text: str | None) -> str:
    """Whitespace-normalised text."""
    return SPACE.sub(" ", text or "").strip()


def leak_class(leak: str, gold: dict) -> str:
    """What kind of boilerplate a leaked string is, so a reader sees why it leaked."""
    flat = squash(leak)
    checks = (
        ("headline", flat == squash(gold.get("title"))),
        ("deck", flat == squash(gold.get("subtitle"))),
        ("byline", bool(BYLINE.match(flat) or BYLINE_LINE.match(flat))
         or any(squash(a) in flat for a in gold.get("authors", []))),
        ("date", parse_visible_date(flat, "UTC") is not None and len(flat) <= 60),
        ("captcha", bool(CAPTCHA.match(flat))),
        ("credit/caption", bool(CREDIT.match(flat))),
        ("next/previous", bool(NEIGHBOUR_LABEL.match(flat))),
        ("tags", bool(TAG_LINE.match(flat))),
        ("pointer", bool(POINTER.match(flat))),
        ("notice", bool(NOTICE.search(flat))),
        ("furniture line", is_boilerplate(flat)),
        ("related headline", is_headline_like(flat) and len(flat.split()) >= 3),
    )
    return next((name for name, hit in checks if hit), "other")


@dataclass(frozen=True)
class PageScore:
    precision: float
    recall: float
    f1: float
    leaks: list[str]
    title_ok: bool | None
    date_ok: bool | None
    authors_ok: bool | None = None
    deck_ok: bool | None = None

    def leak_classes(self, gold: dict) -> dict[str, list[str]]:
        """The leaked strings grouped by kind."""
        grouped: dict[str, list[str]] = {}
        for leak in self.leaks:
            grouped.setdefault(leak_class(leak, gold), []).append(leak)
        return grouped


def score_page(text: str, title: str | None, published: str | None, gold: dict,
               authors: list[str] | None = None, subtitle: str | None | bool = False
               ) -> PageScore:
    """Score one extraction against its gold annotation (authors compared exactly, as an
    ordered list; the deck by presence: one when the gold has one, none when it has not).
    `subtitle=False` means the extractor does not report one."""
    """Score one extraction against its gold annotation."""
    got, want = tokens(text or ""), tokens("\n".join(gold["body"]))
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    flat = squash(text)
    leaks = [s for s in gold.get("must_not_contain", []) if squash(s) and squash(s) in flat]
    title_ok = None if title is None and "title" not in gold else squash(title) == squash(
        gold.get("title"))
    date_ok = None if published is None and not gold.get("published") else (
        (published or "")[:10] == (gold.get("published") or ""))
    authors_ok = None if authors is None else authors == gold.get("authors", [])
    deck_ok = None if subtitle is False else (bool(subtitle) == bool(gold.get("subtitle")))
    return PageScore(precision, recall, f1, leaks, title_ok, date_ok, authors_ok, deck_ok)
