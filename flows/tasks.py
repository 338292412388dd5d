"""Tasks the flows are made of: verbs, split at I/O boundaries, retried only where I/O is."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

import psycopg
from akhbar.extract import Reject, extract_article
from akhbar.extract.urls import host_in
from akhbar.seeds import Seed
from akhbar.spiders.crawl import SUMMARY_PREFIX
from akhbar.sql import DATABASE_URL_ENV, DatabaseError, connect, database_url, repository
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.concurrency.sync import concurrency
from prefect.runtime import flow_run

if TYPE_CHECKING:
    from prefect import Task
    from prefect.client.schemas.objects import TaskRun
    from prefect.states import State

CRAWL_TIMEOUT_ENV = "AKHBAR_CRAWL_TIMEOUT"
LEASE_ENV = "AKHBAR_SITE_LEASE_SECONDS"
WAIT_ENV = "AKHBAR_SITE_WAIT_SECONDS"
EXTRACT_BATCH = 200
PR_SET_PDEATHSIG = 1
# Only I/O tasks retry; $AKHBAR_TASK_RETRIES and $AKHBAR_RETRY_DELAYS ("5,30") tune them.
IO_RETRIES = {
    "retries": int(os.environ.get("AKHBAR_TASK_RETRIES", "2")),
    "retry_delay_seconds": [float(s) for s in
                            os.environ.get("AKHBAR_RETRY_DELAYS", "5,30").split(",")],
    "cache_policy": NONE,
}


def is_transient(exc: BaseException) -> bool:
    """Whether another try may succeed: the database or the network was away (a lost connection,
    a timeout), not the input bad (WarcError, SeedError, any other ValueError)."""
    marked = getattr(exc, "transient", None)  # WarcDownloadError knows which it is
    if marked is not None:
        return bool(marked)
    if isinstance(exc, DatabaseError):  # connect() says what to do about an OperationalError
        exc = exc.__cause__ or exc
    return isinstance(exc, psycopg.OperationalError | ConnectionError | TimeoutError)


def retry_if_transient(task: Task, task_run: TaskRun, state: State) -> bool:
    """Prefect's `retry_condition_fn`: retry a failed task only for a transient I/O error."""
    try:
        state.result()
    except Exception as exc:
        return is_transient(exc)
    return False


# For tasks that read input which may be bad: an error in the input fails them at once.
TRANSIENT_IO_RETRIES = IO_RETRIES | {"retry_condition_fn": retry_if_transient}


class CrawlFailed(RuntimeError):
    """The crawl process of a site ended badly."""


@task(**IO_RETRIES)
def register_site(seed: Seed) -> str:
    with connect() as conn:
        repository.register_source(conn, seed)
    return seed.id


@task(**IO_RETRIES)
def open_crawl_run(site_id: str, flow_name: str) -> int:
    run_id = str(flow_run.get_id() or "local")
    with connect() as conn:
        return repository.open_crawl_run(conn, site_id, run_id, flow_name)


def _die_with_parent() -> None:
    """In the crawl process: be killed when the flow's process dies (Linux), never orphaned."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def site_limit_name(site_id: str) -> str:
    """The Prefect global concurrency limit every crawl of a site holds a slot of."""
    return f"akhbar-site-{site_id}"


def ensure_site_limit(site_id: str) -> str:
    """Create the site's global concurrency limit (one crawl at a time, whichever flow runs
    it: a backfill during the nightly waits instead of doubling the load on the site)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    name = site_limit_name(site_id)
    with get_client(sync_client=True) as client:
        try:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=1, active=True))
        except ObjectAlreadyExists:
            pass  # kept as it is: an operator may have raised or lowered it
    return name


