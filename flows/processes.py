"""Extraction on every local core: a pool of worker processes (not threads: extraction is CPU
bound and holds the GIL) that the flows hand batches of stored pages to.

Small batches are extracted in the flow's own process: starting workers from nothing costs
about a second (each imports lxml, trafilatura and camel-tools), more than 100 pages take on one
core. Where the OS has it, workers are forked from a forkserver that imported the extractor
once, so only a process's first pool pays for the imports (a nightly starts one per site).
The workers ignore Ctrl-C (the flow process handles it and stops them) and end on their own
when the flow process dies, even by SIGKILL, so no extraction process outlives a run.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

MIN_PAGES_PER_PROCESS = 50  # a batch smaller than this per extra process stays in-process
PARENT_CHECK_SECONDS = 1.0
CHUNK_PAGES = 25
STARTUP_SECONDS = 120.0

# (body, final URL, options, declared encoding) of one page
Job = tuple


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's (the pid was reused)
        return True
    return True


def _exit_with_parent(flow: int) -> None:
    """End this worker when the flow process or the process that forked it is gone."""
    parent = os.getppid()  # the flow process, or the forkserver
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent or not _alive(flow):
            os._exit(1)


READY: list = []  # in a worker: the barrier all workers meet at once started


def _start_worker(parent: int, ready) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    import akhbar.extract.article  # noqa: F401 (imported once, before the first batch)
    import akhbar.extract.dedupe  # noqa: F401 (MinHash: datasketch and numpy, 0.3 s)

    READY.append(ready)


def _wait_for_all(_: int) -> int:
    """Held until every worker runs one: so each runs exactly one of these."""
    READY[0].wait(timeout=STARTUP_SECONDS)
    return os.getpid()


def _extract_part(jobs: Sequence[Job]) -> tuple[int, list]:
    """This process's id, and (article or reject, MinHash signature of an article's text) of
    each job: the signature is the load's, computed here where the CPU is shared."""
    from akhbar.extract import Article, extract_article
    from akhbar.extract.dedupe import signature

    done = []
    for body, url, options, encoding in jobs:
        result = extract_article(body, url, options, declared_encoding=encoding)
        done.append((result, signature(result.text_normalized)
                     if isinstance(result, Article) else None))
    return os.getpid(), done


def worker_context() -> multiprocessing.context.BaseContext:
    """How workers start: forked from a forkserver that preloaded the extractor, else spawned;
    never forked from the flow process itself, which runs threads."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["akhbar.flows.processes", "akhbar.extract.article",
                                    "akhbar.extract.dedupe"])
    return context


class ExtractionPool:
    """Extracts batches of pages on up to `processes` cores; processes start on first need."""

    def __init__(self, processes: int, separate: bool = False) -> None:
        self.processes = max(1, processes)
        self.separate = separate  # never in the calling process (it has other work)
        self._executor: ProcessPoolExecutor | None = None
        self._starting = threading.Lock()  # two batches in flight may ask at once
        self.worker_pids: set[int] = set()  # the processes that extracted something

    def extract(self, jobs: Sequence[Job]) -> list:
        """(Article or Reject, MinHash signature or None) for each job, in order."""
        parts = min(self.processes, len(jobs) // MIN_PAGES_PER_PROCESS)
        if parts <= 1 and not self.separate:
            return _extract_part(jobs)[1]
        parts = max(1, parts)
        with self._starting:
            if self._executor is None:
                self._start()
        # Parts of about CHUNK_PAGES pages, several per process: a process done early takes
        # the next part instead of waiting for the slowest one.
        size = min(-(-len(jobs) // parts), CHUNK_PAGES)
        results = []
        for pid, part in self._executor.map(_extract_part, [jobs[i:i + size] for i in
                                                            range(0, len(jobs), size)]):
            self.worker_pids.add(pid)
            results.extend(part)
        return results

    def _start(self) -> None:
        """Start every worker and wait until all have imported the extractor, so the first
        batch is shared by all of them rather than taken by whichever started first."""
        context = worker_context()
        self._executor = ProcessPoolExecutor(
            max_workers=self.processes, mp_context=context, initializer=_start_worker,
            initargs=(os.getpid(), context.Barrier(self.processes)))
        list(self._executor.map(_wait_for_all, range(self.processes)))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


@contextmanager
def extraction_pool(processes: int | None = None,
                    separate: bool = False) -> Iterator[ExtractionPool]:
    """A pool for the duration of a flow's extraction; its processes end with the block."""
    pool = ExtractionPool(processes or usable_cores(), separate)
    try:
        yield pool
    finally:
        pool.close()
