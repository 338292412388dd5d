"""HTML decoding and boilerplate pruning before trafilatura sees the page."""

from __future__ import annotations

import re
import threading
from functools import cache

import lxml.html
from akhbar.extract.encoding import detect_encoding
from akhbar.extract.lexicon import (
    ACCESSIBILITY_LABELS,
    COMMENT_HEADINGS,
    NEIGHBOUR_LABELS,
    RELATED_HEADINGS,
    SCREEN_READER_CLASSES,
    TAG_LABELS,
    phrases,
    whole_line,
)
from cssselect import GenericTranslator, SelectorError
from lxml.etree import ElementDefaultClassLookup, ParserError, XPath, XPathEvalError

# Generic boilerplate of news themes (WordPress and others), as one XPath predicate so the
# tree is walked once: by tag, ARIA role, id or class.
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "nav", "aside", "svg",
             "button", "select", "textarea", "input", "figcaption")
DROP_ROLES = ("banner", "navigation", "contentinfo", "complementary")
DROP_IDS = ("comments", "respond", "breadcrumb")
DROP_ID_PARTS = ("related", "cookie", "taboola", "short-url", "shorturl")
DROP_CLASSES = frozenset({"comments-area", "comment-respond", "comment-list", "meta"})
DROP_CLASS_PARTS = (
    "share-", "share_", "sharing", "social-", "related", "read-also", "read-more", "readmore",
    "inject", "newsletter", "cookie", "consent", "breadcrumb", "post-tags", "tagcloud", "tags-",
    "comments-count", "meta-comment", "author-box", "byline", "advert", "ads-", "copyright",
    "credit", "caption", "promo", "follow-", "subscribe", "taboola", "outbrain", "most-read",
    "mostread", "metadata", "-meta", "_meta", "short-url", "shorturl", "post-nav",
    "post-navigation", "pagenav", "tags", "reading-time", "readtime", "read-time",
    *SCREEN_READER_CLASSES,
)
# Headings that open a boilerplate box: the heading's box goes, whatever its markup.
BOX_HEADING = whole_line(phrases(RELATED_HEADINGS + COMMENT_HEADINGS))
# Headings only screen readers need ("Navigation path", "Side Bar"): the heading goes.
LABEL_HEADING = whole_line(phrases(ACCESSIBILITY_LABELS))
# A box of links opened by a label: next/previous article, a tag list.
LINK_BOX_LABEL = re.compile(rf"^\s*(?:{phrases(NEIGHBOUR_LABELS + TAG_LABELS)})(?:\s*[:：«»]|\s|$)",
                            re.IGNORECASE)
MAX_LINK_BOX_CHARS = 600
LINK_BOX_DEPTH = 3
# Text nodes short enough to be a label, or to begin a box with one ("السابق: عنوان…").
TEXT_NODES = XPath(f".//text()[normalize-space(.)][string-length(.) < {MAX_LINK_BOX_CHARS}]")
# First letters of the labels: most text nodes are ruled out before any regex runs.
LABEL_INITIALS = frozenset(c for label in NEIGHBOUR_LABELS + TAG_LABELS
                           for c in (label[0], label[0].upper()))
# Images with their captions and credits outside <figcaption>: gallery items, photo blocks.
IMAGES = XPath(".//img|.//picture|.//amp-img")
MEDIA_BOX = re.compile(r"desc|caption|credit|galler|photo|image|img|media|pic|slide|thumb",
                       re.IGNORECASE)
MAX_CAPTION_WORDS = 30
MAX_CAPTION_CHARS = 400
# Text nodes at least this long, found in C (most pages have a paragraph this long; shorter
# thresholds are tried only when none is).
LONG_TEXT_RUNS = [XPath(f".//text()[string-length(.) > {n}][not(parent::script or "
                        "parent::style or parent::noscript or parent::template)]")
                  for n in (300, 100, 0)]
# Elements whose own text is one block of the article (its container is what holds it).
BLOCK_OWNERS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "a", "b",
                          "strong", "em", "i", "span", "font"})
