"""Arabic text cleaning and normalisation with camel-tools, plus script statistics."""

from __future__ import annotations

import re
import unicodedata
from itertools import compress
from operator import not_

from akhbar.extract.lexicon import ARABIC_DIACRITICS, ARABIC_LETTERS, ARABIC_SCRIPT_LETTERS
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.charmap import CharMapper
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

ARCLEAN = CharMapper.builtin_mapper("arclean")
# The same mapping by a regex and str.translate (CharMapper maps one character at a time in
# Python): arclean maps the characters it lists and turns every other one into its default
# (""). Identical output, checked by tests/test_extract_clean.py.
ARCLEAN_TABLE = str.maketrans({k: v for k, v in ARCLEAN._charmap.items() if v is not None})
ARCLEAN_OTHERS = re.compile("[^" + "".join(re.escape(k) for k in ARCLEAN._charmap) + "]")


def arclean(text: str) -> str:
    """camel-tools' arclean mapping of `text`."""
    if ARCLEAN._default is None:  # pragma: no cover - not the built-in arclean map
        return ARCLEAN(text)
    return ARCLEAN_OTHERS.sub(ARCLEAN._default, text).translate(ARCLEAN_TABLE)
# Tatweel stretching a word (كـــتب) goes; tatweel after a prefix before a quote or digit
# (بـ"داعش", لـ2020) marks the join and stays.
KASHIDA = re.compile(rf"(?<=[{ARABIC_LETTERS}{ARABIC_DIACRITICS}])\u0640+(?=[{ARABIC_LETTERS}])")
# Arabic presentation forms (ligatures, contextual glyphs from legacy encoders and PDFs).
PRESENTATION_FORMS = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]+")
INVISIBLES = re.compile(r"[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
UNUSUAL = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF\u0640\u200b\u200e\u200f\u202a-\u202e"
                     r"\u2066-\u2069\u00ad]")
SEARCH_SLICE = 1 << 16
NON_SPACE = re.compile(r"\S+")  # a long text's words one at a time: no list of millions
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
WORD = re.compile(r"\w")


def clean_text(text: str) -> str:
    """Display text: NFC, presentation forms unfolded, no kashida or invisible marks.

    Diacritics, punctuation and digits stay as the author wrote them (camel-tools' `arclean`
    would also rewrite those, so it is kept for the search form).
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if UNUSUAL.search(text):  # most text has none of these: skip three passes
        text = PRESENTATION_FORMS.sub(lambda m: normalize_unicode(m.group()), text)
        text = KASHIDA.sub("", INVISIBLES.sub("", text))
    return SPACES.sub(" ", text).strip()


def _search_form(text: str) -> str:
    """The search form of a piece of text."""
    text = dediac_ar(arclean(text))
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    return normalize_teh_marbuta_ar(text)


def normalize_for_search(text: str) -> str:
    """Search form: arclean, dediacritised, alef/alef-maksura/teh-marbuta unified. Every step
    maps characters one by one, so long texts go in slices (four whole copies of a
    1.5-million-word text at once were 75 MB)."""
    return "".join(_search_form(text[i:i + SEARCH_SLICE])
                   for i in range(0, len(text), SEARCH_SLICE))


def count_words(text: str) -> int:
    """Words (tokens with a letter or digit) by camel-tools' simple tokenizer.

    The tokenizer splits whitespace-separated words at punctuation, symbols and emoji; a word
    of letters and digits only stays one token, so only the other words are handed to it
    (the same count, without its per-character loop over every word).
    """
    if len(text) >= SEARCH_SLICE * 16:  # one word at a time
        return sum(1 if word.isalnum() else _tokens_with_a_word(word)
                   for word in map(re.Match.group, NON_SPACE.finditer(text)))
    words = text.split()
    alnum = list(map(str.isalnum, words))  # (in C: most words are letters and digits only)
    return sum(alnum) + sum(map(_tokens_with_a_word, compress(words, map(not_, alnum))))


def _tokens_with_a_word(word: str) -> int:
    return sum(1 for token in simple_word_tokenize(word) if WORD.search(token))


def count_matches(letters: re.Pattern[str], text: str) -> int:
    """How many characters of `text` a character class matches (`letters` is the class
    repeated, `[…]+`: runs of letters are found, not each letter), slice by slice (findall
    over a whole 10 MB page made millions of one-letter strings at once: 300 MB)."""
    return sum(sum(map(len, letters.findall(text, start, start + SEARCH_SLICE)))
               for start in range(0, len(text), SEARCH_SLICE))


ARABIC_LETTER = re.compile(f"[{ARABIC_SCRIPT_LETTERS}]+")
LATIN_LETTER = re.compile("[A-Za-z]+")
# Letters used by Persian or Urdu but not by Arabic.
PERSIAN_LETTERS = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]+")  # پ چ ژ گ ک ی
URDU_LETTERS = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]+")  # ٹ ڈ ڑ ں ھ ہ ے


def guess_language(text: str) -> tuple[str, float]:
    """('ar' | 'fa' | 'ur' | 'other', share of Arabic-script letters among letters).

    Persian and Urdu are written in the Arabic script; their own letters give them away.
    """
    arabic = count_matches(ARABIC_LETTER, text)
    latin = count_matches(LATIN_LETTER, text)
    letters = arabic + latin
    ratio = arabic / letters if letters else 0.0
    if arabic == 0:
        return "other", ratio
    urdu = count_matches(URDU_LETTERS, text) / arabic
    persian = count_matches(PERSIAN_LETTERS, text) / arabic
    if urdu > 0.01:
        return "ur", ratio
    if persian > 0.01:
        return "fa", ratio
    return "ar", ratio
