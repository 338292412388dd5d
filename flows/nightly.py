"""The `nightly` flow: for every enabled site, crawl, extract new pages, load articles.

Each site's run ends `completed`, `degraded` or `failed` as judged from what became of its
requests; the nightly run ends Failed naming the failed sites and their reasons, and publishes
the `nightly-summary` table and `site-health` report on its own flow run.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from akhbar.flows.health import drift, health_markdown, summary_rows
from akhbar.flows.tasks import (
    crawl_run,
    crawl_site,
    extract_while_crawling,
    failed,
    io,
    prepare,
    proxy_to_use,
    stop_crawls,
)
from akhbar.seeds import Seed, load_seeds
from akhbar.seeds.settings import default_seeds_dir, get_settings
from akhbar.sql import connect, repository
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE
from prefect.deployments import run_deployment
from prefect.states import Completed

MESSAGE_LIMIT = 2000


@flow(name="site", flow_run_name="site {seed.id}")
def crawl_and_load_site(seed: Seed, seeds_dir: str, proxy: str | None = None,
                        warc_out: str | None = None):
    """One site: crawl, and extract and load its pages as the crawl stores them."""
    with crawl_run(seed, "nightly") as run:
        extract_while_crawling(seed, run.id, io(crawl_site).submit(
            seed.id, seeds_dir, run.id, proxy, warc_out=warc_out))
    status, reason = run.row["status"], run.row["error"]
    if status == "failed":
        return failed(f"{seed.id}: {reason}", run.id)
    if status == "degraded":
        return Completed(message=f"degraded: {reason}", data=run.id)
    return run.id


def _site_run_name() -> str:
    from prefect.runtime import flow_run

    return f"site {flow_run.parameters['site']}"


@flow(name="site-run", flow_run_name=_site_run_name)
def crawl_site_by_id(site: str, seeds_dir: str | None = None, proxy: str | None = None,
                     warc_out: str | None = None):
    """One site by its id, as its own deployment: what workers of a pool pick up."""
    seed = load_seeds(Path(seeds_dir) if seeds_dir else None, [site])[0]
    # The site's work runs in this flow run itself, so its crawl_runs row carries this id.
    return crawl_and_load_site.fn(seed, str(seed.file), proxy, warc_out)


def _nightly_run_name() -> str:
    """`nightly 2026-11-29 02:00:00`: the scheduled start in $AKHBAR_TIMEZONE, unique."""
    from prefect.runtime import flow_run

    start = flow_run.scheduled_start_time
    return f"nightly {start.astimezone(ZoneInfo(get_settings().timezone)):%Y-%m-%d %H:%M:%S}"


@task(cache_policy=NONE)
def site_rows(runs: list[tuple[str, str, str | None]]) -> list[dict]:
    """The crawl_runs row of each (flow run id, site id, state message); a site whose run
    died before it had a row gets a `failed` row with the state's message."""
    rows = []
    with connect() as conn:
        for flow_run_id, site_id, message in runs:
            crawl_run_id = repository.crawl_run_of_flow_run(conn, flow_run_id, site_id)
            if crawl_run_id is None:
                rows.append({"source_id": site_id, "status": "failed", "crawl_run_id": None,
                             "error": message or "the site's run ended before it started"})
            else:
                rows.append(repository.crawl_run_rows(conn, [crawl_run_id])[0])
    return rows


@task(cache_policy=NONE)
def health_inputs(rows: list[dict]) -> tuple[list[list[dict]], dict[int, dict[str, int]]]:
    """Each site's trailing nightly runs, and each run's rejects by reason."""
    histories, rejects = [], {}
    with connect() as conn:
        for row in rows:
            run_id = row.get("crawl_run_id")
            histories.append(repository.recent_runs(conn, row["source_id"], run_id)
                             if run_id else [])
            if run_id:
                rejects[run_id] = repository.rejects_by_reason(conn, run_id)
    return histories, rejects


