"""The `backfill` flow: a site's archive over a date window, one child run per chunk.

Each chunk is recorded in PostgreSQL when its pages are stored and extracted, so a killed
backfill started again skips the chunks already done and re-crawls only the one in flight,
where pages already stored are not fetched again.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

from akhbar.flows.tasks import (
    IO_RETRIES,
    close_crawl_run,
    crawl_site,
    extract_pending,
    open_crawl_run,
    register_site,
)
from akhbar.seeds import SEEDS_DIR, Seed, load_seeds
from akhbar.sql import connect, migrate, repository
from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

CHUNK_SIZES = ("day", "month")


def plan_chunks(since: date, until: date, chunk: str) -> list[tuple[date, date]]:
    """The window cut into whole days or calendar months (inclusive ends)."""
    if chunk not in CHUNK_SIZES:
        raise ValueError(f"chunk must be one of {', '.join(CHUNK_SIZES)}, not {chunk!r}")
    if until < since:
        raise ValueError(f"--until {until} is before --since {since}")
    chunks, start = [], since
    while start <= until:
        if chunk == "day":
            end = start
        else:
            end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        end = min(end, until)
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def _window_label(since: date, until: date, chunk: str) -> str:
    if chunk == "month":
        return f"{since:%Y-%m}..{until:%Y-%m}"
    return f"{since}..{until}"


def _backfill_run_name() -> str:
    p = flow_run.parameters
    return f"backfill {p['site']} {_window_label(p['since'], p['until'], p.get('chunk', 'month'))}"


def _chunk_run_name() -> str:
    p = flow_run.parameters
    return f"backfill {p['seed'].id} {p['start']}..{p['end']}"


@task(**IO_RETRIES)
def list_done_chunks(site_id: str) -> set[tuple]:
    with connect() as conn:
        return repository.done_chunks(conn, site_id)


@task(**IO_RETRIES)
def start_chunk(site_id: str, start: date, end: date) -> None:
    with connect() as conn:
        repository.start_chunk(conn, site_id, start, end)


@task(**IO_RETRIES)
def finish_chunk(site_id: str, start: date, end: date, run: dict) -> None:
    with connect() as conn:
        repository.finish_chunk(conn, site_id, start, end, run)


@flow(name="backfill-chunk", flow_run_name=_chunk_run_name)
def backfill_chunk(seed: Seed, start: date, end: date, seeds_dir: str,
                   proxy: str | None = None, warc_out: str | None = None) -> dict:
    """Crawl the articles dated in [start, end], extract them, mark the chunk done."""
    start_chunk(seed.id, start, end)
    crawl_run_id = open_crawl_run(seed.id, "backfill")
    try:
        crawl_site(seed.id, seeds_dir, crawl_run_id, proxy, since=start, until=end,
                   warc_out=warc_out)
        extract_pending(seed, crawl_run_id)
    except Exception as exc:
        close_crawl_run(crawl_run_id, "failed", str(exc))
        raise
    run = close_crawl_run(crawl_run_id, "completed", None)
    finish_chunk(seed.id, start, end, run)
    return run


@flow(name="backfill", flow_run_name=_backfill_run_name)
def backfill(site: str, since: date, until: date, chunk: str = "month",
             seeds_dir: str | None = None, proxy: str | None = None,
             warc_out: str | None = None) -> list[dict]:
    """Backfill one site over [since, until], chunk by chunk, resuming where it stopped."""
    directory = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    seed = load_seeds(directory, [site])[0]
    chunks = plan_chunks(since, until, chunk)
    migrate()
    register_site(seed)
    done = list_done_chunks(seed.id)
    finished = sum(1 for chunk in chunks if chunk in done)
    progress = create_progress_artifact(
        progress=100 * finished / len(chunks), key=f"backfill-{seed.id}",
        description=f"Chunks of {since}..{until} done for {seed.id}")
    runs = []
    for start, end in chunks:
        if (start, end) in done:
            continue
        runs.append(backfill_chunk(seed, start, end, str(directory), proxy, warc_out))
        finished += 1
        update_progress_artifact(progress, progress=100 * finished / len(chunks))
    return runs
