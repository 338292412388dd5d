"""Article metadata from JSON-LD, OpenGraph/meta tags and the visible header."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import lxml.html
from akhbar.extract.arabic import clean_text
from akhbar.extract.dates import is_update_stamp, parse_visible_date
from lxml.etree import XPath

JSON_LD = XPath("//script[@type='application/ld+json']/text()")
META = XPath("//*[@property or @name or @itemprop][@content]")
H1 = XPath("//h1")
TIME_PUBLISHED = XPath("//time[@itemprop='datePublished' or contains(@class, 'publish')]"
                       "/@datetime")
NOT_HEADLINE = re.compile(r"logo|brand|site-title|site-name|masthead|hdr|banner", re.IGNORECASE)
ARABIC = re.compile(r"[\u0621-\u064a]")
DOCUMENT_TITLE = XPath("//title/text()")
# /2013/middle_east/8/3/…, /story/2020/8/24/…, /2020/05/23/…, /2020-06-03-…
URL_DATE = re.compile(r"/((?:19|20)\d{2})/(?:[a-z_-]+/)?(\d{1,2})/(\d{1,2})(?:/|$)|"
                      r"/((?:19|20)\d{2})-(\d{2})-(\d{2})(?=[-/_.]|$)")
# Elements where themes print the date for readers.
DATE_ELEMENTS = XPath("//time|//*[contains(@class, 'date') or contains(@class, 'time') or "
                      "contains(@class, 'publish') or contains(@id, 'date')]"
                      "[not(self::script or self::style or self::meta)]")
MAX_DATE_TEXT = 200
PUBLISHED_KEYS = ("article:published_time", "datepublished", "dc:date", "dc.date",
                  "dc.date.issued", "dcterms.created", "dc:created", "date.created",
                  "publish-date", "pubdate", "publishdate", "sailthru.date",
                  "parsely-pub-date", "date", "og:published_time")
MODIFIED_KEYS = ("article:modified_time", "datemodified", "og:updated_time", "date.modified",
                 "date.updated", "lastmod", "dcterms.modified")
SUBTITLE = XPath(
    "//*[self::h2 or self::h3 or self::p or self::div]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' entry-sub-title ') or "
    "contains(@class, 'subtitle') or contains(@class, 'sub-title') or "
    "contains(@class, 'article-deck') or contains(@class, 'standfirst')]"
)
TIME_DATETIME = XPath("//article//time/@datetime|//time/@datetime")
TAG_LINKS = XPath("//a[@rel='tag']")
CANONICAL = XPath("//link[@rel='canonical']/@href")
HTML_LANG = XPath("/html/@lang")
ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting",
                 "AnalysisNewsArticle", "OpinionNewsArticle", "WebPage"}
# Names that are organisations or agencies, not persons.
NOT_A_PERSON = re.compile(
    r"(وكالات|وكالة|رويترز|أ ف ب|أ\.ف\.ب|فرانس برس|الأناضول|كونا|واس|وام|د ب أ|"
    r"reuters|afp|associated press|\bap\b|staff|editor|desk|محرر|المحرر|فريق التحرير)",
    re.IGNORECASE,
)
NOT_A_NAME = re.compile(r"https?://|www\.|[()\[\]@]|\d")
PLACE_SUFFIX = re.compile(r"\s+[-–—]\s+\S+(?:\s\S+)?\s*$")
BYLINE_PREFIX = re.compile(r"^(?:كتبت|كتب|بقلم|حوار|إعداد|تقرير|by)(?:\s*[:：]\s*|\s+)",
                           re.IGNORECASE)
BYLINE_ELEMENTS = XPath(
    "//*[@rel='author' or (@itemprop='author' and not(@content)) or contains(@class, 'byline')"
    " or contains(@class, 'writeBy') or contains(@class, 'writer') or "
    "contains(@class, 'author-name') or contains(@aria-labelledby, 'byline')]"
    "[not(self::meta or self::link)]")
TITLE_SUFFIX = re.compile(r"\s+[|\-–—«»:]\s+[^|\-–—]{1,60}$")


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


def _article_json_ld(tree: lxml.html.HtmlElement) -> dict:
    for item in _json_ld_objects(tree):
        kinds = item.get("@type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        if kinds & ARTICLE_TYPES and ("headline" in item or "datePublished" in item):
            return item
    return {}


def _meta(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for element in META(tree):
        key = (element.get("property") or element.get("name") or element.get("itemprop")).lower()
        found.setdefault(key, []).append(element.get("content").strip())
    return found


def parse_datetime(value: str | None, timezone: str) -> datetime | None:
    """An ISO-8601 or RFC 822 date(time) as an aware datetime; naive values are in `timezone`."""
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            day = date.fromisoformat(value[:10])
            moment = datetime(day.year, day.month, day.day)
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def _names(value, people_only: bool = False) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if people_only and value.get("@type") not in (None, "Person"):
            return []
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item, people_only)]
    return []


def visible_bylines(tree: lxml.html.HtmlElement) -> list[str]:
    """Names in the byline elements readers see ("كتبت أسماء نصار", "Author, …")."""
    names = []
    for element in BYLINE_ELEMENTS(tree):
        texts = [t.strip(" ,،") for t in element.itertext() if t.strip(" ,،")]
        if "Author" in texts:  # BBC-style labelled byline: the value follows its label
            index = texts.index("Author")
            texts = texts[index + 1:index + 2]
        text = " ".join(texts)
        if 2 < len(text) <= 80:
            names.append(text)
    return names


def persons(names: list[str], site_name: str | None = None) -> list[str]:
    """Person names, cleaned and de-duplicated in order; agencies, desks, the site itself,
    links and places left out."""
    seen: list[str] = []
    for raw in names:
        if NOT_A_NAME.search(raw) or (site_name and site_name.lower() in raw.lower()):
            continue
        raw = PLACE_SUFFIX.sub("", raw)
        for name in re.split(r"\s*(?:،|,| و(?=\S)|\band\b)\s*", raw):
            name = clean_text(BYLINE_PREFIX.sub("", name))
            if name and len(name.split()) <= 5 and not NOT_A_PERSON.search(name) \
                    and name not in seen:
                seen.append(name)
    return seen


def strip_site_name(title: str, site_name: str | None) -> str:
    """A title without its ' | Site' or ' - Site' suffix."""
    if site_name and title.endswith(site_name):
        stripped = title[: -len(site_name)].rstrip(" |-–—:«»")
        if stripped:
            return stripped
    return title


def _first_text(elements: list) -> str | None:
    for element in elements:
        text = clean_text(element.text_content())
        if text:
            return text
    return None


def headline(tree: lxml.html.HtmlElement, site_name: str | None) -> str | None:
    """The visible <h1>, unless it is the site's logo or name."""
    arabic_page = any(ARABIC.search(t) for t in DOCUMENT_TITLE(tree))
    for h1 in H1(tree):
        marked = " ".join(f"{e.get('class', '')} {e.get('id', '')}"
                          for e in (h1, *h1.iterancestors()))
        text = clean_text(h1.text_content())
        if not text or NOT_HEADLINE.search(marked) or text == site_name or (
                arabic_page and not ARABIC.search(text)):
            continue
        return text
    return None


