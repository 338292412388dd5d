"""The `backfill` flow: a site's archive over a date window, one child run per chunk.

A chunk is recorded `done` in PostgreSQL only when its discovery succeeded and every article
in it was stored or is gone for good (404/410); otherwise it stays `pending` with the reason.
A backfill started again skips the chunks done and crawls the others, where pages already
stored are not fetched again.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

from akhbar.flows.tasks import (
    crawl_run,
    crawl_site,
    extract_while_crawling,
    failed,
    io,
    prepare,
    proxy_to_use,
    register_site,
)
from akhbar.seeds import Seed, load_seeds
from akhbar.spiders.outcomes import Tally
from akhbar.sql import connect, repository
from prefect import flow, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.cache_policies import NONE
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


@task(cache_policy=NONE)
def list_done_chunks(site_id: str) -> set[tuple]:
    with connect() as conn:
        return repository.done_chunks(conn, site_id)


@task(cache_policy=NONE)
def start_chunk(site_id: str, start: date, end: date) -> None:
    with connect() as conn:
        repository.start_chunk(conn, site_id, start, end)


@task(cache_policy=NONE)
def finish_chunk(site_id: str, start: date, end: date, run: dict, done: bool,
                 reason: str | None) -> None:
    with connect() as conn:
        repository.finish_chunk(conn, site_id, start, end, run, done, reason)


def chunk_complete(run: dict) -> tuple[bool, str | None]:
    """Whether a chunk's crawl reached everything it could: discovery read, and articles
    stored or gone for good. Otherwise the reason it must be crawled again."""
    if run["status"] in ("failed", "aborted"):
        return False, run["error"]
    retry = Tally.from_json(run["outcomes"]).retryable_failures()
    if retry:
        return False, f"{retry} requests failed and must be retried: {run['error'] or ''}".strip()
    return True, None


@flow(name="backfill-chunk", flow_run_name=_chunk_run_name)
def backfill_chunk(seed: Seed, start: date, end: date, seeds_dir: str,
                   proxy: str | None = None, warc_out: str | None = None):
    """Crawl the articles dated in [start, end], extract them, mark the chunk done when
    nothing in it needs asking again."""
    io(start_chunk)(seed.id, start, end)
    with crawl_run(seed, "backfill") as run:
        extract_while_crawling(seed, run.id, io(crawl_site).submit(
            seed.id, seeds_dir, run.id, proxy, since=start, until=end, warc_out=warc_out))
    done, reason = chunk_complete(run.row)
    io(finish_chunk)(seed.id, start, end, run.row, done, reason)
    if not done:
        return failed(f"{seed.id} {start}..{end} stays pending: {reason}", run.row)
    return run.row


@flow(name="backfill", flow_run_name=_backfill_run_name)
def backfill(site: str, since: date, until: date, chunk: str = "month",
             seeds_dir: str | None = None, proxy: str | None = None,
             warc_out: str | None = None) -> list[dict]:
    """Backfill one site over [since, until], chunk by chunk, resuming where it stopped."""
    proxy_to_use(proxy)  # credentials here would be stored by Prefect: refused
    seed = load_seeds(Path(seeds_dir) if seeds_dir else None, [site])[0]
    chunks = plan_chunks(since, until, chunk)
    prepare()
    io(register_site)(seed)
    done = io(list_done_chunks)(seed.id)
    finished = sum(1 for chunk in chunks if chunk in done)
    progress = create_progress_artifact(
        progress=100 * finished / len(chunks), key=f"backfill-{seed.id}",
        description=f"Chunks of {since}..{until} done for {seed.id}")
    runs, pending = [], []
    for start, end in chunks:
        if (start, end) in done:
            continue
        state = backfill_chunk(seed, start, end, str(seed.file), proxy, warc_out,
                               return_state=True)
        if state.is_completed():
            runs.append(state.result())
            finished += 1
            update_progress_artifact(progress, progress=100 * finished / len(chunks))
        else:
            pending.append(state.message)
    if pending:
        return failed(f"{len(pending)} of {len(chunks)} chunks stay pending: "
                      + " | ".join(pending), runs)
    return runs
