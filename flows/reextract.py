"""The `reextract` flow: the current extractor over stored pages, articles updated in place.

No network: a better extractor re-processes the archive from the raw pages PostgreSQL holds.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from akhbar.extract import EXTRACTOR_VERSION
from akhbar.flows.tasks import crawl_run, extract_and_load, io, prepare
from akhbar.seeds import SEEDS_DIR, load_seeds
from akhbar.sql import connect, repository
from prefect import flow, task
from prefect.cache_policies import NONE


def _reextract_run_name() -> str:
    from prefect.runtime import flow_run

    p = flow_run.parameters
    return (f"reextract {p.get('site') or 'all sites'}"
            + (f" since {p['since']}" if p.get("since") else "") + f" ({EXTRACTOR_VERSION})")


@task(cache_policy=NONE)
def list_stored_pages(site_id: str, since: date | None, timezone: str) -> list[int]:
    start = datetime.combine(since, time(), ZoneInfo(timezone)) if since else None
    with connect() as conn:
        return repository.latest_page_ids(conn, site_id, start)


@flow(name="reextract", flow_run_name=_reextract_run_name)
def reextract(site: str | None = None, since: date | None = None,
              seeds_dir: str | None = None) -> list[dict]:
    """Re-extract the newest stored page of every URL (of one site, fetched since a date)."""
    directory = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    seeds = load_seeds(directory, [site] if site else None)
    prepare()
    summaries = []
    for seed in seeds:
        page_ids = io(list_stored_pages)(seed.id, since, seed.timezone)
        if not page_ids:
            continue
        with crawl_run(seed, "reextract") as run:
            extract_and_load(seed, page_ids, run.id)
        summaries.append(run.row)
    return summaries
