"""The spider's only storage: what a site already has, new raw pages, and request outcomes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime

import psycopg
from akhbar.spiders.outcomes import Failed, Tally
from akhbar.sql import DatabaseError, connect, query
from akhbar.sql.dsn import first_line
from psycopg.types.json import Jsonb

# Response headers worth keeping with a page (validators, language, caching, type).
KEPT_HEADERS = ("content-type", "content-language", "last-modified", "etag", "date",
                "cache-control", "expires", "x-robots-tag", "link")
GONE_RECHECK_DAYS = 7  # a 404/410 article is asked for again once a week at most


class SiteBusy(RuntimeError):
    """Another live crawl holds the site."""


@dataclass(frozen=True)
class Held:
    """What is stored for an article URL: the source's newest date for it, our last fetch."""

    source_date: datetime | None
    fetched_at: datetime


@dataclass(frozen=True)
class KnownFailure:
    """A URL whose last request failed."""

    kind: str
    outcome: str
    permanent: bool
    retry_after: datetime | None


def selected_headers(headers: dict[bytes, list[bytes]]) -> dict[str, str]:
    """The kept headers of a Scrapy response, as text."""
    kept = {}
    for raw_name, values in headers.items():
        name = raw_name.decode("latin-1").lower()
        if name in KEPT_HEADERS and values:
            kept[name] = b", ".join(values).decode("latin-1")
    return kept


class PageStore:
    """Reads and writes one site's pages, failures and crawl-run counts."""

    def __init__(self, database_url: str, source_id: str, crawl_run_id: int | None) -> None:
        self.conn = connect(database_url, autocommit=True,
                            application_name=f"akhbar crawl {source_id} run {crawl_run_id}")
        self.source_id = source_id
        self.crawl_run_id = crawl_run_id

    def lock_site(self, wait_seconds: float, log=None) -> None:
        """Hold the site's lock for this connection's life; wait for a live holder at most
        `wait_seconds` (a dead holder's lock is already gone)."""
        deadline = time.monotonic() + wait_seconds
        said = 0.0
        while not self.conn.execute(query("try_site_lock"),
                                    {"source_id": self.source_id}).fetchone()["locked"]:
            holder = self.conn.execute(query("site_lock_holder"),
                                       {"source_id": self.source_id}).fetchone()
            who = (f"{holder['application_name'] or 'another process'} (since "
                   f"{holder['backend_start']:%Y-%m-%d %H:%M})" if holder else "another crawl")
            if time.monotonic() >= deadline:
                raise SiteBusy(f"{self.source_id} is being crawled by {who}; waited "
                               f"{wait_seconds:.0f} s (AKHBAR_SITE_WAIT_SECONDS)")
            if log and time.monotonic() - said >= 60:
                log(f"waiting for {who} to finish crawling {self.source_id}")
                said = time.monotonic()
            time.sleep(1.0)

    def held(self) -> dict[str, Held]:
        """url → what we hold of it."""
        return held_of(self.conn, self.source_id)

    def note_source_date(self, url: str, lastmod: datetime) -> None:
        self.conn.execute(query("note_source_date"), {
            "source_id": self.source_id, "url": url, "lastmod": lastmod})

    def failures(self) -> dict[str, KnownFailure]:
        rows = self.conn.execute(query("failed_urls_of_source"), {"source_id": self.source_id})
        return {row["url"]: KnownFailure(row["kind"], row["outcome"], row["permanent"],
                                         row["retry_after"]) for row in rows}

    def record_failure(self, kind: str, url: str, failed: Failed) -> None:
        self.conn.execute(query("record_failure"), {
            "source_id": self.source_id, "url": url, "kind": kind,
            "outcome": failed.outcome.value, "http_status": failed.http_status,
            "reason": failed.reason, "permanent": kind == "article" and failed.permanent,
            "recheck_days": GONE_RECHECK_DAYS, "crawl_run_id": self.crawl_run_id})

    def clear_failure(self, url: str) -> None:
        self.conn.execute(query("clear_failure"), {"source_id": self.source_id, "url": url})

    def record_outcomes(self, tally: Tally, counts: dict[str, int]) -> None:
        if self.crawl_run_id is None:
            return
        self.conn.execute(query("record_outcomes"), {
            "crawl_run_id": self.crawl_run_id, "outcomes": Jsonb(tally.to_json()), **counts})

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


def held_of(conn: psycopg.Connection, source_id: str) -> dict[str, Held]:
    """url → what is stored of it, for one site."""
    rows = conn.execute(query("held_dates_of_source"), {"source_id": source_id})
    return {row["url"]: Held(row["lastmod"], row["fetched_at"]) for row in rows}


class DryStore:
    """A PageStore that writes nothing (`akhbar sites check`): it reads what the site already
    has when the database is there, and keeps fetched pages in memory."""

    def __init__(self, database_url: str | None, source_id: str) -> None:
        self.source_id = source_id
        self.pages: list[dict] = []
        self.note: str | None = None
        self._held: dict[str, Held] = {}
        if database_url is None:
            self.note = "no database: every article URL counts as new"
            return
        try:
            with connect(database_url, autocommit=True) as conn:
                self._held = held_of(conn, source_id)
        except (psycopg.Error, DatabaseError) as exc:  # no server, no schema: nothing stored
            self.note = (f"stored articles not read ({first_line(exc)}): every article URL "
                         f"counts as new")

    def held(self) -> dict[str, Held]:
        return self._held

    def failures(self) -> dict[str, KnownFailure]:
        return {}

    def validators(self) -> dict[str, tuple[str | None, str | None]]:
        return {}  # a check reads every feed and sitemap in full

    def add_page(self, page: dict) -> bool:
        self.pages.append(page)
        return True

    def note_source_date(self, *args) -> None:
        pass

    record_failure = clear_failure = record_outcomes = save_validators = note_source_date

    def close(self) -> None:
        pass
