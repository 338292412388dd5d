"""What a page shows readers around its headline: the headline itself, the deck, the byline,
the dates, the section and breadcrumb labels. Found by position and vocabulary, not by one
theme's class names."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import datetime
from itertools import accumulate, islice

import lxml.html
from akhbar.extract.arabic import clean_text
from akhbar.extract.dates import is_update_stamp, parse_datetime, parse_visible_date
from akhbar.extract.html import main_content, marks_of
from akhbar.extract.lexicon import (
    ARABIC_LETTERS,
    BYLINE_VERBS,
    BYLINE_WORDS,
    CREDIT_WORDS,
    DATE_CLASS_PARTS,
    NOT_DATE_CLASS_PARTS,
    phrases,
)
from lxml.etree import XPath

H1 = XPath("//h1")
NOT_HEADLINE = re.compile(r"logo|brand|site-title|site-name|masthead|hdr|banner", re.IGNORECASE)
ARABIC = re.compile(f"[{ARABIC_LETTERS}]")
DOCUMENT_TITLE = XPath("//title/text()")
# A title's parts: "Site - Headline", "Headline | Site", "Headline :: Site".
SQUASH = re.compile(r"[\s.\-_]")
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:«»/]{1,2}\s+|\s*[|•·]\s*")
# Elements a theme marks as a headline when it has no <h1>.
HEADLINE_CLASS = re.compile(r"title|head|hdl")
HEADLINE_TAGS = frozenset({"h2", "h3", "p", "div", "span", "td", "b", "strong", "font"})
TEXT_ELEMENTS = XPath("//body//*[self::h1 or self::h2 or self::h3 or self::h4 or self::p or "
                      "self::div or self::span or self::td or self::b or self::strong or "
                      "self::font or self::a]")
MIN_HEADLINE_WORDS, MAX_HEADLINE_WORDS = 3, 30
SENTENCE_END = re.compile(r"[.!?؟…]\s*[\"'”»)]*\s*$")
# Page furniture outside the article: its bylines, dates and headlines are other articles'.
WIDGET = re.compile(r"sidebar|side-bar|widget|related|most-|popular|trending|menu|share|"
                    r"social|tooltip|popup|modal|"
                    r"nav|comment|author-box|authors-list|columnists|opinion-list|teaser-list")
MAX_FORM_TEXT = 2000
WIDGET_TAGS = frozenset({"aside", "nav", "form"})
WIDGET_ROLES = frozenset({"complementary", "navigation", "contentinfo"})
# The header region: elements this close after (or before) the headline, in document order.
AFTER_HEADLINE = XPath("following::*[position() <= 60]")
BEFORE_HEADLINE = XPath("preceding::*[position() <= 15]")
MAX_HEADER_TEXT = 120
# "كتب: فلان", "كتبت فلانة", "بقلم فلان", "By Someone": a byline, not a sentence.
# Without a colon only the verbs of writing open a byline ("حوار مع الوزير" is a label).
BYLINE_LINE = re.compile(
    rf"^\s*(?:(?:{phrases(BYLINE_WORDS + CREDIT_WORDS)})\s*[:：\-–—]|"
    rf"(?:{phrases(BYLINE_VERBS)})\s)\s*"
    r"(?P<names>\S.{1,70})$", re.IGNORECASE)
MAX_BYLINE_WORDS = 8
DATE_CLASS = re.compile("|".join(DATE_CLASS_PARTS))
DATE_TAGS = frozenset({"time", "abbr"})
NOT_DATE_CLASS = re.compile("|".join(NOT_DATE_CLASS_PARTS))
UPDATED_CLASS = re.compile(r"modif|updat")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
MAX_DATE_TEXT = 200
# Bylines marked up by class or schema.org: checked outside widgets only.
BYLINE_CLASS = re.compile(r"byline|writeby|writer|author|createdby")
# (first the elements that have the attributes at all: a quarter faster in libxml2)
BYLINE_MARKED = XPath("//*[@rel or @itemprop or @aria-labelledby][@rel='author' or "
                      "(@itemprop='author' and not(@content)) or "
                      "contains(@aria-labelledby, 'byline')][not(self::meta or self::link)]")
# Decks marked by class, wherever they are; lede-like classes only next to the headline.
DECK_CLASS = re.compile(r"subtitle|sub-title|subhead|sub-head|standfirst|deck|strapline|"
                        r"kicker-text|article-summary")
LEDE_CLASS = re.compile(r"lede|lead|excerpt|summary|intro|teaser|brief|abstract|description")
DECK_TAGS = frozenset({"h2", "h3", "p", "div", "span"})
MAX_DECK_WORDS = 60
NOT_DECK_TAGS = frozenset({"a", "figure", "figcaption", "img", "picture"})
IMAGES = XPath("descendant-or-self::*[self::img or self::picture or self::amp-img or "
               "self::figure or self::figcaption]")
# An element of more words than this after the headline is the body's first paragraph.
MAX_BODY_START_WORDS = 15
BREADCRUMB = re.compile("breadcrumb")
CATEGORY_LINKS = XPath("//a[@rel='category' or @rel='category tag']")
MARKED = XPath("/html/body/descendant::*[@class or @id or @itemtype or self::time or "
               "self::abbr]")  # (the elements of //body//*, found a third faster)
# Header rules look at this many marked elements at most, in document order (an article's
# header comes early; a page of 500,000 classed comment elements must not cost 100 MB).
MAX_MARKED = 50_000
# A footer is the page's (furniture) unless it sits in the article (its date, author, tags).
FOOTER = re.compile("footer")
ARTICLE_CONTAINER = re.compile(r"post|entry|article|story|node|news-?item|hentry")
NOT_CONTENT = frozenset({"script", "style", "meta", "link", "noscript", "template"})


def _text(element: lxml.html.HtmlElement) -> str:
    return clean_text(element.text_content())


def _words(text: str) -> int:
    return len(text.split())


def _is_headline_text(text: str) -> bool:
    return MIN_HEADLINE_WORDS <= _words(text) <= MAX_HEADLINE_WORDS and \
        not SENTENCE_END.search(text)


def _has_own_text(element: lxml.html.HtmlElement) -> bool:
    return bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)


def is_site_name(name: str, site_names: frozenset[str]) -> bool:
    """Whether `name` is one of the site's names: equal to one, containing one, contained in
    one, or the same letters without spaces, dots and dashes ("Al-Waha" = "alwaha")."""
    lowered = name.lower()
    squashed = SQUASH.sub("", lowered)
    return any(lowered == site or (len(site) > 3 and site in lowered)
               or (len(lowered) > 3 and lowered in site) or squashed == SQUASH.sub("", site)
               for site in site_names)


def strip_site_name(title: str, site_names: frozenset[str]) -> str:
    """A title without the site's name on either side of a separator ("Site - Headline",
    "Headline | Site"); when the name is not known, the headline is the longest part."""
    parts = [p.strip() for p in TITLE_SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    kept = [p for p in parts if not is_site_name(p, site_names)]
    if kept and len(kept) < len(parts):
        return _rejoin(title, kept)
    # Unknown site name: a name is short and sits at one end; the headline is the rest.
    ends = (parts[0], parts[-1])
    short = min(ends, key=_words)
    if _words(short) <= 3 and _words(short) < _words(max(ends, key=_words)):
        return _rejoin(title, parts[1:] if parts[0] is short else parts[:-1])
    return title


def _rejoin(title: str, parts: list[str]) -> str:
    """The part(s) kept, as they were written in the title."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(parts)


