"""Values that extraction takes and returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

# The largest page akhbar fetches, stores or extracts: the crawler's DOWNLOAD_MAXSIZE, the WARC
# import's cap and extraction's `too_large` gate (a 50 MB page took 68 s and 2.9 GB to parse).
MAX_PAGE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ExtractOptions:
    """Defaults plus a site's overrides (from its seed)."""

    content_selector: str | None = None
    drop_selectors: tuple[str, ...] = ()
    title_selector: str | None = None
    date_selector: str | None = None
    date_format: str | None = None  # strptime format of the date_selector's text
    author_selector: str | None = None
    default_encoding: str | None = None
    timezone: str | None = None  # the site's zone; None: unknown (naive times taken as UTC)
    expected_language: str = "ar"
    min_words: int = 25
    min_arabic_ratio: float = 0.5


@dataclass(frozen=True)
class Article:
    """One extracted news article."""

    url: str
    title: str | None
    subtitle: str | None
    authors: list[str]
    published_at: datetime | None
    modified_at: datetime | None
    section: str | None
    tags: list[str]
    language: str
    text: str
    text_normalized: str
    word_count: int
    agency: str | None = None
    lead_image: str | None = None
    canonical_url: str | None = None

    def to_json(self) -> dict:
        """The article as the JSON object `akhbar extract` prints."""
        data = asdict(self)
        for key in ("published_at", "modified_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass(frozen=True)
class Reject:
    """Why a page yielded no article: reason is a short code, detail says more."""

    reason: str
    detail: str
