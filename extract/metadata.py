"""Article metadata: JSON-LD and meta tags first, then what the page shows readers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import lxml.html
from akhbar.extract.arabic import clean_text
from akhbar.extract.clean import is_boilerplate
from akhbar.extract.dates import parse_datetime
from akhbar.extract.header import TITLE_SEPARATOR, PageHeader, is_site_name, strip_site_name
from akhbar.extract.lexicon import (
    AGENCIES,
    BYLINE_WORDS,
    CREDIT_WORDS,
    NON_PERSON_WORDS,
    phrases,
)
from lxml.etree import XPath

JSON_LD = XPath("//script[@type='application/ld+json']/text()")
META = XPath("//*[@content or @datetime][@property or @name or @itemprop]")
DOCUMENT_TITLE = XPath("//title/text()")
# /2013/middle_east/8/3/…, /story/2020/8/24/…, /2020/05/23/…, /2020-06-03-…
URL_DATE = re.compile(r"/((?:19|20)\d{2})/(?:[a-z_-]+/)?(\d{1,2})/(\d{1,2})(?:/|$)|"
                      r"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?=[-/_.]|$)")
PUBLISHED_KEYS = ("article:published_time", "datepublished", "dc:date", "dc.date",
                  "dc.date.issued", "dcterms.created", "dc:created", "date.created",
                  "publish-date", "pubdate", "publishdate", "sailthru.date",
                  "parsely-pub-date", "date", "og:published_time")
MODIFIED_KEYS = ("article:modified_time", "datemodified", "og:updated_time", "date.modified",
                 "date.updated", "lastmod", "dcterms.modified")
SITE_NAME_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title",
                  "twitter:site", "publisher", "dc.publisher", "copyright")
TIME_PUBLISHED = XPath("//time[@itemprop='datePublished' or contains(@class, 'publish')]"
                       "/@datetime")
TIME_DATETIME = XPath("//article//time/@datetime|//time/@datetime")
TAG_LINKS = XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")
FEED_WORDS = re.compile(r"\b(?:rss|atom|feed|xml)\b(?:\s*\d(?:\.\d)?)?", re.IGNORECASE)
FEED_TITLES = XPath("//link[@rel='alternate'][contains(@type, 'rss') or "
                    "contains(@type, 'atom')]/@title")
CANONICAL = XPath("//link[@rel='canonical']/@href")
ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting",
                 "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage", "LiveBlogPosting",
                 "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle"}
ORGANISATION_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite",
                      "NGO", "GovernmentOrganization", "EducationalOrganization"}
# Names that are agencies, desks or roles, not persons (Latin agency names that are also
# given names, such as Sana or Petra, are left to the Arabic spelling).
AGENCY_SPELLINGS = [s for spellings in AGENCIES.values() for s in spellings
                    if not s.isascii()] + ["reuters", "afp", "associated press", "ap", "dpa",
                                           "anadolu", "xinhua", "kuna"]
NOT_A_PERSON = re.compile(
    rf"(?<!\w)(?:{'|'.join(AGENCY_SPELLINGS)}|{phrases(NON_PERSON_WORDS)}|أ\.ف\.ب)(?!\w)",
    re.IGNORECASE)
NOT_A_NAME = re.compile(r"https?://|www\.|[()\[\]@]|\d")
NAME_DASH = re.compile(r"\s+[-–—|]\s+")
PLACE_SUFFIX = re.compile(r"\s+[-–—]\s+\S+(?:\s\S+)?\s*$")
BYLINE_PREFIX = re.compile(rf"^(?:(?:{phrases(BYLINE_WORDS + CREDIT_WORDS)})\s*[:：\-–—]\s*|"
                           rf"(?:{phrases(BYLINE_WORDS)})\s+)", re.IGNORECASE)
NAME_SEPARATORS = re.compile(r"\s*(?:،|,| و(?=\S)|\band\b)\s*")
SITE_NAME_WORDS = re.compile(r"^(?:صحيفة|جريدة|موقع|بوابة|شبكة|مجلة|وكالة|قناة|the)\s+",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Metadata:
    """What a page says about its article, apart from the text."""

    title: str | None
    subtitle: str | None
    authors: list[str]
    credited: list[str]
    lead_image: str | None
    published_at: datetime | None
    modified_at: datetime | None
    section: str | None
    tags: list[str]
    canonical_url: str | None
    site_names: frozenset[str]
    labels: frozenset[str]


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict]:
    for raw in JSON_LD(tree):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)


def _types(item: dict) -> set:
    kinds = item.get("@type")
    return {k for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)}


def _article_json_ld(objects: list[dict]) -> dict:
    for item in objects:
        if _types(item) & ARTICLE_TYPES and ("headline" in item or "datePublished" in item):
            return item
    return {}


def _meta(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in META(tree):
        key = (element.get("property") or element.get("name") or element.get("itemprop")).lower()
        value = element.get("content")
        found.setdefault(key, []).append((element.get("datetime", "") if value is None
                                          else value).strip())
    return found


def _names(value, people_only: bool = False) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if people_only and not (_types(value) <= {"Person"}):
            return []
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item, people_only)]
    return []


def _organisations(objects: list[dict], article: dict) -> list[str]:
    """Names of the organisations a page's JSON-LD declares: publisher, site, org authors."""
    names = _names(article.get("publisher"))
    for item in objects:
        if _types(item) & ORGANISATION_TYPES:
            names += _names(item.get("name")) + _names(item.get("alternateName"))
    for author in article.get("author") or [] if isinstance(article.get("author"), list) \
            else [article.get("author")]:
        if isinstance(author, dict) and _types(author) & ORGANISATION_TYPES:
            names += _names(author.get("name"))
    return names


