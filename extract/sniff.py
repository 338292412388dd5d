"""Whether a page is HTML at all: a PDF, an image or a compressed file served as an article, or
bytes that are no text, are rejected before parsing instead of read as text in some language."""

from __future__ import annotations

import re

# Leading bytes of binary formats met where a page was expected
# (https://mimesniff.spec.whatwg.org/#matching-a-mime-type-pattern).
SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"OggS", "an Ogg audio or video file"),
    (b"ID3", "an MP3 file"),
    (b"\x1aE\xdf\xa3", "a WebM or Matroska video"),
    (b"\x7fELF", "an executable"),
)
BZIP2 = re.compile(rb"BZh[1-9]1AY&SY")
ISO_MEDIA = b"ftyp"  # MP4, QuickTime, HEIF and AVIF, at byte 4
SNIFF_CHARS = 64 * 1024
MARKUP = re.compile(r"<(?:[a-zA-Z][\w:-]*[\s/>]|!--|!doctype)", re.IGNORECASE)


def binary_format(body: bytes) -> str | None:
    """The binary format a page's bytes start with (a PDF, a PNG image ...), or None."""
    if body[4:8] == ISO_MEDIA:
        return "an MP4, QuickTime or HEIF file"
    for signature, name in SIGNATURES:
        if body.startswith(signature):
            if signature == b"BZh" and not BZIP2.match(body):
                continue
            return name
    return None


# A few NULs or other control bytes are a CMS's slip in an HTML page; many are binary data.
BINARY_CONTROL_SHARE = 0.01
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def not_html(text: str, controls: bool = True) -> str | None:
    """Why a decoded page is no HTML (binary data, no markup), or None when it may be.
    `controls=False` says the page is known to hold no control character (its bytes had
    none: html.has_control_bytes), which spares a pass over its first 64 KB."""
    sample = text[:SNIFF_CHARS]
    if controls and len(CONTROL.findall(sample)) > BINARY_CONTROL_SHARE * len(sample):
        return "binary data (NUL bytes and other control bytes), not HTML"
    if not MARKUP.search(text):
        return "no HTML markup in the page"
    return None
