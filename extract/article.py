"""html → Article | Reject: pruning, trafilatura, line cleaning, Arabic cleaning, gates."""

from __future__ import annotations

import trafilatura
from akhbar.extract.arabic import clean_text, count_words, guess_language, normalize_for_search
from akhbar.extract.clean import clean_lines
from akhbar.extract.html import decode_html, parse_html, prune
from akhbar.extract.metadata import extract_metadata, parse_datetime, persons
from akhbar.extract.model import Article, ExtractOptions, Reject

DEFAULT_OPTIONS = ExtractOptions()
LANGUAGE_NAMES = {"fa": "Persian", "ur": "Urdu", "other": "not Arabic-script"}


def extract_article(html: bytes | str, url: str, options: ExtractOptions = DEFAULT_OPTIONS,
                    declared_encoding: str | None = None) -> Article | Reject:
    """Extract the article of one page, or say why there is none."""
    try:
        tree = parse_html(decode_html(html, declared_encoding, options.default_encoding))
    except ValueError as exc:
        return Reject("not_html", str(exc))
    metadata = extract_metadata(tree, options.timezone)
    root = prune(tree, options.drop_selectors, options.content_selector)
    document = trafilatura.bare_extraction(
        root, url=url, include_comments=False, with_metadata=True, include_tables=True,
        include_images=False, include_links=False, deduplicate=False,
    )
    raw_text = document.text if document is not None and document.text else ""
    title = metadata["title"] or (clean_text(document.title) if document and document.title
                                  else None)
    headers = {title, metadata["subtitle"]} - {None}
    paragraphs = [line for line in clean_lines([clean_text(ln) for ln in raw_text.split("\n")])
                  if line not in headers]
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

    published_at = metadata["published_at"] or (
        parse_datetime(document.date, options.timezone) if document and document.date else None
    )
    authors = metadata["authors"]
    if not authors and document and document.author and document.author != document.sitename:
        authors = persons([document.author])
    return Article(
        url=url,
        title=title,
        subtitle=metadata["subtitle"],
        authors=authors,
        published_at=published_at,
        modified_at=metadata["modified_at"],
        section=metadata["section"] or (clean_text(document.categories[0])
                                        if document and document.categories else None),
        tags=metadata["tags"] or ([clean_text(t) for t in document.tags] if document else []),
        language=language,
        text=text,
        text_normalized=normalize_for_search(text),
        word_count=word_count,
        canonical_url=metadata["canonical_url"],
    )
