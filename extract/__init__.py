"""Pure extraction: `(html, url, options) -> Article | Reject`. No I/O, no database, no Prefect."""

from akhbar.extract.article import extract_article
from akhbar.extract.model import Article, ExtractOptions, Reject

# Bump when extraction output changes, so stored articles can be re-extracted and compared.
EXTRACTOR_VERSION = "2026.11.29"

__all__ = ["EXTRACTOR_VERSION", "Article", "ExtractOptions", "Reject", "extract_article"]