def publish_monitoring(rows: list[dict]) -> list[str]:
    """The `nightly-summary` table and `site-health` report, on this flow run; returns one
    line per site with problems."""
    histories, rejects = io(health_inputs)(rows)
    sites = [(row, history, drift(row, history)) for row, history in zip(rows, histories,
                                                                          strict=True)]
    create_table_artifact(key="nightly-summary", table=summary_rows(rows, rejects),
                          description="One row per site: what this nightly run did.")
    create_markdown_artifact(key="site-health", markdown=health_markdown(sites),
                             description="Each site on its own and against its last 7 runs.")
    return [f"{row['source_id']}: {'; '.join(flags)}" for row, _, flags in sites if flags]


def _run_sites(seeds: list[Seed], directory: str | None, proxy: str | None, warc_out: str | None,
               parallel: int, site_deployment: str | None = None) -> list:
    """Each site's run, up to `parallel` at a time: (flow run id, final state) in seed order.

    With `site_deployment`, each site becomes a flow run of that deployment, which the workers
    of its pool claim (each run is claimed by exactly one worker); otherwise a subflow here.
    """
    def one(seed: Seed):
        if site_deployment:
            # A worker reads the seed where this run found it (its own default folder if
            # none was given), by id.
            folder = Path(directory) if directory else default_seeds_dir()
            where = directory if seed.file.parent == folder.resolve() else str(seed.file)
            run = run_deployment(site_deployment, timeout=None, as_subflow=True, parameters={
                "site": seed.id, "seeds_dir": where, "proxy": proxy, "warc_out": warc_out})
            return run.id, run.state
        state = crawl_and_load_site(seed, str(seed.file), proxy, warc_out, return_state=True)
        return state.state_details.flow_run_id, state

    if parallel <= 1 or len(seeds) <= 1:
        return [one(seed) for seed in seeds]
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="site")
    try:
        # Each thread runs in a copy of this flow's context so the subflows nest under it.
        futures = [pool.submit(contextvars.copy_context().run, one, seed) for seed in seeds]
        return [future.result() for future in futures]
    except BaseException:
        stop_crawls()  # interrupted: the sites' threads end as soon as their crawls die
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@flow(name="nightly", flow_run_name=_nightly_run_name)
def nightly(sites: list[str] | None = None, seeds_dir: str | None = None,
            proxy: str | None = None, warc_out: str | None = None,
            parallel: int | None = None, site_deployment: str | None = None):
    """Crawl, extract and load every enabled site (or the named ones), `parallel` sites at a
    time ($AKHBAR_PARALLEL_SITES by default); one failing site does not stop the others."""
    proxy_to_use(proxy)  # credentials here would be stored by Prefect: refused
    logger = get_run_logger()
    directory = Path(seeds_dir) if seeds_dir else None
    seeds = [s for s in load_seeds(directory, sites) if sites or s.enabled]
    prepare()
    runs = _run_sites(seeds, seeds_dir, proxy, warc_out,
                      parallel or get_settings().parallel_sites, site_deployment)
    rows = io(site_rows)([(str(flow_run_id), seed.id, state.message)
                          for seed, (flow_run_id, state) in zip(seeds, runs, strict=True)])
    flagged = publish_monitoring(rows)
    for row in rows:
        logger.info("%s: %s, %s found, %s fetched, %s new, %s updated, %s failed requests%s",
                    row["source_id"], row["status"], row.get("discovered", 0),
                    row.get("fetched", 0), row.get("new_articles", 0),
                    row.get("updated_articles", 0), row.get("errors", 0),
                    f" — {row['error']}" if row.get("error") else "")
    broken = [row for row in rows if row["status"] in ("failed", "aborted")]
    if broken:
        message = (f"{len(broken)} of {len(rows)} sites failed: "
                   + "; ".join(f"{row['source_id']} ({row['error']})" for row in broken))
        others = [line for line in flagged
                  if not any(line.startswith(row["source_id"] + ":") for row in broken)]
        if others:
            message += " | also: " + " | ".join(others)
        return failed(message[:MESSAGE_LIMIT], rows)
    if flagged:
        return Completed(message=("drift: " + " | ".join(flagged))[:MESSAGE_LIMIT], data=rows)
    return rows
