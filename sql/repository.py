"""The pipeline's reads and writes, each a named query of queries.sql."""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass

import psycopg
from akhbar.extract import EXTRACTOR_VERSION, Article, Reject
from akhbar.extract.dedupe import THRESHOLD as NEAR_DUPLICATE
from akhbar.extract.dedupe import band_hashes, signature, similarity
from akhbar.seeds import Seed
from akhbar.sql import query
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class LoadCounts:
    """What loading a batch of extraction results changed."""

    new_articles: int = 0
    updated_articles: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    words_total: int = 0


def register_source(conn: psycopg.Connection, seed: Seed) -> None:
    """Create or update the site's row in `sources`."""
    conn.execute(query("upsert_source"), {
        "id": seed.id, "name": seed.name, "base_url": seed.base_url, "language": seed.language,
        "timezone": seed.timezone, "enabled": seed.enabled,
    })


def open_crawl_run(conn: psycopg.Connection, source_id: str, flow_run_id: str,
                   flow_name: str) -> int:
    """The crawl_runs row of this site in this flow run (created once, reopened on retry),
    owned by this process."""
    row = conn.execute(query("open_crawl_run"), {
        "source_id": source_id, "flow_run_id": flow_run_id, "flow_name": flow_name,
        "hostname": socket.gethostname(), "pid": os.getpid(),
    }).fetchone()
    return row["id"]


def abort_dead_runs(conn: psycopg.Connection) -> list[dict]:
    """Mark `aborted` the running rows of this machine whose process is gone (killed, or the
    machine restarted); returns them."""
    import psutil

    hostname = socket.gethostname()
    aborted = []
    for row in conn.execute(query("running_runs_on_host"), {"hostname": hostname}).fetchall():
        if row["pid"] is None or _alive_since(psutil, row["pid"], row["started_at"]):
            continue
        conn.execute(query("abort_run"), {
            "crawl_run_id": row["id"],
            "error": f"the process running it (pid {row['pid']} on {hostname}) ended without "
                     "closing it: killed or crashed; run again to continue"})
        aborted.append(row)
    return aborted


def _alive_since(psutil, pid: int, started_at) -> bool:
    """Whether process `pid` is alive and is the one that opened a run at `started_at` (not a
    later process that reused the pid)."""
    try:
        process = psutil.Process(pid)
        created = process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return process.status() != psutil.STATUS_ZOMBIE and created <= started_at.timestamp() + 1


def record_outcomes(conn: psycopg.Connection, crawl_run_id: int, outcomes: dict,
                    counts: dict[str, int]) -> None:
    conn.execute(query("record_outcomes"), {"crawl_run_id": crawl_run_id,
                                            "outcomes": Jsonb(outcomes), **counts})


def record_extraction(conn: psycopg.Connection, crawl_run_id: int, counts: LoadCounts) -> None:
    conn.execute(query("record_extraction"), {"crawl_run_id": crawl_run_id, **counts.__dict__})


def close_crawl_run(conn: psycopg.Connection, crawl_run_id: int, status: str,
                    error: str | None = None) -> dict:
    """Mark the run finished and return its row (as crawl_run_rows gives it)."""
    conn.execute(query("close_crawl_run"), {
        "crawl_run_id": crawl_run_id, "status": status, "error": error})
    return crawl_run_rows(conn, [crawl_run_id])[0]


def crawl_run_rows(conn: psycopg.Connection, crawl_run_ids: list[int]) -> list[dict]:
    return conn.execute(query("crawl_run_rows"), {"crawl_run_ids": crawl_run_ids}).fetchall()


def crawl_run_outcomes(conn: psycopg.Connection, crawl_run_id: int) -> dict:
    row = conn.execute(query("crawl_run_outcomes"), {"crawl_run_id": crawl_run_id}).fetchone()
    return row["outcomes"] if row else {}


def pending_page_ids(conn: psycopg.Connection, source_id: str) -> list[int]:
    """Newest pages of the site's URLs that were never extracted."""
    return [row["id"] for row in conn.execute(query("pending_page_ids"),
                                              {"source_id": source_id})]


def pending_pages_of_run(conn: psycopg.Connection, crawl_run_id: int, after_id: int) -> list[int]:
    """Pages the run stored after `after_id`, newest of their URL, not extracted yet."""
    return [row["id"] for row in conn.execute(query("pending_pages_of_run"), {
        "crawl_run_id": crawl_run_id, "after_id": after_id})]


def pages_by_id(conn: psycopg.Connection, page_ids: list[int]) -> list[dict]:
    """Stored pages for extraction; in binary, which spares the server and us hex-encoding
    and decoding every body (a third of a re-extraction's reading time, bench/reextract.py)."""
    return conn.execute(query("pages_by_id"), {"page_ids": page_ids}, binary=True).fetchall()


