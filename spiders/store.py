"""The spider's only storage: what pages a site already has, and new raw pages."""

from __future__ import annotations

import hashlib
from datetime import datetime

from akhbar.sql import connect, query
from psycopg.types.json import Jsonb

# Response headers worth keeping with a page (validators, language, caching, type).
KEPT_HEADERS = ("content-type", "content-language", "last-modified", "etag", "date",
                "cache-control", "expires", "x-robots-tag", "link")


def selected_headers(headers: dict[bytes, list[bytes]]) -> dict[str, str]:
    """The kept headers of a Scrapy response, as text."""
    kept = {}
    for raw_name, values in headers.items():
        name = raw_name.decode("latin-1").lower()
        if name in KEPT_HEADERS and values:
            kept[name] = b", ".join(values).decode("latin-1")
    return kept


class PageStore:
    """Reads and writes the `pages` table for one site."""

    def __init__(self, database_url: str, source_id: str, crawl_run_id: int | None) -> None:
        self.conn = connect(database_url, autocommit=True)
        self.source_id = source_id
        self.crawl_run_id = crawl_run_id

    def latest_fetches(self) -> dict[str, datetime]:
        """url → the newest date we hold for it (the source's lastmod, else our fetch time)."""
        rows = self.conn.execute(query("latest_pages_of_source"), {"source_id": self.source_id})
        return {row["url"]: max(filter(None, (row["lastmod"], row["fetched_at"])))
                for row in rows}

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        """url → (ETag, Last-Modified) of the site's feeds and sitemaps."""
        rows = self.conn.execute(query("validators_of_source"), {"source_id": self.source_id})
        return {row["url"]: (row["etag"], row["last_modified"]) for row in rows}

    def save_validators(self, validators: dict[str, tuple[str | None, str | None]]) -> None:
        for url, (etag, last_modified) in validators.items():
            self.conn.execute(query("save_validator"), {
                "source_id": self.source_id, "url": url, "etag": etag,
                "last_modified": last_modified})

    def add_page(self, page: dict) -> bool:
        """Store a fetched page; False when identical bytes of that URL are already stored."""
        row = self.conn.execute(query("insert_page"), {
            "source_id": self.source_id,
            "crawl_run_id": self.crawl_run_id,
            "url": page["url"],
            "final_url": page["final_url"],
            "http_status": page["http_status"],
            "headers": Jsonb(page["headers"]),
            "encoding": page["encoding"],
            "body": page["body"],
            "sha256": hashlib.sha256(page["body"]).hexdigest(),
            "lastmod": page["lastmod"],
        }).fetchone()
        return row is not None and row["inserted"]

    def close(self) -> None:
        self.conn.close()
