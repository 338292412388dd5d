"""HTML decoding and boilerplate pruning before trafilatura sees the page."""

from __future__ import annotations

import re
from functools import cache

import lxml.html
from akhbar.extract.encoding import detect_encoding
from cssselect import GenericTranslator, SelectorError
from lxml.etree import ParserError, XPath, XPathEvalError

# Generic boilerplate containers of news themes (WordPress and others), by tag, id or class.
DROP_SELECTORS = (
    "script", "style", "noscript", "template", "iframe", "form", "nav", "aside",
    "button", "select", "textarea", "input", "figcaption",
    "#comments", "#respond", ".comments-area", ".comment-respond", ".comment-list",
    "[class*='share-']", "[class*='sharing']", "[class*='social-']",
    "[class*='related']", "[id*='related']", "[class*='read-also']", "[class*='newsletter']",
    "[class*='cookie']", "[class*='breadcrumb']", "#breadcrumb", "[class*='post-tags']",
    "[class*='tagcloud']", "[class*='comments-count']", "[class*='meta-comment']",
    "[class*='author-box']", "[class*='advert']", "[class*='ads-']",
)
# Headings that open a boilerplate box: the heading's box goes, whatever its markup.
BOX_HEADING = re.compile(
    r"^\s*(you might also like|related (posts|articles|news)|read also|more from|"
    r"leave a (reply|comment)|comments?|اقرأ أيضا|اقرأ أيضاً|إقرأ أيضا|اقرأ ايضا|"
    r"مواضيع ذات (علاقة|صلة)|أخبار ذات صلة|قد يعجبك أيضا|قد يهمك أيضا|المزيد من|"
    r"أضف تعليق|اترك تعليقا|اترك تعليقاً|اترك رد|التعليقات|الأكثر قراءة)\s*[:.]?\s*$",
    re.IGNORECASE,
)
HEADING_TAGS = XPath("//h2|//h3|//h4|//h5|//h6|//*[contains(@class,'title')]")
MAX_BOX_CHARS = 3000
# A table that holds paragraphs, headings or other tables lays out the page; it is not data.
LAYOUT_TABLES = XPath("//table[.//p or .//div or .//h1 or .//h2 or .//h3 or .//table]")
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


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse HTML leniently; raise ValueError on a document lxml cannot read at all."""
    try:
        return lxml.html.document_fromstring(text)
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


def prune(tree: lxml.html.HtmlElement, drop_selectors: tuple[str, ...] = (),
          content_selector: str | None = None) -> lxml.html.HtmlElement:
    """Cut boilerplate out of `tree` in place and return the part that holds the article."""
    unwrap_layout_tables(tree)
    root = tree
    if content_selector:
        found = css_xpath(content_selector)(tree)
        if found:
            root = found[0]
    for selector in DROP_SELECTORS + tuple(drop_selectors):
        for element in css_xpath(selector)(root):
            if element is not root:
                remove(element)
    for heading in HEADING_TAGS(root):
        if heading.getparent() is None or not BOX_HEADING.match(heading.text_content()):
            continue
        box = heading.getparent()
        # The heading's box goes when it is a small container of its own; else only the heading.
        if box is not root and box.tag not in ("body", "article", "main") and \
                len(box.text_content()) <= MAX_BOX_CHARS:
            remove(box)
        else:
            remove(heading)
    return root