def _feed_site_name(title: str) -> str:
    """The site in a feed link's title: "Site » Feed", "Site - RSS", "Site » X Comments"."""
    parts = TITLE_SEPARATOR.split(title.strip(), maxsplit=1)
    return parts[0] if len(parts) > 1 else FEED_WORDS.sub("", title).strip()


def _title_residue(titles: list[str], headlines: list[str | None]) -> list[str]:
    """What the <title> adds around the declared headline: the site's name."""
    names = []
    for title in titles[:1]:
        for headline in headlines:
            if headline and len(headline) > 10 and headline in title and headline != title:
                residue = title.replace(headline, " ").strip(" |-–—:«»·•/")
                if residue and len(residue.split()) <= 6:
                    names.append(residue)
    return names


def site_names_of(url: str | None, declared: list[str]) -> frozenset[str]:
    """The site's own names, lower-cased: declared names (with and without "صحيفة"/"the"),
    and the host's name without www and its top-level domain."""
    names = set()
    for name in declared:
        name = clean_text(name).lstrip("@").lower()
        if name:
            names |= {name, SITE_NAME_WORDS.sub("", name)}
    host = (urlsplit(url or "").hostname or "").removeprefix("www.")
    if host:
        label = host.rsplit(".", 1)[0]
        names |= {label, label.replace(".", " ")}
    return frozenset(n for n in names if len(n) > 1)


def persons(names: list[str], site_names: frozenset[str] = frozenset()) -> list[str]:
    """Person names, cleaned and de-duplicated in order; agencies, desks, the site itself
    (by any of its names), links and places left out."""
    seen: list[str] = []
    for raw in names:
        raw = BYLINE_PREFIX.sub("", raw.strip())
        # "Site - Name", "Name - Place": the part that is not the site; else no place
        parts = [p for p in NAME_DASH.split(raw) if p]
        if len(parts) > 1 and any(is_site_name(p, site_names) for p in parts):
            raw = " ".join(p for p in parts if not is_site_name(p, site_names))
        if NOT_A_NAME.search(raw) or not raw or is_site_name(raw, site_names):
            continue
        raw = PLACE_SUFFIX.sub("", raw)
        for name in NAME_SEPARATORS.split(raw):
            name = clean_text(BYLINE_PREFIX.sub("", name))
            if name and len(name.split()) <= 5 and not NOT_A_PERSON.search(name) \
                    and not is_boilerplate(name) and not is_site_name(name, site_names) \
                    and name not in seen:
                seen.append(name)
    return seen