def visible_dates(tree: lxml.html.HtmlElement,
                  timezone: str) -> tuple[datetime | None, datetime | None]:
    """(published, updated) as printed on the page for readers."""
    published = updated = None
    for element in DATE_ELEMENTS(tree):
        text = element.text_content()
        if len(text) > MAX_DATE_TEXT:
            continue
        moment = parse_visible_date(text, timezone)
        if moment is None:
            continue
        if is_update_stamp(text):
            updated = updated or moment
        elif published is None:
            published = moment
        if published and updated:
            break
    return published, updated


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


def extract_metadata(tree: lxml.html.HtmlElement, timezone: str, url: str | None = None) -> dict:
    """Title, subtitle, authors, dates, section, tags, canonical URL and declared language."""
    ld = _article_json_ld(tree)
    meta = _meta(tree)

    def first(*keys: str) -> str | None:
        for key in keys:
            if meta.get(key):
                return meta[key][0]
        return None

    site_name = first("og:site_name")
    title = headline(tree, site_name) or strip_site_name(
        clean_text(ld.get("headline") or first("og:title", "twitter:title") or ""), site_name
    ) or None
    subtitle = _first_text(SUBTITLE(tree))
    if subtitle == title:
        subtitle = None
    credited = _names(ld.get("author")) + meta.get("author", []) + meta.get(
        "article:author", [])
    authors = (persons(_names(ld.get("author"), people_only=True), site_name)
               or persons(visible_bylines(tree), site_name)
               or persons(meta.get("author", []) + meta.get("article:author", []), site_name))
    image = ld.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url")
    times = TIME_PUBLISHED(tree) or TIME_DATETIME(tree)
    published_at = (parse_datetime(ld.get("datePublished") or first(*PUBLISHED_KEYS), timezone)
                    or parse_datetime(times[0] if times else None, timezone))
    modified_at = parse_datetime(ld.get("dateModified") or first(*MODIFIED_KEYS), timezone)
    if published_at is None or modified_at is None:
        shown, updated = visible_dates(tree, timezone)
        published_at = published_at or shown or date_from_url(url, timezone)
        modified_at = modified_at or updated
    section = ld.get("articleSection") or first("article:section")
    if isinstance(section, list):
        section = section[0] if section else None
    keywords = ld.get("keywords")
    if isinstance(keywords, str):
        keywords = [k for k in re.split(r"\s*[,،]\s*", keywords) if k]
    tags = meta.get("article:tag") or keywords or [a.text_content() for a in TAG_LINKS(tree)]
    canonical = CANONICAL(tree)
    lang = HTML_LANG(tree)
    return {
        "title": title,
        "subtitle": subtitle,
        "authors": authors,
        "credited": [name for name in credited if isinstance(name, str)],
        "lead_image": (image if isinstance(image, str) else None)
        or first("og:image", "twitter:image"),
        "published_at": published_at,
        "modified_at": modified_at,
        "section": clean_text(section) if section else None,
        "tags": [clean_text(t) for t in tags if clean_text(t)],
        "canonical_url": canonical[0].strip() if canonical else None,
        "declared_language": lang[0].split("-")[0].lower() if lang else None,
    }