HEADING_TAGS = XPath(".//h2|.//h3|.//h4|.//h5|.//h6|.//*[contains(@class,'title')]")
MAX_BOX_CHARS = 3000
# A table that holds paragraphs, headings or other tables lays out the page; it is not data.
LAYOUT_TABLES = XPath("//table[.//p or .//div or .//h1 or .//h2 or .//h3 or .//table]")
# schema.org's articleBody, as microdata or RDFa: where a site says its article text is.
# (first the elements that have the attributes at all: faster in libxml2)
ARTICLE_BODY = XPath(".//*[@itemprop or @property]"
                     "[@itemprop='articleBody' or contains(@property, 'articleBody')]")
# A lede marked as the description, shown before the body (Sputnik and other Russian CMSes).
LEAD = XPath(".//*[@itemprop='description'][self::div or self::p]")
PRECEDES_BODY = XPath("boolean(following::*[@itemprop='articleBody' or "
                      "contains(@property, 'articleBody')])")
MIN_ROOT_CHARS = 200
MIN_BREAKS = 2
OWN_TEXT_SHARE = 0.7
# Elements that could be boilerplate; the Python test below decides (faster than one XPath
# predicate with dozens of contains() per element).
DROP_CANDIDATES = XPath(".//*[@class or @id or @role or @hidden or @aria-hidden or "
                        "@aria-labelledby or " + " or ".join(f"self::{t}" for t in DROP_TAGS) + "]")
# Matched against lower-cased classes and ids (faster than re.IGNORECASE on long alternations).
DROP_CLASS_RE = re.compile("|".join(re.escape(part) for part in DROP_CLASS_PARTS))
DROP_ID_RE = re.compile("|".join(re.escape(part) for part in DROP_ID_PARTS))
TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")


@cache
def css_xpath(selector: str) -> XPath:
    """A compiled XPath for a CSS selector (raises ValueError naming a bad selector)."""
    try:
        return XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, XPathEvalError) as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def decode_html(body: bytes | str, declared_encoding: str | None = None,
                default_encoding: str | None = None) -> str:
    """Text of a page: in the encoding it was stored with, else the one detect_encoding finds."""
    if isinstance(body, str):
        return body
    encoding = declared_encoding or detect_encoding(body, None, default_encoding)
    try:
        return body.decode(encoding, errors="replace").lstrip("\ufeff")
    except LookupError:
        return body.decode(detect_encoding(body, None, default_encoding), errors="replace")


def without_control_characters(text: str) -> str:
    """The text without NUL and other C0 control characters, which no HTML text contains and
    which the parser refuses (a CMS may still leave some in a page)."""
    return CONTROL_CHARACTERS.sub("", text)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def has_control_bytes(body: bytes) -> bool:
    """Whether raw bytes hold a C0 control byte (other than tab and line breaks): without
    one, no ASCII-compatible encoding decodes to a control character, and UTF-16/32 pages
    always hold some (the zero half of each ASCII character). Five times faster than
    searching the decoded text."""
    return len(body.translate(None, CONTROL_BYTES)) != len(body)