@task(name="crawl_site", task_run_name="crawl {site_id}", **IO_RETRIES)
def crawl_site(site_id: str, seeds_dir: str, crawl_run_id: int, proxy: str | None,
               since: date | None = None, until: date | None = None,
               warc_out: str | None = None) -> dict:
    """Run the site's spider in its own process and relay its log lines to this run's log."""
    logger = get_run_logger()
    env = dict(os.environ, **{DATABASE_URL_ENV: database_url(), "PYTHONUNBUFFERED": "1"})
    if proxy:
        env.update(http_proxy=proxy, HTTP_PROXY=proxy, https_proxy=proxy, HTTPS_PROXY=proxy)
    command = [sys.executable, "-m", "akhbar.spiders.crawl", site_id, "--seeds-dir", seeds_dir,
               "--crawl-run-id", str(crawl_run_id)]
    if since and until:
        command += ["--since", since.isoformat(), "--until", until.isoformat()]
    if warc_out:
        command += ["--warc-out", warc_out]
    # The slot's lease is renewed while the crawl runs; a killed holder's slot comes back when
    # the server expires its lease. Should that not happen, the crawl goes ahead after
    # $AKHBAR_SITE_WAIT_SECONDS rather than hold the night.
    lease = max(60.0, float(os.environ.get(LEASE_ENV, "120")))  # Prefect: at least 60 s
    wait = float(os.environ.get(WAIT_ENV, "1800"))
    try:
        with concurrency(ensure_site_limit(site_id), occupy=1, lease_duration=lease,
                         timeout_seconds=wait):
            return _run_crawl(command, env, site_id, crawl_run_id, logger)
    except TimeoutError:
        logger.warning("%s's crawl slot stayed taken for %.0f s (a run killed while crawling?);"
                       " crawling without it", site_id, wait)
    return _run_crawl(command, env, site_id, crawl_run_id, logger)


def _run_crawl(command: list[str], env: dict, site_id: str, crawl_run_id: int, logger) -> dict:
    """Run the crawl process to its end, relaying its log lines; its summary."""
    summary: dict = {}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                               preexec_fn=_die_with_parent if sys.platform == "linux" else None)

    def relay() -> None:
        for line in process.stdout:
            line = line.rstrip()
            if line.startswith(SUMMARY_PREFIX):
                summary.update(json.loads(line[len(SUMMARY_PREFIX):]))
            elif line.startswith(("ERROR ", "CRITICAL ")):
                logger.error(line)
            elif line.startswith("WARNING "):
                logger.warning(line)
            elif line:
                logger.info(line)

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    logger.info("crawl process %d started", process.pid)
    try:
        code = process.wait(timeout=float(os.environ.get(CRAWL_TIMEOUT_ENV, 4 * 3600)))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise CrawlFailed(f"crawl of {site_id} timed out") from None
    finally:
        reader.join(timeout=10)
    if code != 0 or not summary:
        raise CrawlFailed(f"crawl of {site_id} exited with code {code}")
    with connect() as conn:
        repository.record_crawl(conn, crawl_run_id, summary)
    return summary


@task(**IO_RETRIES)
def list_pending_pages(site_id: str) -> list[int]:
    with connect() as conn:
        return repository.pending_page_ids(conn, site_id)


@task(task_run_name="extract {seed.id} ({page_ids[0]}…)", **IO_RETRIES)
def extract_and_load(seed: Seed, page_ids: list[int], crawl_run_id: int) -> dict:
    """Extract a batch of stored pages and load the results."""
    with connect() as conn:
        results = []
        for page in repository.pages_by_id(conn, page_ids):
            options = seed.extract_options(page["fetched_at"])
            result = extract_article(bytes(page["body"]), page["final_url"], options,
                                     declared_encoding=page["encoding"])
            url = page["url"]
            canonical = getattr(result, "canonical_url", None)
            if canonical and host_in(canonical, seed.domains):
                url = seed.canonical_url(canonical)
            results.append((page["id"], url, result))
        counts = repository.load_results(conn, seed.id, results)
        repository.record_extraction(conn, crawl_run_id, counts)
    reasons = Counter(r.reason for _, _, r in results if isinstance(r, Reject))
    get_run_logger().info(
        "extracted %d pages of %s: %d new, %d updated, %d unchanged, %d duplicates, "
        "%d rejected%s", len(results), seed.id, counts.new_articles, counts.updated_articles,
        counts.unchanged, counts.duplicates, counts.rejected,
        f" ({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))})" if reasons else "")
    return counts.__dict__


@task(**IO_RETRIES)
def close_crawl_run(crawl_run_id: int, status: str, error: str | None) -> dict:
    with connect() as conn:
        row = repository.close_crawl_run(conn, crawl_run_id, status, error)
    row["duration"] = row["duration"].total_seconds()
    return row




def extract_pending(seed: Seed, crawl_run_id: int) -> None:
    """Extract and load, in batches, every stored page of the site not extracted yet."""
    pending = list_pending_pages(seed.id)
    for start in range(0, len(pending), EXTRACT_BATCH):
        extract_and_load(seed, pending[start:start + EXTRACT_BATCH], crawl_run_id)
