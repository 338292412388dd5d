"""The `nightly` flow: for every enabled site, crawl, extract new pages, load articles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from akhbar.flows.tasks import (
    close_crawl_run,
    crawl_site,
    extract_pending,
    open_crawl_run,
    register_site,
)
from akhbar.seeds import SEEDS_DIR, Seed, load_seeds
from akhbar.sql import migrate
from prefect import flow, get_run_logger


@flow(name="site", flow_run_name="site {seed.id}")
def crawl_and_load_site(seed: Seed, seeds_dir: str, proxy: str | None = None,
                        warc_out: str | None = None) -> dict:
    """One site: crawl, then extract and load every page not extracted yet."""
    register_site(seed)
    crawl_run_id = open_crawl_run(seed.id, "nightly")
    try:
        crawl_site(seed.id, seeds_dir, crawl_run_id, proxy, warc_out=warc_out)
        extract_pending(seed, crawl_run_id)
    except Exception as exc:
        close_crawl_run(crawl_run_id, "failed", str(exc))
        raise
    return close_crawl_run(crawl_run_id, "completed", None)


def _nightly_run_name() -> str:
    return f"nightly {date.today().isoformat()}"


@flow(name="nightly", flow_run_name=_nightly_run_name)
def nightly(sites: list[str] | None = None, seeds_dir: str | None = None,
            proxy: str | None = None, warc_out: str | None = None) -> list[dict]:
    """Crawl, extract and load every enabled site (or the named ones); one failing site does
    not stop the others."""
    logger = get_run_logger()
    directory = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    seeds = [s for s in load_seeds(directory, sites) if sites or s.enabled]
    migrate()
    summaries, failed = [], []
    for seed in seeds:
        state = crawl_and_load_site(seed, str(directory), proxy, warc_out, return_state=True)
        if state.is_completed():
            summaries.append(state.result())
        else:
            failed.append(seed.id)
            summaries.append({"source_id": seed.id, "status": "failed", "error": state.message})
    logger.info("nightly summary: %s", json.dumps(summaries, ensure_ascii=False, default=str))
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(seeds)} sites failed: {', '.join(failed)}")
    return summaries
