"""Tasks the flows are made of: verbs, split at I/O boundaries, retried only where I/O is."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import psycopg
from akhbar.extract import Article, Reject
from akhbar.extract.urls import host_in
from akhbar.flows.processes import ExtractionPool, extraction_pool, usable_cores
from akhbar.seeds import Seed
from akhbar.seeds.settings import get_settings
from akhbar.spiders.crawl import (
    EXIT_BAD_INPUT,
    EXIT_DATABASE_LOST,
    EXIT_SITE_BUSY,
    crawl_environment,
)
from akhbar.spiders.outcomes import Tally, judge
from akhbar.sql import DatabaseError, connect, database_url, repository
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

if TYPE_CHECKING:
    from prefect import Task
    from prefect.client.schemas.objects import TaskRun
    from prefect.states import State

EXTRACT_BATCH = 200
CRAWL_POLL_SECONDS = 2.0  # how often pages a running crawl stored are looked for
EXTRACTION_POOL: ContextVar[ExtractionPool | None] = ContextVar("extraction_pool", default=None)


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


class CrawlFailed(RuntimeError):
    """The crawl process of a site ended badly; the message says why, in one line."""


class CrawlCrashed(CrawlFailed):
    """The crawl process died unexpectedly (worth one more try)."""


class Interrupted(CrawlFailed):
    """The command was interrupted (Ctrl-C, SIGTERM) while this crawl ran."""


# Set when the command is being interrupted: crawls are killed, nothing is retried, runs in
# flight are recorded `aborted`.
STOPPING = threading.Event()
_crawls: set[subprocess.Popen] = set()
_crawls_lock = threading.Lock()


def stop_crawls() -> None:
    """Interrupting: kill every crawl process this process started (their threads then end)."""
    STOPPING.set()
    with _crawls_lock:
        for process in _crawls:
            if process.poll() is None:
                process.kill()


class RunFailed(RuntimeError):
    """A flow run that ended Failed with figures to show: its message, and its rows."""

    def __init__(self, message: str, rows: list[dict] | dict | int | None = None) -> None:
        super().__init__(message)
        self.rows = rows


def failed(message: str, rows: list[dict] | dict | int | None = None):
    """A Failed state whose data is a RunFailed carrying the rows (so a caller without
    return_state gets an exception, and one with it still gets the figures)."""
    from prefect.states import Failed

    return Failed(message=message, data=RunFailed(message, rows))


def io(task_function):
    """The task with the retries of a task that does I/O ($AKHBAR_TASK_RETRIES): for a
    transient error only, unless the task says otherwise."""
    options = get_settings().io_retries()
    if task_function.retry_condition_fn is None:
        options["retry_condition_fn"] = retry_if_transient
    return task_function.with_options(**options)


def _retry_crashes_only(task, task_run, state) -> bool:
    """Retry a crawl that crashed; not one that timed out, found its site busy, or was
    refused its input (a retry would only repeat it)."""
    if STOPPING.is_set():
        return False
    try:
        state.result()
    except CrawlCrashed:
        return True
    except Exception:
        return False
    return False


@task(cache_policy=NONE)
def abort_dead_runs() -> int:
    """Runs left `running` by a process of this machine that is gone become `aborted`."""
    with connect() as conn:
        aborted = repository.abort_dead_runs(conn)
    for row in aborted:
        get_run_logger().warning("run %d of %s (pid %d) was left running by a process that is "
                                 "gone; marked aborted", row["id"], row["source_id"], row["pid"])
    return len(aborted)


def prepare() -> None:
    """What every flow does first: apply migrations, close the runs of dead processes."""
    from akhbar.sql import migrate

    migrate()
    io(abort_dead_runs)()


@task(cache_policy=NONE)
def register_site(seed: Seed) -> str:
    with connect() as conn:
        repository.register_source(conn, seed)
    return seed.id


@task(cache_policy=NONE)
def open_crawl_run(site_id: str, flow_name: str) -> int:
    run_id = str(flow_run.get_id() or "local")
    with connect() as conn:
        return repository.open_crawl_run(conn, site_id, run_id, flow_name)


@task(cache_policy=NONE)
def close_crawl_run(crawl_run_id: int, status: str, error: str | None) -> dict:
    with connect() as conn:
        return repository.close_crawl_run(conn, crawl_run_id, status, error)


@task(cache_policy=NONE)
def read_outcomes(crawl_run_id: int) -> dict:
    with connect() as conn:
        return repository.crawl_run_outcomes(conn, crawl_run_id)


@dataclass
class CrawlRun:
    """A site's crawl_runs row while a flow works on it."""

    seed: Seed
    id: int
    row: dict = field(default_factory=dict)
    failure: str | None = None

    def fail(self, reason: str) -> None:
        """End the run `failed` with this reason, whatever its requests did."""
        self.failure = reason


