"""The `nightly` flow: for every enabled site, crawl, extract new pages, load articles."""

from __future__ import annotations

import contextvars
import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from akhbar.flows.health import drift, health_markdown, summary_row
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
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.deployments import run_deployment
from prefect.states import Completed, Failed

PARALLEL_ENV = "AKHBAR_PARALLEL_SITES"


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


def _site_run_name() -> str:
    from prefect.runtime import flow_run

    return f"site {flow_run.parameters['site']}"


@flow(name="site-run", flow_run_name=_site_run_name)
def crawl_site_by_id(site: str, seeds_dir: str | None = None, proxy: str | None = None,
                     warc_out: str | None = None) -> dict:
    """One site by its id, as its own deployment: what workers of a pool pick up."""
    directory = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    seed = load_seeds(directory, [site])[0]
    # The site's work runs in this flow run itself, so its crawl_runs row carries this id.
    return crawl_and_load_site.fn(seed, str(directory), proxy, warc_out)


def _nightly_run_name() -> str:
    return f"nightly {date.today().isoformat()}"


@task(**IO_RETRIES)
def publish_monitoring(runs: list[dict]) -> list[str]:
    """The `nightly-summary` table and `site-health` report of this run; returns drift lines."""
    sites, rows = [], []
    with connect() as conn:
        for run in runs:
            run_id = run.get("crawl_run_id")
            history = repository.recent_runs(conn, run["source_id"], run_id) if run_id else []
            rejects = repository.rejects_by_reason(conn, run_id) if run_id else {}
            sites.append((run, history, drift(run, history)))
            rows.append(summary_row(run, rejects))
    create_table_artifact(key="nightly-summary", table=rows,
                          description="One row per site: what this nightly run did.")
    create_markdown_artifact(key="site-health", markdown=health_markdown(sites),
                             description="Each site against its last 7 nightly runs.")
    return [f"{run['source_id']}: {'; '.join(flags)}" for run, _, flags in sites if flags]


@task(**IO_RETRIES)
def site_run_row(flow_run_id: str, site_id: str, message: str | None) -> dict:
    """The crawl_runs row of a site's run (for failed runs: what is known of it)."""
    with connect() as conn:
        row = repository.crawl_run_of_flow_run(conn, flow_run_id, site_id)
    return dict(row) if row else {"source_id": site_id, "status": "failed", "error": message}


def _run_sites(seeds: list[Seed], directory: str, proxy: str | None, warc_out: str | None,
               parallel: int, site_deployment: str | None = None) -> list:
    """Each site's run, up to `parallel` at a time: (flow run id, final state) in seed order.

    With `site_deployment`, each site becomes a flow run of that deployment, which the workers
    of its pool claim (each run is claimed by exactly one worker); otherwise a subflow here.
    """
    def one(seed: Seed):
        if site_deployment:
            run = run_deployment(site_deployment, timeout=None, as_subflow=True, parameters={
                "site": seed.id, "seeds_dir": directory, "proxy": proxy, "warc_out": warc_out})
            return run.id, run.state
        state = crawl_and_load_site(seed, directory, proxy, warc_out, return_state=True)
        return state.state_details.flow_run_id, state

    if parallel <= 1 or len(seeds) <= 1:
        return [one(seed) for seed in seeds]
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="site") as pool:
        # Each thread runs in a copy of this flow's context so the subflows nest under it.
        futures = [pool.submit(contextvars.copy_context().run, one, seed) for seed in seeds]
        return [future.result() for future in futures]


@flow(name="nightly", flow_run_name=_nightly_run_name)
def nightly(sites: list[str] | None = None, seeds_dir: str | None = None,
            proxy: str | None = None, warc_out: str | None = None,
            parallel: int = int(os.environ.get(PARALLEL_ENV, "2")),
            site_deployment: str | None = None) -> list[dict]:
    """Crawl, extract and load every enabled site (or the named ones), `parallel` sites at a
    time; one failing site does not stop the others."""
    logger = get_run_logger()
    directory = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    seeds = [s for s in load_seeds(directory, sites) if sites or s.enabled]
    migrate()
    summaries, failed = [], []
    runs = _run_sites(seeds, str(directory), proxy, warc_out, parallel, site_deployment)
    for seed, (flow_run_id, state) in zip(seeds, runs, strict=True):
        if state.is_completed() and not site_deployment:
            summaries.append(state.result())
        elif state.is_completed():  # a worker's run: its figures are in crawl_runs
            summaries.append(site_run_row(str(flow_run_id), seed.id, state.message))
        else:
            failed.append(seed.id)
            summaries.append(site_run_row(str(flow_run_id), seed.id, state.message))
    drifted = publish_monitoring(summaries)
    logger.info("nightly summary: %s", json.dumps(summaries, ensure_ascii=False, default=str))
    if failed:
        return Failed(message=f"{len(failed)} of {len(seeds)} sites failed: {', '.join(failed)}"
                      + (f"; drift: {' | '.join(drifted)}" if drifted else ""))
    if drifted:
        return Completed(message="drift: " + " | ".join(drifted), data=summaries)
    return summaries