def load_results(conn: psycopg.Connection, source_id: str,
                 results: list[tuple[int, str, Article | Reject]],
                 signatures: dict[int, bytes] | None = None) -> LoadCounts:
    """Load (page id, canonical URL, result) triples in one transaction; `signatures` may
    give the MinHash signature of articles by page id (computed here otherwise).

    Articles go through a staging table and one merge, so a re-run writes nothing and a crash
    leaves nothing half-written.
    """
    articles = [(page_id, url, r) for page_id, url, r in results if isinstance(r, Article)]
    rejects = [(page_id, r) for page_id, _, r in results if isinstance(r, Reject)]
    with conn.transaction():
        changed, duplicate_pages = [], set()
        if articles:
            conn.execute(query("create_article_staging"))
            with conn.cursor().copy(query("copy_article_staging")) as copy:
                for page_id, url, article in articles:
                    copy.write_row((
                        source_id, url, article.title, article.subtitle, article.authors,
                        article.published_at, article.modified_at, article.section,
                        article.tags, article.language, article.text, article.text_normalized,
                        article.word_count,
                        hashlib.sha256(article.text_normalized.encode()).hexdigest(),
                        EXTRACTOR_VERSION, page_id, article.agency, article.lead_image,
                        article.canonical_url,
                        (signatures or {}).get(page_id) or signature(article.text_normalized),
                    ))
            duplicate_pages |= {row["page_id"] for row in conn.execute(
                query("reject_exact_duplicates_staging"),
                {"extractor_version": EXTRACTOR_VERSION})}
            conn.execute(query("archive_changed_articles"))
            changed = conn.execute(query("merge_article_staging")).fetchall()
            duplicate_pages |= {row["page_id"] for row in
                                conn.execute(query("reject_superseded_staging"))}
            conn.execute(query("clear_rejects_of_pages"),
                         {"page_ids": [page_id for page_id, _, _ in articles]})
            for row in changed:
                cluster_near_duplicates(conn, row["id"], bytes(row["minhash"]))
        for page_id, reject in rejects:
            conn.execute(query("insert_reject"), {
                "page_id": page_id, "reason": reject.reason, "detail": reject.detail,
                "extractor_version": EXTRACTOR_VERSION,
            })
    new = sum(1 for row in changed if row["inserted"])
    return LoadCounts(new_articles=new, updated_articles=len(changed) - new,
                      unchanged=len(articles) - len(changed) - len(duplicate_pages),
                      duplicates=len(duplicate_pages), rejected=len(rejects),
                      # words of the articles counted above, duplicates left out
                      words_total=sum(a.word_count for page_id, _, a in articles
                                      if page_id not in duplicate_pages))


def cluster_near_duplicates(conn: psycopg.Connection, article_id: int, sig: bytes) -> int:
    """Index an article's LSH bands and put it in the cluster of its near-duplicates (merging
    clusters it bridges); returns its cluster id, the smallest article id of the cluster."""
    hashes = band_hashes(sig)
    bands = {"article_id": article_id, "bands": list(range(len(hashes))), "hashes": hashes}
    conn.execute(query("replace_article_bands"), bands)
    matches = [row for row in conn.execute(query("near_duplicate_candidates"), bands)
               if row["minhash"] and similarity(sig, bytes(row["minhash"])) >= NEAR_DUPLICATE]
    clusters = {row["cluster_id"] or row["id"] for row in matches}
    cluster_id = min(clusters | {article_id})
    conn.execute(query("set_cluster"), {"cluster_id": cluster_id, "article_id": article_id,
                                        "merged": sorted(clusters - {cluster_id})})
    for row in matches:
        if row["cluster_id"] is None:
            conn.execute(query("set_cluster"), {"cluster_id": cluster_id,
                                                "article_id": row["id"], "merged": []})
    return cluster_id


def source_counts(conn: psycopg.Connection, source_ids: list[str]) -> list[dict]:
    return conn.execute(query("source_counts"), {"source_ids": source_ids}).fetchall()


def sample_article(conn: psycopg.Connection, source_id: str) -> dict | None:
    return conn.execute(query("sample_article"), {"source_id": source_id}).fetchone()


def done_chunks(conn: psycopg.Connection, source_id: str) -> set[tuple]:
    """(start, end) of the backfill chunks of a site that are complete."""
    rows = conn.execute(query("done_chunks"), {"source_id": source_id})
    return {(row["chunk_start"], row["chunk_end"]) for row in rows}


def start_chunk(conn: psycopg.Connection, source_id: str, start, end) -> None:
    conn.execute(query("start_chunk"), {"source_id": source_id, "chunk_start": start,
                                        "chunk_end": end})


def finish_chunk(conn: psycopg.Connection, source_id: str, start, end, run: dict, done: bool,
                 error: str | None) -> None:
    conn.execute(query("finish_chunk"), {
        "source_id": source_id, "chunk_start": start, "chunk_end": end, "done": done,
        "error": error,
        "discovered": run["discovered"], "fetched": run["fetched"],
        "new_articles": run["new_articles"]})


def recent_runs(conn: psycopg.Connection, source_id: str, crawl_run_id: int,
                limit: int = 7) -> list[dict]:
    return conn.execute(query("recent_runs_of_source"), {
        "source_id": source_id, "crawl_run_id": crawl_run_id, "limit": limit}).fetchall()


def rejects_by_reason(conn: psycopg.Connection, crawl_run_id: int) -> dict[str, int]:
    return {row["reason"]: row["pages"] for row in conn.execute(
        query("rejects_by_reason"), {"crawl_run_id": crawl_run_id})}


def crawl_run_of_flow_run(conn: psycopg.Connection, flow_run_id: str,
                          source_id: str) -> int | None:
    row = conn.execute(query("crawl_run_of_flow_run"), {
        "flow_run_id": flow_run_id, "source_id": source_id}).fetchone()
    return row["id"] if row else None


def latest_page_ids(conn: psycopg.Connection, source_id: str, since=None,
                    first_id: int | None = None, last_id: int | None = None) -> list[int]:
    return [row["id"] for row in conn.execute(query("latest_page_ids"), {
        "source_id": source_id, "since": since, "first_id": first_id, "last_id": last_id})]
