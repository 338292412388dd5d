"""html → Article | Reject: pruning, trafilatura, line cleaning, Arabic cleaning, gates."""

from __future__ import annotations

import re
from copy import copy
from functools import cache
from itertools import islice

import lxml.html
import trafilatura
from akhbar.extract.agency import find_agency, without_trailing_tag
from akhbar.extract.arabic import clean_text, count_words, guess_language, normalize_for_search
from akhbar.extract.blocks import text_blocks
from akhbar.extract.clean import clean_lines, split_bylines
from akhbar.extract.dates import parse_visible_date
from akhbar.extract.html import (
    container_of,
    content_roots,
    decode_html,
    has_control_bytes,
    longest_text,
    main_content,
    parse_html,
    prune,
    text_owner,
    unwrap_layout_tables,
    without_control_characters,
)
from akhbar.extract.metadata import Metadata, extract_metadata, persons
from akhbar.extract.model import MAX_PAGE_BYTES, Article, ExtractOptions, Reject
from akhbar.extract.selectors import with_site_selectors
from akhbar.extract.sniff import binary_format, not_html
from lxml.etree import XPath
from trafilatura.settings import Extractor

DEFAULT_OPTIONS = ExtractOptions()
MAX_DATE_LINE = 60
LANGUAGE_NAMES = {"fa": "Persian", "ur": "Urdu", "other": "not Arabic-script"}


def is_date_line(line: str, timezone: str) -> bool:
    """A short line that only states when the article was published or updated."""
    return len(line) <= MAX_DATE_LINE and not line.endswith((".", "؟", "!")) and \
        parse_visible_date(line, timezone) is not None


def _key(line: str) -> str:
    """A line compared as a reader would: without punctuation, spacing or letter case."""
    return " ".join(PUNCTUATION.sub(" ", line).split()).casefold()


PUNCTUATION = re.compile(r"[^\w\s]")
MAX_LABEL_WORDS = 5
MAX_TABLE_CELLS = 5000
MAX_GENERIC_CHARS = 2_000_000
TEXT_SIZE = XPath("string-length(/html)")  # the page's text, counted by libxml2
MAX_GENERIC_ELEMENTS = 100_000
ELEMENTS = XPath("count(//*)")


def _header_lines(metadata: Metadata) -> tuple[set[str], set[str]]:
    """Keys of the headline and deck, and of the section/breadcrumb labels."""
    return ({_key(x) for x in (metadata.title, metadata.subtitle) if x},
            {_key(x) for x in metadata.labels})


def _is_header_line(line: str, headers: tuple[set[str], set[str]]) -> bool:
    """The headline or deck repeated in the text, or a section/breadcrumb label."""
    key = _key(line)
    return key in headers[0] or (len(line.split()) <= MAX_LABEL_WORDS and key in headers[1])


@cache
def _trafilatura_options(tables: bool) -> Extractor:
    """trafilatura's options for the generic path, made once (reading them from its
    configuration took a tenth of a millisecond a page); each page gets a copy with its URL."""
    return Extractor(output_format="python", fast=True, comments=False, tables=tables,
                     images=False, links=False, dedup=False, with_metadata=False)


def _trafilatura_lines(tree: lxml.html.HtmlElement, url: str) -> list[str]:
    """The generic path, for pages that do not say where their article is."""
    # trafilatura's table handling took 180 MB on a page with a 100,000-cell table (and kept
    # none of it): a table that big is data, not article text.
    cells = sum(1 for _ in islice(tree.iter("td", "th"), MAX_TABLE_CELLS + 1))
    options = copy(_trafilatura_options(cells <= MAX_TABLE_CELLS))
    options.url = options.source = url
    document = trafilatura.bare_extraction(tree, options=options)
    return document.text.split("\n") if document is not None and document.text else []


def narrow_to_article(tree: lxml.html.HtmlElement, longest) -> None:
    """Leave in the page's body only the smallest element that holds both the headline and
    the longest run of text, when there is one below the body: the article and its header.
    What lies around it (masthead, menus, sidebars, footer) is furniture whatever it looks
    like, and generic extraction need not read it."""
    headline = next(tree.iter("h1"), None)
    body = next(tree.iter("body"), None)
    if longest is None or headline is None or body is None:
        return
    owner = text_owner(longest)
    holders = {owner, *owner.iterancestors()}
    region = next((e for e in (headline, *headline.iterancestors()) if e in holders), None)
    if region is None or region is body or region.tag == "html" or \
            next(region.iterancestors("body"), None) is not body:
        return
    region.tail = None
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(region)


