"""The corpus measure (shared/corpus/README.md): bag-of-token P/R/F1, leaks, title, date."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

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


@dataclass(frozen=True)
class PageScore:
    precision: float
    recall: float
    f1: float
    leaks: list[str]
    title_ok: bool | None
    date_ok: bool | None
    authors_ok: bool | None = None


def score_page(text: str, title: str | None, published: str | None, gold: dict,
               authors: list[str] | None = None) -> PageScore:
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
    return PageScore(precision, recall, f1, leaks, title_ok, date_ok, authors_ok)
