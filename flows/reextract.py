"""The `reextract` flow: the current extractor over stored pages, articles updated in place.

No network: a better extractor re-processes the archive from the raw pages PostgreSQL holds.
Locally it uses every core (`processes`); on a work pool, `parts` > 1 with `part_deployment`
splits each site's pages into ranges of page ids, each a flow run of that deployment, which
the pool's workers share.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from akhbar.extract import EXTRACTOR_VERSION
from akhbar.flows.nightly import site_rows
from akhbar.flows.tasks import crawl_run, extract_and_load, failed, io, prepare
from akhbar.seeds import Seed, load_seeds
from akhbar.sql import connect, repository
from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.deployments import run_deployment


def _reextract_run_name() -> str:
    from prefect.runtime import flow_run

    p = flow_run.parameters
    part = (f" pages {p['first_id']}–{p['last_id']}"
            if p.get("first_id") is not None or p.get("last_id") is not None else "")
    return (f"reextract {p.get('site') or 'all sites'}"
            + (f" since {p['since']}" if p.get("since") else "") + part
            + f" ({EXTRACTOR_VERSION})")


@task(cache_policy=NONE)
def list_stored_pages(site_id: str, since: date | None, timezone: str,
                      first_id: int | None = None, last_id: int | None = None) -> list[int]:
    start = datetime.combine(since, time(), ZoneInfo(timezone)) if since else None
    with connect() as conn:
        return repository.latest_page_ids(conn, site_id, start, first_id, last_id)


def id_ranges(page_ids: list[int], parts: int) -> list[tuple[int, int]]:
    """(first id, last id) of `parts` runs of sorted ids, as equal in size as can be."""
    parts = max(1, min(parts, len(page_ids)))
    size, extra = divmod(len(page_ids), parts)
    ranges, start = [], 0
    for n in range(parts):
        end = start + size + (n < extra)
        ranges.append((page_ids[start], page_ids[end - 1]))
        start = end
    return ranges


def _run_parts(seed: Seed, since: date | None, directory: str, processes: int | None,
               ranges: list[tuple[int, int]], part_deployment: str) -> tuple[list[dict], list]:
    """Each range as a flow run of `part_deployment`, all at once: their crawl_runs rows, and
    a line for each part that did not complete."""
    def one(first_id: int, last_id: int):
        return run_deployment(part_deployment, timeout=None, as_subflow=True, parameters={
            "site": seed.id, "since": since.isoformat() if since else None,
            "seeds_dir": directory, "processes": processes, "first_id": first_id,
            "last_id": last_id, "parts": 1, "part_deployment": None})

    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="part") as threads:
        # Each thread runs in a copy of this flow's context, so the runs nest under it.
        futures = [threads.submit(contextvars.copy_context().run, one, *r) for r in ranges]
        runs = [future.result() for future in futures]
    broken = [f"{run.name}: {run.state.message or run.state.name}" for run in runs
              if not run.state.is_completed()]
    rows = io(site_rows)([(str(run.id), seed.id, run.state.message) for run in runs])
    return rows, broken


@flow(name="reextract", flow_run_name=_reextract_run_name)
def reextract(site: str | None = None, since: date | None = None,
              seeds_dir: str | None = None, processes: int | None = None,
              parts: int = 1, part_deployment: str | None = None,
              first_id: int | None = None, last_id: int | None = None) -> list[dict]:
    """Re-extract the newest stored page of every URL (of one site, fetched since a date,
    with a page id in [first_id, last_id]), on `processes` local processes (default: one per
    core), or split into `parts` flow runs of `part_deployment` for a work pool's workers."""
    # Stored pages of a site whose seed is not in the folder (the demo's, a catalogue site's)
    # are re-extracted with the packaged seed.
    seeds = load_seeds(Path(seeds_dir) if seeds_dir else None, [site] if site else None,
                       catalog=True)
    prepare()
    summaries, broken = [], []
    for seed in seeds:
        page_ids = io(list_stored_pages)(seed.id, since, seed.timezone, first_id, last_id)
        if not page_ids:
            continue
        if part_deployment and parts > 1:
            rows, not_done = _run_parts(seed, since, str(seed.file), processes,
                                        id_ranges(page_ids, parts), part_deployment)
            summaries += rows
            broken += not_done
            continue
        with crawl_run(seed, "reextract") as run:
            extract_and_load(seed, page_ids, run.id, processes)
        summaries.append(run.row)
    if broken:
        return failed(f"{len(broken)} re-extraction parts did not complete: "
                      + "; ".join(broken), summaries)
    return summaries
