"""Pure extraction: `(html, url, options) -> Article | Reject`. No I/O, no database, no Prefect.

The names below load on first use (PEP 562), so importing a light part of the package — the
options model, URL helpers — does not import trafilatura and camel-tools.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Bump when extraction output changes, so stored articles can be re-extracted and compared.
EXTRACTOR_VERSION = "2026.11.29.2"

__all__ = ["EXTRACTOR_VERSION", "Article", "ExtractOptions", "Reject", "extract_article"]
_HOMES = {"extract_article": "akhbar.extract.article", "Article": "akhbar.extract.model",
          "ExtractOptions": "akhbar.extract.model", "Reject": "akhbar.extract.model"}

if TYPE_CHECKING:
    from akhbar.extract.article import extract_article
    from akhbar.extract.model import Article, ExtractOptions, Reject


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'akhbar.extract' has no attribute {name!r}")
