"""Re-extraction: stored pages through the current extractor, in place, without the network."""

from __future__ import annotations

import psycopg
import pytest
from akhbar.extract import ExtractOptions
from akhbar.flows.nightly import nightly
from akhbar.flows.reextract import reextract
from conftest import FIXTURES, table_snapshot


def test_reextract_updates_in_place_without_fetching(prefect_api, database_url, demo_site,
                                                     demo_seeds_dir, monkeypatch):
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    requests = sum(demo_site.requests.values())
    with psycopg.connect(database_url) as conn:
        ids_before = conn.execute("SELECT id, url FROM articles ORDER BY id").fetchall()
        conn.execute("UPDATE articles SET text = 'نص قديم', extractor_version = '2000.01.01'")
    [summary] = reextract(site="demo", seeds_dir=str(demo_seeds_dir))
    assert (summary["updated_articles"], summary["new_articles"]) == (5, 0)
    assert sum(demo_site.requests.values()) == requests  # no request at all
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT id, url FROM articles ORDER BY id").fetchall() == ids_before
        versions = conn.execute("SELECT DISTINCT extractor_version FROM articles").fetchall()
        assert versions != [("2000.01.01",)] and len(versions) == 1
        assert conn.execute("SELECT count(*) FROM articles WHERE text = 'نص قديم'"
                            ).fetchone()[0] == 0
    before = table_snapshot(database_url)
    [again] = reextract(site="demo", seeds_dir=str(demo_seeds_dir))
    assert (again["updated_articles"], again["unchanged"]) == (0, 5)
    assert table_snapshot(database_url) == before


def test_reextract_clears_rejects_of_pages_that_now_give_articles(
        prefect_api, database_url, demo_site, demo_seeds_dir):
    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    # An older extractor rejected one page.
    with psycopg.connect(database_url) as conn:
        page_id, url = conn.execute("SELECT page_id, url FROM articles ORDER BY id LIMIT 1"
                                    ).fetchone()
        conn.execute("DELETE FROM article_bands WHERE article_id IN "
                     "(SELECT id FROM articles WHERE page_id = %s)", (page_id,))
        conn.execute("DELETE FROM articles WHERE page_id = %s", (page_id,))
        conn.execute("INSERT INTO rejects (page_id, reason, detail, extractor_version) "
                     "VALUES (%s, 'no_text', 'old extractor', '2000.01.01')", (page_id,))
    [summary] = reextract(site="demo", seeds_dir=str(demo_seeds_dir))
    assert summary["new_articles"] == 1 and summary["rejected"] == 0
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
        assert conn.execute("SELECT page_id FROM articles WHERE url = %s",
                            (url,)).fetchone()[0] == page_id


def test_reextract_shares_the_pages_among_processes(prefect_api, database_url, demo_site,
                                                    demo_seeds_dir, monkeypatch, caplog):
    from akhbar.flows import processes

    nightly(sites=["demo"], seeds_dir=str(demo_seeds_dir), proxy=demo_site.proxy_url)
    content = ("SELECT url, title, subtitle, authors, published_at, text, text_normalized, "
               "word_count, content_hash FROM articles ORDER BY id")
    with psycopg.connect(database_url) as conn:
        before = conn.execute(content).fetchall()
        conn.execute("UPDATE articles SET text = 'نص قديم'")
    monkeypatch.setattr(processes, "MIN_PAGES_PER_PROCESS", 2)  # 5 pages: worth two processes
    with caplog.at_level("INFO"):
        [summary] = reextract(site="demo", seeds_dir=str(demo_seeds_dir), processes=2)
    assert "demo: 5 pages extracted on 2 processes" in caplog.text
    assert (summary["updated_articles"], summary["new_articles"]) == (5, 0)
    with psycopg.connect(database_url) as conn:  # what one process gave, to the letter
        assert conn.execute(content).fetchall() == before


def test_extraction_processes_end_when_the_flow_process_is_killed(tmp_path):
    import contextlib
    import os
    import signal
    import subprocess
    import sys

    import psutil

    script = ("import sys, time\n"
              "from akhbar.flows.processes import ExtractionPool\n"
              "pool = ExtractionPool(2)\n"
              "pool._start()\n"
              "print(*[c.pid for c in __import__('psutil').Process().children(recursive=True)],"
              " flush=True)\n"
              "time.sleep(120)\n")
    flow = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = []
    try:
        workers += [psutil.Process(int(pid)) for pid in flow.stdout.readline().split()]
        assert len(workers) >= 2 and all(w.is_running() for w in workers)
        os.kill(flow.pid, signal.SIGKILL)
        flow.wait(timeout=10)
        gone, alive = psutil.wait_procs(workers, timeout=15)
        assert not alive, f"extraction processes outlived the flow process: {alive}"
    finally:  # only what this test started: the session's servers are children too
        flow.kill()
        for worker in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()


def test_two_batches_at_once_start_one_pool():
    # The flow extracts one batch while it reads the next: both may be the first to need
    # the pool's processes.
    from concurrent.futures import ThreadPoolExecutor

    from akhbar.flows.processes import MIN_PAGES_PER_PROCESS, ExtractionPool

    page = (FIXTURES / "golden" / "egyptian-daily.html").read_bytes()
    jobs = [(page, "https://example.com/a", ExtractOptions(), None)] * MIN_PAGES_PER_PROCESS
    pool = ExtractionPool(1, separate=True)
    try:
        with ThreadPoolExecutor(4) as threads:
            done = list(threads.map(pool.extract, [jobs] * 4))
    finally:
        pool.close()
    assert all(len(results) == len(jobs) for results in done)
    assert len(pool.worker_pids) == 1


def _forkserver_of(pid: int):
    import psutil

    for child in psutil.Process(pid).children():
        if "forkserver" in " ".join(child.cmdline()):
            return child
    return None


def test_workers_fork_from_a_server_that_loaded_the_extractor_and_minhash():
    # A nightly starts one pool per site: the imports (the extractor, MinHash's datasketch and
    # numpy, about a second in all) are paid once, by the forkserver, not by every worker of
    # every pool. Its memory shows what it loaded.
    import multiprocessing
    import os

    from akhbar.flows.processes import ExtractionPool

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("workers are spawned where the OS has no forkserver")
    page = (FIXTURES / "golden" / "egyptian-daily.html").read_bytes()
    pool = ExtractionPool(1, separate=True)
    try:
        [(article, minhash)] = pool.extract([(page, "https://example.com/a", ExtractOptions(),
                                              None)])
        server = _forkserver_of(os.getpid())
        assert server is not None
        [worker] = pool.worker_pids
        assert worker in {p.pid for p in server.children()}
        loaded = {m.path for m in server.memory_maps()}
    finally:
        pool.close()
    assert article.title and minhash is not None
    assert any("lxml" in path and path.endswith(".so") for path in loaded)
    assert any("numpy" in path and path.endswith(".so") for path in loaded)