@contextmanager
def crawl_run(seed: Seed, flow_name: str) -> Iterator[CrawlRun]:
    """Open the site's crawl_runs row; close it judged from its recorded outcomes, `failed`
    with the reason when the work raised, `aborted` when it was interrupted."""
    io(register_site)(seed)
    run = CrawlRun(seed, io(open_crawl_run)(seed.id, flow_name))
    try:
        yield run
    except BaseException as exc:
        # Prefect turns SIGTERM inside a flow run into its own TerminationSignal.
        from prefect.exceptions import ExternalSignal

        if STOPPING.is_set() or isinstance(
                exc, KeyboardInterrupt | SystemExit | ExternalSignal | Interrupted):
            _close_quietly(run.id, "aborted", "interrupted (Ctrl-C or SIGTERM); run again to "
                                              "continue")
        else:
            _close_quietly(run.id, "failed", one_line(exc))
        raise
    tally = Tally.from_json(io(read_outcomes)(run.id))
    status, reason = judge(tally, seed.health.max_error_share)
    if run.failure:
        status, reason = "failed", run.failure
    run.row = io(close_crawl_run)(run.id, status, reason)


def _close_quietly(crawl_run_id: int, status: str, reason: str) -> None:
    """Record how a run ended without hiding the exception that ended it."""
    try:
        with connect() as conn:
            repository.close_crawl_run(conn, crawl_run_id, status, reason)
    except Exception as exc:  # the database may be what failed
        print(f"akhbar: could not record run {crawl_run_id} as {status}: {exc}",
              file=sys.stderr)


def proxy_to_use(proxy: str | None) -> str | None:
    """The proxy of a flow parameter, else $AKHBAR_PROXY. Credentials are refused as a
    parameter: Prefect stores parameters in the clear and shows them in the UI."""
    if proxy and urlsplit(proxy).password is not None:
        raise ValueError("a proxy with a password cannot be a flow parameter (Prefect stores and "
                         "shows parameters): set AKHBAR_PROXY in the environment instead")
    return proxy or get_settings().proxy


def one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:500]


@task(name="crawl_site", task_run_name="crawl {site_id}", cache_policy=NONE,
      retry_condition_fn=_retry_crashes_only)