def _date_of(element: lxml.html.HtmlElement, timezone: str,
             convert: bool = True) -> datetime | None:
    """The date an element shows: its machine-readable form (a datetime/title/content
    attribute of it or of a <time> in it) when it has one, else the date in its text."""
    text = element.text_content()
    if len(text) > MAX_DATE_TEXT:
        return None
    for node in (element, *element.iter("time")):
        for attribute in ("datetime", "title", "content"):
            value = node.get(attribute) or ""
            if ISO_DATE.match(value) and (moment := parse_datetime(value, timezone, convert)):
                return moment
    return parse_visible_date(text, timezone)


class PageHeader:
    """One page's elements marked by class or id, and its furniture (sidebars, widgets,
    menus, footers), read once; the header rules below query them."""

    def __init__(self, tree: lxml.html.HtmlElement, protected: set | None = None) -> None:
        self.tree = tree
        self._marked: list | None = None
        self._regions: dict = {}
        # What holds the headline or the longest run of text is the article, not furniture,
        # whatever its class says ("widget Blog", "main-inner columns-fix-sidebar").
        self.widget_memo: dict = dict.fromkeys(
            main_content(tree) if protected is None else protected, False)

    def marked(self, pattern: re.Pattern[str],
               tags: frozenset[str] = frozenset()) -> list[lxml.html.HtmlElement]:
        """Elements whose class or id matches `pattern` (in lower case; a pattern of literal
        words, never matching a line break), or whose tag is one of `tags`, in document
        order."""
        if self._marked is None:
            self._read_marks()
        hits = {bisect_right(self._starts, match.start()) - 1
                for match in pattern.finditer(self._joined)}
        if tags:
            hits.update(i for i, element in enumerate(self._marked) if element.tag in tags)
        return [self._marked[i] for i in sorted(hits)]

    def _read_marks(self) -> None:
        """The marked elements, and their class, id and item type (lower-cased: case-sensitive
        patterns beat IGNORECASE) joined in one text, one line each, where a pattern is
        searched in one pass rather than once per element."""
        self._marked, marks = [], []
        for element in islice(MARKED(self.tree), MAX_MARKED):
            if element.tag not in NOT_CONTENT:
                self._marked.append(element)
                marks.append(f"{element.get('class', '')} {element.get('id', '')} "
                             f"{element.get('itemtype', '')}".lower().replace("\n", " "))
        self._starts = [0, *accumulate(len(m) + 1 for m in marks)][:-1] if marks else []
        self._joined = "\n".join(marks)

    def in_widget(self, element: lxml.html.HtmlElement) -> bool:
        """Whether an element sits in page furniture: a sidebar, widget, menu, footer, form."""
        memo = self.widget_memo
        chain = []
        node = element
        while node is not None and node not in memo:
            chain.append(node)
            node = node.getparent()
        verdict = memo[node] if node is not None else False
        for node in reversed(chain):
            verdict = verdict or _is_furniture(node)
            memo[node] = verdict
        return verdict

    def h1(self, site_names: frozenset[str]) -> lxml.html.HtmlElement | None:
        """The visible <h1>, unless it is the site's logo or name."""
        arabic_page = any(ARABIC.search(t) for t in DOCUMENT_TITLE(self.tree))
        for h1 in H1(self.tree):
            marked = " ".join(marks_of(e) for e in (h1, *h1.iterancestors()))
            text = _text(h1)
            if not text or NOT_HEADLINE.search(marked) or text.lower() in site_names or (
                    arabic_page and not ARABIC.search(text)):
                continue
            return h1
        return None

    def headline_element(self, title: str | None) -> lxml.html.HtmlElement | None:
        """Without an <h1>: the element showing the title, else the first headline-like
        element (marked as a title or heading) outside page furniture."""
        if title:
            for element in TEXT_ELEMENTS(self.tree):
                if len(element.text_content()) < 4 * len(title) and _text(element) == title:
                    while len(element) == 1 and _text(element[0]) == title:
                        element = element[0]
                    return element
        for element in self.marked(HEADLINE_CLASS):
            if element.tag in HEADLINE_TAGS and \
                    _is_headline_text(_text(element)) and not self.in_widget(element):
                return element
        return None

    def region(self, headline: lxml.html.HtmlElement | None) -> list[lxml.html.HtmlElement]:
        """Elements near the headline, outside furniture: those after it first, then those
        just before it."""
        if headline is None:
            return []
        if headline not in self._regions:
            inside = set(headline.iter())
            self._regions[headline] = [
                e for e in AFTER_HEADLINE(headline) if e not in inside and not self.in_widget(e)
            ] + [e for e in reversed(BEFORE_HEADLINE(headline)) if not self.in_widget(e)]
        return self._regions[headline]

    def header_bylines(self, headline: lxml.html.HtmlElement | None) -> list[str]:
        """Names in a "كتب/بقلم/by …" line shown near the headline."""
        for element in self.region(headline):
            if len(element) > 3:
                continue
            raw = element.text_content()
            if len(raw) > 2 * MAX_HEADER_TEXT:
                continue
            text = clean_text(raw)
            if not text or len(text) > MAX_HEADER_TEXT:
                continue
            match = BYLINE_LINE.match(text)
            if match and _words(match["names"]) <= MAX_BYLINE_WORDS and \
                    not SENTENCE_END.search(text):
                return [match["names"]]
        return []

    def marked_bylines(self) -> list[str]:
        """Names in byline elements outside widgets ("كتبت أسماء نصار", "Author, …")."""
        elements = BYLINE_MARKED(self.tree) + self.marked(BYLINE_CLASS)
        names = []
        for element in elements:
            if self.in_widget(element):
                continue
            texts = [t.strip(" ,،") for t in element.itertext() if t.strip(" ,،")]
            if "Author" in texts:  # BBC-style labelled byline: the value follows its label
                index = texts.index("Author")
                texts = texts[index + 1:index + 2]
            text = " ".join(texts)
            if 2 < len(text) <= 80 and text not in names:
                names.append(text)
        return names

    def dates(self, headline: lxml.html.HtmlElement | None,
              timezone: str, convert: bool = True
              ) -> tuple[datetime | None, datetime | None]:
        """(published, updated) as printed for readers: in <time> and date-marked elements
        (class matched in any case; those near the headline first, furniture and the
        masthead's "today" left out), else in any short element near the headline."""
        published = updated = None
        region = self.region(headline)
        near = set(region)
        marked = [e for e in self.marked(DATE_CLASS, DATE_TAGS) if e.tag in DATE_TAGS or
                  not NOT_DATE_CLASS.search(marks_of(e))]
        chosen = set(marked)
        ordered = [e for e in region if e in chosen] + [e for e in marked if e not in near]
        for element in ordered:
            if self.in_widget(element):
                continue
            moment = _date_of(element, timezone, convert)
            if moment is None:
                continue
            marks = marks_of(element)
            if is_update_stamp(element.text_content()) or (
                    UPDATED_CLASS.search(marks) and "publish" not in marks):
                updated = updated or moment
            elif published is None:
                published = moment
            if published is not None and updated is not None:
                break
        if published is None:
            for element in region:
                if len(element) > 3 or len(element.text_content()) > MAX_HEADER_TEXT:
                    continue
                moment = _date_of(element, timezone, convert)
                if moment is not None and not is_update_stamp(element.text_content()):
                    published = moment
                    break
        return published, updated

    def deck(self, headline: lxml.html.HtmlElement | None, title: str | None) -> str | None:
        """The standfirst: an element marked as one, else an <h2>/lede element right after
        the headline (before any paragraph of the body)."""
        for element in self.marked(DECK_CLASS):
            if element.tag in DECK_TAGS and not self.in_widget(element):
                text = _text(element)
                if text and text != title and _words(text) <= MAX_DECK_WORDS:
                    return text
        if headline is None:
            return None
        ancestors = set(headline.iterancestors())
        for element in self.region(headline):
            if element in ancestors:
                continue
            marks = marks_of(element)
            # A lede marked as the article's description is its first paragraph (html.LEAD).
            is_deck = (element.tag in ("h2", "h3") or (
                LEDE_CLASS.search(marks) is not None and element.tag not in NOT_DECK_TAGS
                and len(element) <= 3 and element.get("itemprop") != "description")
            ) and not IMAGES(element)
            if not is_deck and not _has_own_text(element):
                continue
            raw = element.text_content()
            if not is_deck and len(raw) > 4 * MAX_HEADER_TEXT:
                return None  # the body has begun
            text = clean_text(raw)
            if not text or text == title:
                continue
            if is_deck:
                if _words(text) <= MAX_DECK_WORDS and not BYLINE_LINE.match(text):
                    return text
                return None
            if BYLINE_LINE.match(text) or parse_visible_date(text, "UTC"):
                continue
            if _words(text) > MAX_BODY_START_WORDS:
                return None  # the body has begun
        return None

    def labels(self) -> frozenset[str]:
        """Short labels the page shows around the article: breadcrumb and category links."""
        links = list(CATEGORY_LINKS(self.tree))
        for container in self.marked(BREADCRUMB):  # class, id or schema.org BreadcrumbList
            links += container.iter("a")
        labels = {_text(a) for a in links}
        return frozenset(label for label in labels if label and _words(label) <= 5)


def _is_furniture(node: lxml.html.HtmlElement) -> bool:
    """Whether an element itself is furniture: aside, nav, a small form, a footer outside the
    article, an ARIA complementary/navigation/contentinfo role, a widget-like class or id."""
    tag = node.tag
    if tag in WIDGET_TAGS:
        # A form that wraps the page (ASP.NET WebForms) is no comment or search form.
        return tag != "form" or len(node.text_content()) < MAX_FORM_TEXT
    if node.get("role") in WIDGET_ROLES:
        return True
    marks = marks_of(node)
    if tag == "footer" or FOOTER.search(marks):
        # A footer is furniture unless it is the article's own (its date, author, tags).
        return not any(a.tag == "article" or ARTICLE_CONTAINER.search(marks_of(a))
                       for a in node.iterancestors())
    return len(marks) > 1 and WIDGET.search(marks) is not None
