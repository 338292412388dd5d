"""A site's own selectors for title, date and authors, where its markup defeats the generic
rules (a seed's `[extraction]` title_selector, date_selector + date_format, author_selector)."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import lxml.html
from akhbar.extract.arabic import clean_text
from akhbar.extract.dates import DIGITS, parse_datetime, parse_visible_date
from akhbar.extract.html import css_xpath
from akhbar.extract.metadata import Metadata, persons
from akhbar.extract.model import ExtractOptions
from lxml.etree import XPath

# What each strptime directive may look like in text, to find the date inside a longer line
# ("تاريخ النشر: 05/03/2019 - 10:30").
DIRECTIVES = {"d": r"\d{1,2}", "m": r"\d{1,2}", "Y": r"\d{4}", "y": r"\d{2}", "H": r"\d{1,2}",
              "I": r"\d{1,2}", "M": r"\d{2}", "S": r"\d{2}", "j": r"\d{1,3}", "b": r"[^\W\d_]+",
              "B": r"[^\W\d_]+", "a": r"[^\W\d_]+", "A": r"[^\W\d_]+", "p": r"[^\W\d_]+",
              "z": r"[+-]\d{2}:?\d{2}", "%": "%"}
ANY = r"\S+"
DATE_ATTRIBUTES = ("datetime", "content", "data-date", "title")


@lru_cache(maxsize=256)
def _xpath(selector: str) -> XPath:
    return css_xpath(selector)


@lru_cache(maxsize=64)
def format_regex(date_format: str) -> re.Pattern[str]:
    """A regex that finds text written in a strptime format."""
    parts, i = [], 0
    while i < len(date_format):
        if date_format[i] == "%" and i + 1 < len(date_format):
            parts.append("(" + DIRECTIVES.get(date_format[i + 1], ANY) + ")")
            i += 2
        else:
            parts.append(r"\s+" if date_format[i].isspace() else re.escape(date_format[i]))
            i += 1
    return re.compile("".join(parts))


def date_in_format(text: str, date_format: str, timezone: str) -> datetime | None:
    """The first date in `text` written in `date_format`, in the site's zone if it has none."""
    text = " ".join(text.translate(DIGITS).split())
    for match in format_regex(date_format).finditer(text):
        try:
            moment = datetime.strptime(" ".join(match.group(0).split()), date_format)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
    return None


def _selected(tree: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    return [e for e in _xpath(selector)(tree) if isinstance(e, lxml.html.HtmlElement)]


def selected_date(tree: lxml.html.HtmlElement, selector: str, date_format: str | None,
                  timezone: str, convert: bool = True) -> datetime | None:
    """The date the site's selector points at: a machine-readable attribute first, else the
    text (in `date_format` when given, else any date akhbar reads)."""
    for element in _selected(tree, selector):
        for attribute in DATE_ATTRIBUTES:
            moment = parse_datetime(element.get(attribute), timezone, convert)
            if moment:
                return moment
        text = element.text_content()
        moment = (date_in_format(text, date_format, timezone) if date_format
                  else parse_visible_date(text, timezone))
        if moment:
            return moment
    return None


def with_site_selectors(tree: lxml.html.HtmlElement, metadata: Metadata,
                        options: ExtractOptions, convert: bool = True) -> Metadata:
    """The page's metadata with what the site's selectors find put first; a selector that
    finds nothing leaves the generic value."""
    changes: dict = {}
    if options.title_selector:
        titles = [clean_text(e.text_content()) for e in _selected(tree, options.title_selector)]
        title = next((t for t in titles if t), None)
        if title:
            changes["title"] = title
    if options.date_selector:
        moment = selected_date(tree, options.date_selector, options.date_format,
                               options.timezone or "UTC", convert)
        if moment:
            changes["published_at"] = moment
    if options.author_selector:
        names = [clean_text(e.text_content()) for e in _selected(tree, options.author_selector)]
        authors = persons([n for n in names if n], metadata.site_names)
        if authors:
            changes["authors"] = authors
    return dataclasses.replace(metadata, **changes) if changes else metadata