def crawl_site(site_id: str, seeds_dir: str, crawl_run_id: int, proxy: str | None,
               since: date | None = None, until: date | None = None,
               warc_out: str | None = None) -> None:
    """Run the site's spider in its own process, relaying its log lines to this run's log.

    The process writes its own counts to the crawl_runs row; a crash, a timeout or a busy
    site raises CrawlFailed with the reason.
    """
    logger = get_run_logger()
    settings = get_settings()
    proxy = proxy_to_use(proxy)
    env = crawl_environment(database_url(), proxy)
    command = [sys.executable, "-m", "akhbar.spiders.crawl", site_id, "--seeds-dir", seeds_dir,
               "--crawl-run-id", str(crawl_run_id)]
    if since and until:
        command += ["--since", since.isoformat(), "--until", until.isoformat()]
    if warc_out:
        command += ["--warc-out", warc_out]
    last_error: list[str] = []
    if STOPPING.is_set():
        raise Interrupted(f"crawl of {site_id} not started: interrupted")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                               errors="replace")
    with _crawls_lock:
        _crawls.add(process)

    def relay() -> None:
        for line in process.stdout:
            line = line.rstrip()
            if line.startswith("AKHBAR_CRAWL_SUMMARY "):
                continue  # the counts are in crawl_runs already
            if line.startswith(("ERROR ", "CRITICAL ", "error: ")):
                logger.error(line)
                if line.startswith("error: "):
                    last_error[:] = [line.removeprefix("error: ")]
            elif line.startswith("WARNING "):
                logger.warning(line)
            elif line:
                logger.info(line)

    reader = threading.Thread(target=relay, daemon=True)
    reader.start()
    logger.info("crawl process %d started", process.pid)
    try:
        code = process.wait(timeout=settings.crawl_timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise CrawlFailed(f"crawl of {site_id} killed after {settings.crawl_timeout:.0f} s "
                          f"(AKHBAR_CRAWL_TIMEOUT)") from None
    finally:
        if process.poll() is None:  # interrupted: the crawl goes with us
            process.kill()
            process.wait()
        with _crawls_lock:
            _crawls.discard(process)
        reader.join(timeout=10)
    if STOPPING.is_set():
        raise Interrupted(f"crawl of {site_id} stopped: interrupted")
    if code == 0:
        return
    reason = last_error[0] if last_error else f"crawl process exited with code {code}"
    if code in (EXIT_SITE_BUSY, EXIT_DATABASE_LOST, EXIT_BAD_INPUT):
        raise CrawlFailed(reason)
    raise CrawlCrashed(reason)


@dataclass(frozen=True)
class Extracted:
    """What extraction made of one stored page, ready to load."""

    page_id: int
    url: str  # the article's URL: the page's, or its canonical URL on the site
    result: Article | Reject
    minhash: bytes | None  # the article text's MinHash signature


@dataclass(frozen=True)
class StoredPage:
    """A raw page as extraction needs it."""

    id: int
    url: str
    final_url: str
    encoding: str | None
    body: bytes
    fetched_at: datetime


@task(cache_policy=NONE)
def list_pending_pages(site_id: str) -> list[int]:
    with connect() as conn:
        return repository.pending_page_ids(conn, site_id)


@task(cache_policy=NONE, task_run_name="read {site_id} pages ({page_ids[0]}…)")
def read_pages(site_id: str, page_ids: list[int]) -> list[StoredPage]:
    with connect() as conn:
        return [StoredPage(row["id"], row["url"], row["final_url"], row["encoding"],
                           bytes(row["body"]), row["fetched_at"])
                for row in repository.pages_by_id(conn, page_ids)]


@task(cache_policy=NONE, task_run_name="extract {seed.id} ({pages[0].id}…)")
def extract_pages(seed: Seed, pages: list[StoredPage]) -> list[Extracted]:
    """Each page's article or reject and the article's MinHash signature: CPU only, never
    retried; on the flow's extraction pool's processes when there is one."""
    jobs = [(page.body, page.final_url, seed.extract_options(page.fetched_at), page.encoding)
            for page in pages]
    pool = EXTRACTION_POOL.get()
    results = []
    for page, (result, minhash) in zip(pages, pool.extract(jobs) if pool else
                                       ExtractionPool(1).extract(jobs), strict=True):
        url = page.url
        canonical = getattr(result, "canonical_url", None)
        if canonical and host_in(canonical, seed.domains):
            url = seed.canonical_url(canonical)
        results.append(Extracted(page.id, url, result, minhash))
    return results


@task(cache_policy=NONE, task_run_name="load {seed.id} ({results[0].page_id}…)")
def load_extracted(seed: Seed, results: list[Extracted], crawl_run_id: int) -> dict:
    """Load a batch of extraction results in one transaction and count them on the run."""
    with connect() as conn:
        counts = repository.load_results(
            conn, seed.id, [(e.page_id, e.url, e.result) for e in results],
            {e.page_id: e.minhash for e in results if e.minhash is not None})
        repository.record_extraction(conn, crawl_run_id, counts)
    reasons = Counter(e.result.reason for e in results if isinstance(e.result, Reject))
    get_run_logger().info(
        "extracted %d pages of %s: %d new, %d updated, %d unchanged, %d duplicates, "
        "%d rejected%s", len(results), seed.id, counts.new_articles, counts.updated_articles,
        counts.unchanged, counts.duplicates, counts.rejected,
        f" ({', '.join(f'{k} {v}' for k, v in sorted(reasons.items()))})" if reasons else "")
    return counts.__dict__


def extract_and_load(seed: Seed, page_ids: list[int], crawl_run_id: int,
                     processes: int | None = None) -> None:
    """Read → extract → load the pages, on `processes` processes ($AKHBAR_EXTRACT_PROCESSES,
    default one per usable core, once there are enough pages to share)."""
    with extraction_pool(processes or get_settings().extract_processes) as pool:
        _extract_batches(seed, page_ids, crawl_run_id, pool)
        if pool.worker_pids:
            get_run_logger().info("%s: %d pages extracted on %d processes", seed.id,
                                  len(page_ids), len(pool.worker_pids))


def _extract_batches(seed: Seed, page_ids: list[int], crawl_run_id: int,
                     pool: ExtractionPool) -> None:
    """Read → extract → load, in batches, the three overlapped: while one batch is extracted
    (on the pool), the one before is loaded and the next one read. Only the reads and loads
    are retried; batches are loaded in order."""
    token = EXTRACTION_POOL.set(pool)
    pending = None  # the batch being extracted
    try:
        for start in range(0, len(page_ids), EXTRACT_BATCH):
            pages = io(read_pages)(seed.id, page_ids[start:start + EXTRACT_BATCH])
            # quote(): Prefect would otherwise walk every page and result looking for
            # futures, a third of a second per 600 pages.
            extracting = extract_pages.submit(seed, quote(pages)) if pages else None
            if pending is not None:
                io(load_extracted)(seed, quote(pending.result()), crawl_run_id)
            pending = extracting
        if pending is not None:
            io(load_extracted)(seed, quote(pending.result()), crawl_run_id)
    finally:
        EXTRACTION_POOL.reset(token)


def _stored_by_run(crawl_run_id: int, after_id: int) -> list[int]:
    """Pages the run stored since `after_id` and not extracted; none when the database does
    not answer (the extraction after the crawl catches up)."""
    try:
        with connect() as conn:
            return repository.pending_pages_of_run(conn, crawl_run_id, after_id)
    except (psycopg.Error, DatabaseError):
        return []


def extract_while_crawling(seed: Seed, crawl_run_id: int, crawl) -> None:
    """Extract and load what a running crawl (a submitted `crawl_site`) stores, in whole
    batches as they fill, on one core fewer than usual (the crawl has one); once the crawl
    has ended, every page still pending on every core. A failed crawl fails as before (what
    it stored before failing is extracted by the next run, like any pending page)."""
    processes = get_settings().extract_processes or usable_cores()
    after_id = 0
    try:
        # Out of this process, whose threads relay the crawl's log and talk to Prefect.
        with extraction_pool(max(1, processes - 1), separate=True) as pool:
            while not crawl.wrapped_future.done():
                crawl.wait(CRAWL_POLL_SECONDS)
                page_ids = _stored_by_run(crawl_run_id, after_id)
                whole = len(page_ids) - len(page_ids) % EXTRACT_BATCH
                if whole and not STOPPING.is_set():
                    _extract_batches(seed, page_ids[:whole], crawl_run_id, pool)
                    after_id = page_ids[whole - 1]
    except Exception:
        crawl.wait()  # the crawl ends on its own; its state says how
        raise
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): the crawl goes with us, at once
        stop_crawls()
        raise
    crawl.result()
    extract_pending(seed, crawl_run_id)


def extract_pending(seed: Seed, crawl_run_id: int) -> None:
    """Extract and load every stored page of the site not extracted yet."""
    extract_and_load(seed, io(list_pending_pages)(seed.id), crawl_run_id)
