"""Reading the corpus: typed article records for `akhbar export`, `search`, `stats`, `history`
and notebooks.

    from akhbar.sql import corpus
    for article in corpus.articles(site=["aljazeera"], since="2024-01-01", query="الانتخابات"):
        print(article.published_at, article.title)
    frame = corpus.to_pandas(site=["aljazeera"])

Every function opens its own connection (the embedded server is started and held while it
runs) unless given one; articles stream through a server-side cursor, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time
from functools import cache

import psycopg
from akhbar.sql import connect, migrate
from akhbar.sql import query as named_query

BATCH = 500  # rows a fetch: 2,000 long articles held the export at 860 MB


@dataclass(frozen=True)
class ArticleRecord:
    """One stored article, as exported."""

    id: int
    site: str
    url: str
    canonical_url: str | None
    title: str | None
    subtitle: str | None
    authors: list[str]
    published_at: datetime | None
    modified_at: datetime | None
    section: str | None
    tags: list[str]
    agency: str | None
    language: str
    text: str
    text_normalized: str
    word_count: int
    lead_image: str | None
    cluster_id: int | None
    content_hash: str
    extractor_version: str
    page_id: int
    extracted_at: datetime
    changed_at: datetime
    raw_html: bytes | None = None
    raw_encoding: str | None = None
    versions: list[dict] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


FIELDS = tuple(f.name for f in fields(ArticleRecord))
RAW_FIELDS = ("raw_html", "raw_encoding")
OPTIONAL_FIELDS = (*RAW_FIELDS, "versions")


@dataclass(frozen=True)
class SearchHit:
    id: int
    site: str
    url: str
    title: str | None
    published_at: datetime | None
    rank: float
    snippet: str


@dataclass(frozen=True)
class Version:
    """One version of an article: the current one has `valid_to` None."""

    title: str | None
    subtitle: str | None
    authors: list[str]
    published_at: datetime | None
    modified_at: datetime | None
    text: str
    content_hash: str
    extractor_version: str
    page_id: int
    valid_from: datetime | None
    valid_to: datetime | None


def as_moment(value: str | date | datetime | None) -> datetime | None:
    """A filter bound: an aware datetime; a date or "YYYY-MM-DD" is midnight UTC; ISO 8601
    strings without a zone are UTC."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date or time (use YYYY-MM-DD or ISO 8601, "
                         "e.g. 2024-03-01T12:00:00+03:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def search_form(text: str) -> str:
    """A query in the same normalised form as the stored text (hamza, alef, teh marbuta,
    diacritics), so any spelling finds the article."""
    from akhbar.extract.arabic import normalize_for_search

    return normalize_for_search(text)


@contextmanager
def _connection(conn: psycopg.Connection | None) -> Iterator[psycopg.Connection]:
    if conn is not None:
        yield conn
        return
    _migrated()
    with connect() as own:
        yield own


@cache
def _migrated() -> None:
    """Pending migrations applied, once per process (a fresh database has no tables yet)."""
    migrate()


def _sites(site: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    if site is None:
        return None
    return [site] if isinstance(site, str) else list(site) or None


def articles(site: str | list[str] | None = None, since: str | date | None = None,
             until: str | date | None = None, updated_since: str | datetime | None = None,
             language: str | None = None, query: str | None = None,
             include_raw: bool = False, versions: bool = False,
             conn: psycopg.Connection | None = None) -> Iterator[ArticleRecord]:
    """Stored articles, oldest first, filtered by site(s), `published_at` in [since, until),
    `changed_at` after `updated_since`, language and a full-text `query`; with `include_raw`
    the raw page and its encoding, with `versions` the article's earlier versions."""
    params = {"sites": _sites(site), "since": as_moment(since), "until": as_moment(until),
              "updated_since": as_moment(updated_since), "language": language,
              "include_raw": include_raw, "versions": versions}
    params["query"] = search_form(query) if query else None
    with _connection(conn) as db, db.transaction():
        with db.cursor(name="akhbar_corpus_articles") as cursor:
            cursor.itersize = BATCH
            cursor.execute(named_query("corpus_articles"), params)
            for row in cursor:
                row.pop("rank", None)
                if row["raw_html"] is not None:
                    row["raw_html"] = bytes(row["raw_html"])
                yield ArticleRecord(**row)


def to_pandas(**filters):
    """`articles(**filters)` as a pandas DataFrame (needs pandas)."""
    try:
        import pandas
    except ImportError:
        raise ImportError("to_pandas needs pandas: pip install pandas") from None
    return pandas.DataFrame([record.to_dict() for record in articles(**filters)],
                            columns=list(FIELDS))


def search(text: str, site: str | list[str] | None = None, since: str | date | None = None,
           until: str | date | None = None, limit: int = 20, candidates: int = 2000,
           conn: psycopg.Connection | None = None) -> list[SearchHit]:
    """Articles matching a query (words, "a phrase", -excluded, OR), best first, ranked
    among the newest `candidates` articles holding all the query's words."""
    params = {"query": search_form(text), "sites": _sites(site), "since": as_moment(since),
              "until": as_moment(until), "limit": limit, "candidates": candidates}
    with _connection(conn) as db:
        return [SearchHit(**row) for row in db.execute(named_query("search_articles"), params,
                                                       prepare=False)]


def stats(site: str | list[str] | None = None,
          conn: psycopg.Connection | None = None) -> list[dict]:
    """Per site: articles, pages, rejects by reason, clusters, published range, last run."""
    with _connection(conn) as db:
        return db.execute(named_query("site_stats"), {"sites": _sites(site)}).fetchall()


def history(url: str, conn: psycopg.Connection | None = None) -> list[Version] | None:
    """An article's versions, oldest first, the current one last; None if no such article."""
    with _connection(conn) as db:
        current = db.execute(named_query("article_by_url"), {"url": url}).fetchone()
        if current is None:
            return None
        older = db.execute(named_query("article_versions"),
                           {"article_id": current["id"]}).fetchall()
    versions = [Version(**row) for row in older]
    return versions + [Version(
        title=current["title"], subtitle=current["subtitle"], authors=current["authors"],
        published_at=current["published_at"], modified_at=current["modified_at"],
        text=current["text"], content_hash=current["content_hash"],
        extractor_version=current["extractor_version"], page_id=current["page_id"],
        valid_from=current["changed_at"], valid_to=None)]


def watermark(conn: psycopg.Connection) -> datetime:
    """What to pass as `updated_since` next time to get everything changed after this call."""
    return conn.execute(named_query("export_watermark")).fetchone()["watermark"]