def _parser() -> lxml.html.HTMLParser:
    """lxml.html's parser with one element class looked up in C: lxml.html's own lookup calls
    back into Python for every element touched (to give form fields their own classes, which
    extraction never uses)."""
    parser = lxml.html.HTMLParser()
    parser.set_element_class_lookup(ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


PARSERS = threading.local()  # lxml parsers are not to be shared between threads


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse HTML leniently; raise ValueError on a document lxml cannot read at all."""
    try:
        parser = getattr(PARSERS, "parser", None) or _parser()
        PARSERS.parser = parser
        return lxml.html.document_fromstring(text, parser=parser)
    except (ParserError, ValueError) as exc:
        raise ValueError(f"not an HTML document: {exc}") from None


def remove(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is not None:
        element.drop_tree()


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """Turn layout tables (common on older Arabic sites) into divs so their text stays blocks."""
    for table in LAYOUT_TABLES(tree):
        for part in table.iter(*TABLE_PARTS):
            if next(part.iterancestors("table"), None) is table:
                part.tag = "div"
        table.tag = "div"


def _outermost(elements: list) -> list:
    """Drop the elements nested inside another one of the list."""
    chosen = set(elements)
    return [e for e in elements if not any(a in chosen for a in e.iterancestors())]


def _line_broken_body(tree: lxml.html.HtmlElement,
                      longest: str | None = None) -> lxml.html.HtmlElement | None:
    """The element holding the page's longest run of text when its paragraphs are runs of
    text between <br>s (older CMSes: one <span> or <td> for the whole body), which generic
    extraction cannot tell from the page around it."""
    longest = longest if longest is not None else longest_text(tree)
    owner = text_owner(longest) if longest is not None else None
    if owner is None or owner.tag in ("body", "html"):
        return None
    own = len(owner.text or "") + sum(len(child.tail or "") for child in owner)
    breaks = sum(1 for child in owner if child.tag == "br")
    if breaks >= MIN_BREAKS and own >= MIN_ROOT_CHARS * 2 and \
            own >= OWN_TEXT_SHARE * len(owner.text_content()) and \
            own > sum(len(p.text_content()) for p in tree.iter("p")):
        return owner  # (more text than all the page's <p>: not a long comment beside them)
    return None


def content_roots(tree: lxml.html.HtmlElement,
                  content_selector: str | None = None,
                  longest: str | None = None) -> list[lxml.html.HtmlElement]:
    """The elements that hold the article: the seed's selector, else schema.org articleBody
    (with a lede shown before it); empty when the page does not say."""
    if content_selector:
        found = css_xpath(content_selector)(tree)
        if found:
            return _outermost(found)
    bodies = _outermost(ARTICLE_BODY(tree))
    if not bodies or sum(len(b.text_content()) for b in bodies) < MIN_ROOT_CHARS:
        body = _line_broken_body(tree, longest)
        return [body] if body is not None else []
    leads = [lead for lead in LEAD(tree)
             if PRECEDES_BODY(lead) and not any(a in bodies for a in lead.iterancestors())
             and len(lead.text_content().strip()) > 40]
    return leads[-1:] + bodies


def is_boilerplate_element(element: lxml.html.HtmlElement) -> bool:
    """Whether an element is page furniture by its tag, ARIA role, id or class."""
    if element.tag in DROP_TAGS:
        return True
    get = element.get
    classes, ident = get("class"), get("id")
    return bool(
        get("role") in DROP_ROLES
        or (ident and (ident in DROP_IDS or DROP_ID_RE.search(ident.lower())))
        or (classes and (DROP_CLASS_RE.search(classes.lower())
                         or not DROP_CLASSES.isdisjoint(classes.split())))
        or get("hidden") is not None or get("aria-hidden") == "true"
        or "byline" in (get("aria-labelledby") or "")
    )


def _has_text(element: lxml.html.HtmlElement, size: int) -> bool:
    """Whether an element holds at least `size` characters of text (read no further)."""
    length = 0
    for piece in element.itertext():
        length += len(piece.strip())
        if length >= size:
            return True
    return False


def _leading_text(element: lxml.html.HtmlElement, size: int = 40) -> str:
    """The first characters of an element's text, without reading all of it."""
    parts, length = [], 0
    for piece in element.itertext():
        parts.append(piece)
        length += len(piece.strip())
        if length >= size:
            break
    return "".join(parts)


def _link_boxes(root: lxml.html.HtmlElement, protected: set) -> list:
    """The largest box of links (a few levels up from its label) that each label opens."""
    boxes = []
    for label in TEXT_NODES(root):
        start = label.lstrip()[:1]
        if start not in LABEL_INITIALS or not LINK_BOX_LABEL.match(label):
            continue
        node = text_owner(label)
        best = None
        for _ in range(LINK_BOX_DEPTH + 1):
            if node is None or node is root or node in protected:
                break
            if _is_link_box(node):
                best = node
            node = node.getparent()
        if best is not None:
            boxes.append(best)
    return boxes


def _is_link_box(element: lxml.html.HtmlElement) -> bool:
    """A short box of links opened by a next/previous or tags label."""
    if not LINK_BOX_LABEL.match(_leading_text(element)):
        return False
    text = element.text_content()
    if len(text) > MAX_LINK_BOX_CHARS or not LINK_BOX_LABEL.match(text):
        return False
    linked = sum(len(a.text_content().strip()) for a in element.iter("a"))
    return linked >= 0.5 * len(LINK_BOX_LABEL.sub("", text).strip())


def _caption_box(image: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The small box an image shares with its caption or credit, if it is one."""
    box = image.getparent()
    for _ in range(2):
        if box is None or box.tag in ("body", "article", "main", "p") or \
                _has_text(box, MAX_CAPTION_CHARS):
            return None  # (a box of text this long is no caption: not read whole)
        text = box.text_content().split()
        if text:
            marked = MEDIA_BOX.search(marks_of(box))
            blocks = sum(1 for _ in box.iter("p", "li", "h2", "h3", "h4"))
            if len(text) <= MAX_CAPTION_WORDS and blocks <= 1 and (marked or box.tag in (
                    "figure", "li", "span", "a", "td")):
                return box
            return None
        box = box.getparent()
    return None


def text_owner(text) -> lxml.html.HtmlElement | None:
    """The element whose own text a text node ("smart string") is: its parent, or for a
    tail the parent of the element it follows."""
    owner = text.getparent()
    return owner.getparent() if text.is_tail and owner is not None else owner


def marks_of(element: lxml.html.HtmlElement) -> str:
    """An element's class and id, lower-cased, for matching class-name vocabulary."""
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def longest_text(root: lxml.html.HtmlElement):
    """The page's longest text node (a "smart string" that knows its parent), if any."""
    for find in LONG_TEXT_RUNS:
        texts = find(root)
        if texts:
            return max(texts, key=len)
    return None


def container_of(text) -> lxml.html.HtmlElement:
    """The element that holds a text node's block: the parent of its paragraph."""
    owner = text_owner(text)
    if owner.tag in BLOCK_OWNERS and owner.getparent() is not None:
        owner = owner.getparent()
    return owner


def main_content(root: lxml.html.HtmlElement, longest: str | None = None) -> set:
    """Elements that hold the headline or the page's longest run of text: whatever their
    class, tag or id says ("node--promoted", an ASP.NET page's one <form>), they are not
    furniture."""
    protected: set = set()
    headline = next(root.iter("h1"), None)
    if headline is not None:
        protected.update(headline.iterancestors())
    longest = longest if longest is not None else longest_text(root)
    owner = text_owner(longest) if longest is not None else None
    if owner is not None:
        protected.update(owner.iterancestors())
        if longest.is_tail or owner.tag not in BLOCK_OWNERS:
            protected.add(owner)
    return protected


def prune(root: lxml.html.HtmlElement, drop_selectors: tuple[str, ...] = (),
          protected: set | None = None) -> None:
    """Cut boilerplate out of `root` in place: furniture by tag, role, id or class; boxes
    opened by a related/comments heading; next/previous and tag link boxes; image captions
    and credits. Elements holding the headline or the longest text (`protected`, by default
    `main_content(root)`) are never furniture."""
    protected = main_content(root) if protected is None else protected
    drops = [e for e in DROP_CANDIDATES(root)
             if is_boilerplate_element(e) and e not in protected]
    drops += [e for s in drop_selectors for e in css_xpath(s)(root)]
    drops += _link_boxes(root, protected)
    drops += [box for image in IMAGES(root) if (box := _caption_box(image)) is not None]
    for element in drops:
        if element is not root:
            remove(element)
    for heading in HEADING_TAGS(root):
        if heading.getparent() is None:
            continue
        text = heading.text_content()
        if LABEL_HEADING.match(text):
            remove(heading)
            continue
        if not BOX_HEADING.match(text):
            continue
        box = heading.getparent()
        # The heading's box goes when it is a small container of its own; else only the heading.
        if box is not root and box.tag not in ("body", "article", "main") and \
                len(box.text_content()) <= MAX_BOX_CHARS:
            remove(box)
        else:
            remove(heading)
