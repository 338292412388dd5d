"""Parse what sites publish for discovery: RSS/Atom feeds and sitemaps (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Discovered:
    """A URL found in a feed or sitemap, with the date the source gives for it."""

    url: str
    lastmod: datetime | None = None
    published: datetime | None = None
    day_only: bool = False  # dated by the archive day it is listed under, not by the page

    @property
    def changed_at(self) -> datetime | None:
        """When the source says the page last changed (an archive day says nothing of that)."""
        return None if self.day_only else self.lastmod or self.published

    @property
    def dated(self) -> datetime | None:
        """The date that places the article in a backfill window: publication first."""
        return self.published or self.lastmod


def parse_date(value: str | None) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) as an aware datetime; UTC when unzoned."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _root(body: bytes) -> etree._Element | None:
    try:
        root = etree.fromstring(body.lstrip(), PARSER)
    except etree.XMLSyntaxError:
        return None
    return root


def xml_root_name(body: bytes) -> str | None:
    """The local name of a document's root element; None when it is not XML at all."""
    root = _root(body)
    return _local(root) if root is not None else None


def is_feed(body: bytes) -> bool:
    """Whether a document is an RSS or Atom feed."""
    root = _root(body)
    return root is not None and _local(root) in ("rss", "feed", "RDF")


def parse_feed(body: bytes, base_url: str) -> list[Discovered]:
    """Article links of an RSS 2.0, RSS 1.0 or Atom feed, with their dates."""
    root = _root(body)
    if root is None:
        return []
    found = []
    for element in root.iter():
        kind = _local(element)
        if kind == "item":
            link = _child_text(element, "link")
            if not link:
                guid = next((c for c in element if _local(c) == "guid"), None)
                if guid is not None and guid.get("isPermaLink", "true") != "false":
                    link = (guid.text or "").strip()
            when = _child_text(element, "updated", "modified", "pubDate", "date")
            published = parse_date(_child_text(element, "pubDate", "date"))
        elif kind == "entry":
            link = None
            for child in element:
                if _local(child) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
            when = _child_text(element, "updated", "published")
            published = parse_date(_child_text(element, "published"))
        else:
            continue
        if link:
            found.append(Discovered(urljoin(base_url, link.strip()), parse_date(when), published))
    return found


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[Discovered], list[Discovered]]:
    """(pages, child sitemaps) of a sitemap or sitemap index.

    Google News sitemaps also give `news:publication_date`, which Scrapy's SitemapSpider drops.
    """
    root = _root(body)
    if root is None:
        return [], []
    pages, children = [], []
    for element in root:
        kind = _local(element)
        if kind not in ("url", "sitemap"):
            continue
        loc = _child_text(element, "loc")
        if not loc:
            continue
        lastmod = parse_date(_child_text(element, "lastmod"))
        published = None
        for news in (c for c in element if _local(c) == "news"):
            published = parse_date(_child_text(news, "publication_date")) or published
        entry = Discovered(urljoin(base_url, loc), lastmod, published)
        (pages if kind == "url" else children).append(entry)
    return pages, children


def template_regex(template: str) -> re.Pattern[str]:
    """A regex reading year, month and day out of URLs made from an archive template."""
    pattern = re.escape(template)
    for name, digits in (("yyyy", r"\d{4}"), ("mm", r"\d{1,2}"), ("dd", r"\d{1,2}")):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>{digits})", 1)
    return re.compile(f"^{pattern}$")


def archive_days_linked(links: list[str], templates: tuple[str, ...]) -> dict[date, str]:
    """day → archive URL, for the links of an archive index that match a day template."""
    found: dict[date, str] = {}
    for template in templates:
        regex = template_regex(template)
        for link in links:
            match = regex.match(link)
            if not match:
                continue
            parts = match.groupdict()
            try:
                day = date(int(parts["yyyy"]), int(parts.get("mm") or 1),
                           int(parts.get("dd") or 1))
            except ValueError:
                continue
            found.setdefault(day, link)
    return found
