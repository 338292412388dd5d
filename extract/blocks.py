"""Text blocks of a content root, in reading order: a fast path that needs no trafilatura.

Blocks are paragraphs, headings, quotes, list items and table cells, plus runs of bare text
directly inside containers (a `<div>` inside a `<p>` closes the paragraph, leaving its end as
a bare text node). `<br>` becomes a line break inside the block.
"""

from __future__ import annotations

import lxml.html

BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre",
                        "td", "th", "dd", "dt", "address"})
CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "body", "ul", "ol", "dl",
                            "table", "thead", "tbody", "tfoot", "tr", "center", "form",
                            "fieldset", "details", "header", "footer", "aside", "nav",
                            "figure", "html"})
STRUCTURAL = BLOCK_TAGS | CONTAINER_TAGS


def _is_structural(element) -> bool:
    return isinstance(element.tag, str) and element.tag in STRUCTURAL


def _contains_structure(element) -> bool:
    return any(_is_structural(d) for d in element.iterdescendants())


def _inline_text(element) -> str:
    """Text of an inline element; <br> is a line break; comments and scripts contribute none."""
    parts = [element.text or ""] if isinstance(element.tag, str) else []
    for child in element:
        if isinstance(child.tag, str):
            parts.append("\n" if child.tag == "br" else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def text_blocks(root: lxml.html.HtmlElement) -> list[str]:
    """The blocks of `root` in document order."""
    out: list[str] = []

    def walk(element) -> None:
        if element.tag in BLOCK_TAGS and not _contains_structure(element):
            out.append(_inline_text(element))
            return
        run = [element.text or ""]
        for child in element:
            if not isinstance(child.tag, str):  # comment or processing instruction
                run.append(child.tail or "")
            elif child.tag == "br":
                run.append("\n" + (child.tail or ""))
            elif _is_structural(child) or _contains_structure(child):
                out.append("".join(run))
                walk(child)
                run = [child.tail or ""]
            else:
                run.append(_inline_text(child) + (child.tail or ""))
        out.append("".join(run))

    walk(root)
    return [block for block in out if block.strip()]