def _size_in_bytes(html: bytes | str) -> int:
    """The page's size; for text, in UTF-8 (its length when that alone is over the limit)."""
    if isinstance(html, bytes) or len(html) > MAX_PAGE_BYTES:
        return len(html)
    return len(html.encode("utf-8", "replace"))


def extract_article(html: bytes | str, url: str, options: ExtractOptions = DEFAULT_OPTIONS,
                    declared_encoding: str | None = None) -> Article | Reject:
    """Extract the article of one page, or say why there is none."""
    size = _size_in_bytes(html)
    if size > MAX_PAGE_BYTES:  # before anything reads it
        return Reject("too_large", f"{size} bytes, over the page limit of {MAX_PAGE_BYTES}")
    kind = binary_format(html) if isinstance(html, bytes) else None
    if kind:
        return Reject("not_html", f"{kind}, not HTML")
    page = decode_html(html, declared_encoding, options.default_encoding)
    # Bytes without a control byte decode to text without a control character.
    controls = not isinstance(html, bytes) or has_control_bytes(html)
    problem = not_html(page, controls)
    if problem:
        return Reject("not_html", problem)
    try:
        tree = parse_html(without_control_characters(page) if controls else page)
    except ValueError as exc:
        return Reject("not_html", str(exc))
    del page  # the tree has it all: one copy fewer of a big page for the rest of the way
    zone = options.timezone or "UTC"
    longest = longest_text(tree)
    protected = main_content(tree, longest)  # the article's containers, never furniture
    metadata = extract_metadata(tree, zone, url, options.timezone is not None, protected)
    if options.title_selector or options.date_selector or options.author_selector:
        metadata = with_site_selectors(tree, metadata, options, options.timezone is not None)
    unwrap_layout_tables(tree)
    roots = content_roots(tree, options.content_selector, longest)
    if not roots:
        narrow_to_article(tree, longest)
        prune(tree, options.drop_selectors, protected)  # scripts and styles go too
        if longest is not None and (TEXT_SIZE(tree) > MAX_GENERIC_CHARS
                                    or ELEMENTS(tree) > MAX_GENERIC_ELEMENTS):
            # A page of this much text or this many elements is read from the container of
            # its longest text, not by trafilatura, which copies the tree four times (160 MB
            # more on a 1.5-million-word page, 130 MB on a 600,000-element one).
            roots = [container_of(longest)]
    if roots:
        for root in roots:
            prune(root, options.drop_selectors, protected)
        raw_lines = [line for root in roots for block in text_blocks(root)
                     for line in block.split("\n")]
    else:
        raw_lines = _trafilatura_lines(tree, url)
    headers = _header_lines(metadata)
    lines = [line for line in clean_lines([clean_text(ln) for ln in raw_lines])
             if not _is_header_line(line, headers) and not is_date_line(line, zone)]
    paragraphs, byline_names, credits = split_bylines(lines)
    paragraphs, closing_agency = without_trailing_tag(paragraphs)
    if not paragraphs:
        return Reject("no_text", "no article text found on the page")
    text = "\n".join(paragraphs)

    language, arabic_ratio = guess_language(text)
    if language != options.expected_language:
        name = LANGUAGE_NAMES.get(language, language)
        return Reject("language", f"text is {name}, expected {options.expected_language}")
    if arabic_ratio < options.min_arabic_ratio:
        return Reject("language", f"only {arabic_ratio:.0%} of the letters are Arabic")
    word_count = count_words(text)
    if word_count < options.min_words:
        return Reject("too_short", f"{word_count} words, fewer than {options.min_words}")

    return Article(
        url=url,
        title=metadata.title,
        subtitle=metadata.subtitle,
        authors=metadata.authors or persons(byline_names, metadata.site_names),
        agency=find_agency(paragraphs[0], credits + byline_names + metadata.credited,
                           closing_agency),
        lead_image=metadata.lead_image,
        published_at=metadata.published_at,
        modified_at=metadata.modified_at,
        section=metadata.section,
        tags=metadata.tags,
        language=language,
        text=text,
        text_normalized=normalize_for_search(text),
        word_count=word_count,
        canonical_url=metadata.canonical_url,
    )