def date_from_url(url: str | None, timezone: str) -> datetime | None:
    """The publication day a URL spells out, at midnight in the site's timezone."""
    match = URL_DATE.search(url or "")
    if not match:
        return None
    year, month, day = (int(g) for g in (match.groups()[:3] if match[1] else match.groups()[3:]))
    try:
        return datetime(year, month, day, tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None


def _lead_image(ld: dict, first) -> str | None:
    image = ld.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url")
    return (image if isinstance(image, str) else None) or first("og:image", "twitter:image")


def _tags(ld: dict, meta: dict[str, list[str]], tree: lxml.html.HtmlElement) -> list[str]:
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"\s*[,،]\s*", keywords) if k]
    tags = meta.get("article:tag") or keywords or [a.text_content() for a in TAG_LINKS(tree)]
    found: list[str] = []
    for tag in tags:
        tag = clean_text(tag) if isinstance(tag, str) else ""
        if tag and tag not in found:
            found.append(tag)
    return found


def extract_metadata(tree: lxml.html.HtmlElement, timezone: str, url: str | None = None,
                     convert: bool = True, protected: set | None = None) -> Metadata:
    """Title, deck, authors, dates, section, tags and canonical URL of a page's article;
    declared times in the site's `timezone` (kept in their own offset when not `convert`)."""
    objects = list(_json_ld_objects(tree))
    ld = _article_json_ld(objects)
    meta = _meta(tree)

    def first(*keys: str) -> str | None:
        for key in keys:
            if meta.get(key):
                return meta[key][0]
        return None

    declared_title = ld.get("headline") if isinstance(ld.get("headline"), str) else None
    site_names = site_names_of(url, [v for k in SITE_NAME_KEYS for v in meta.get(k, [])]
                               + _organisations(objects, ld) + [
                                   _feed_site_name(t) for t in FEED_TITLES(tree)]
                               + _title_residue(DOCUMENT_TITLE(tree), [
                                   declared_title, first("og:title", "twitter:title")]))
    header = PageHeader(tree, protected)
    labels = header.labels()
    h1 = header.h1(site_names)
    if h1 is not None and clean_text(h1.text_content()) in labels:
        h1 = None  # the section's name ("اقتصاد") set as the page's <h1>, not a headline
    if h1 is not None:
        title: str | None = clean_text(h1.text_content())
        headline_element = h1
    else:
        candidates = [declared_title, first("og:title", "twitter:title"),
                      *DOCUMENT_TITLE(tree)]
        title = next((strip_site_name(clean_text(c), site_names) for c in candidates
                      if c and clean_text(c)), None)
        headline_element = header.headline_element(title)
        if headline_element is not None and title is None:
            title = clean_text(headline_element.text_content())
    subtitle = header.deck(headline_element, title)

    credited = _names(ld.get("author")) + meta.get("author", []) + meta.get(
        "article:author", [])
    authors = (persons(header.header_bylines(headline_element), site_names)
               or persons(_names(ld.get("author"), people_only=True), site_names)
               or persons(header.marked_bylines(), site_names)
               or persons(meta.get("author", []) + meta.get("article:author", []), site_names))

    times = TIME_PUBLISHED(tree) or TIME_DATETIME(tree)
    published_at = (parse_datetime(ld.get("datePublished") or first(*PUBLISHED_KEYS), timezone,
                                   convert)
                    or parse_datetime(times[0] if times else None, timezone, convert))
    modified_at = parse_datetime(ld.get("dateModified") or first(*MODIFIED_KEYS), timezone,
                                 convert)
    if published_at is None or modified_at is None:
        shown, updated = header.dates(headline_element, timezone, convert)
        published_at = published_at or shown or date_from_url(url, timezone)
        modified_at = modified_at or updated

    section = ld.get("articleSection") or first("article:section")
    if isinstance(section, list):
        section = section[0] if section else None
    section = clean_text(section) if isinstance(section, str) and clean_text(section) else None
    canonical = CANONICAL(tree)
    return Metadata(
        title=title,
        subtitle=subtitle,
        authors=authors,
        credited=[name for name in credited if isinstance(name, str)],
        lead_image=_lead_image(ld, first),
        published_at=published_at,
        modified_at=modified_at,
        section=section,
        tags=_tags(ld, meta, tree),
        canonical_url=canonical[0].strip() if canonical else None,
        site_names=site_names,
        labels=labels | ({section} if section else set()),
    )
