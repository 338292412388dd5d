"""Which encoding a page is in: declared (header, <meta>, BOM) when the bytes agree, else sniffed.

Arabic sites still serve windows-1256 and ISO-8859-6 pages, often with no declaration or a wrong
one (a server default of UTF-8 or ISO-8859-1). Generic detectors fall back to windows-1252 and
turn them into Latin mojibake, so candidates are judged by how much Arabic they decode to.
"""

from __future__ import annotations

import codecs
import re

from akhbar.extract.lexicon import ARABIC_LETTERS
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

ARABIC_CANDIDATES = ("utf-8", "windows-1256", "iso-8859-6")
ARABIC_LETTER = re.compile(f"[{ARABIC_LETTERS}]")
# What an Arabic page decoded with the wrong single-byte table tends to show.
MOJIBAKE = re.compile(r"[\u00c0-\u00ff\u0080-\u009f\ufffd]")
SAMPLE_BYTES = 64 * 1024
ASCII_BYTES = bytes(range(0x80))
MOSTLY_UTF8_ERRORS = 0.01  # broken sequences per non-ASCII byte a UTF-8 page may have
WEB_NAMES = {"cp1256": "windows-1256", "iso8859-6": "iso-8859-6", "cp1252": "windows-1252",
             "latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1"}


def normalise_name(name: str | None) -> str | None:
    """Python's canonical name for an encoding label, or None if Python does not know it."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return WEB_NAMES.get(codec, codec)


def _score(body: bytes, encoding: str) -> float:
    """Arabic letters decoded, minus a heavy price for mojibake and undecodable bytes."""
    text = body[:SAMPLE_BYTES].decode(encoding, errors="replace")
    return len(ARABIC_LETTER.findall(text)) - 4 * len(MOJIBAKE.findall(text))


def _decodes_cleanly(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _mostly_utf8(body: bytes) -> bool:
    """Whether nearly all the bytes above ASCII form valid UTF-8: a single-byte Arabic page
    read as UTF-8 breaks on almost every letter, a damaged UTF-8 page only here and there."""
    sample = body[:SAMPLE_BYTES]
    high = len(sample.translate(None, ASCII_BYTES))  # (the bytes above ASCII, counted in C)
    broken = sample.decode("utf-8", errors="replace").count("\ufffd") \
        - sample.count("\ufffd".encode())
    return high > 0 and broken <= MOSTLY_UTF8_ERRORS * high


def detect_encoding(body: bytes, content_type: str | None = None,
                    default: str | None = None) -> str:
    """The encoding to decode `body` with, as a Python codec name."""
    bom_encoding, _ = read_bom(body)
    if bom_encoding:
        return normalise_name(bom_encoding) or "utf-8"
    declared = [normalise_name(http_content_type_encoding(content_type or "")),
                normalise_name(html_body_declared_encoding(body[:SAMPLE_BYTES]))]
    candidates = [e for e in (*declared, normalise_name(default), *ARABIC_CANDIDATES) if e]
    candidates = list(dict.fromkeys(candidates))
    if body[:SAMPLE_BYTES].isascii():
        return next((e for e in declared if e), "utf-8")
    # Valid multi-byte UTF-8 is vanishingly unlikely in a legacy single-byte page; one that is
    # UTF-8 but for a few broken sequences (a truncating editor, a bad copy) is still UTF-8.
    if _decodes_cleanly(body, "utf-8") or _mostly_utf8(body):
        return "utf-8"
    best = max(candidates, key=lambda e: (_score(body, e), -candidates.index(e)))
    # A declaration wins when its decoding is as good as the best one.
    for encoding in declared:
        if encoding and _decodes_cleanly(body, encoding) and \
                _score(body, encoding) >= _score(body, best):
            return encoding
    return best
