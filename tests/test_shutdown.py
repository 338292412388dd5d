"""Stopping: Ctrl-C and SIGTERM end a running command promptly, cleanly, with nothing left over.

Real processes: the `akhbar` command, its crawl process, PostgreSQL and Prefect.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from akhbar.flows.demo.run import DEMO_HOST
from akhbar.flows.demo.site import load_articles

DEMO = f"http://{DEMO_HOST}"
PROMPT = 15  # seconds a stopped command may take to exit (the bound)


def processes_with(text: str, where: str = "cmdline") -> list[int]:
    """Pids of live processes whose command line (or environment) contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            seen = (entry / where).read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if text in seen and state != "Z":
            found.append(int(entry.name))
    return found


def cli_env(demo_site, database_url: str, prefect_home: Path) -> dict:
    """The environment of an `akhbar` command as a user runs it (a temporary Prefect server
    of its own), reaching the loopback sites through their proxy."""
    env = dict(os.environ, http_proxy=demo_site.proxy_url, no_proxy="127.0.0.1,localhost",
               AKHBAR_DATABASE_URL=database_url, PREFECT_HOME=str(prefect_home))
    env.pop("PREFECT_API_URL", None)
    return env


def content(url: str) -> dict[str, set]:
    """What a database holds, by URL and content (ids and times aside)."""
    with psycopg.connect(url) as conn:
        return {
            "pages": set(conn.execute("SELECT url, sha256 FROM pages").fetchall()),
            "articles": set(conn.execute("SELECT url, content_hash, title FROM articles")
                            .fetchall()),
            "rejects": set(conn.execute("SELECT p.url, r.reason FROM rejects r "
                                        "JOIN pages p ON p.id = r.page_id").fetchall()),
        }


def wait_for(condition, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("signum, code, whole_group, own_server", [
    (signal.SIGTERM, 143, False, True),   # systemd, `docker stop`: the main process
    (signal.SIGINT, 130, True, True),     # Ctrl-C in a terminal: the whole process group
    # As a user runs it: akhbar's temporary Prefect server and embedded PostgreSQL.
    (signal.SIGTERM, 143, True, False),
])
def test_an_interrupted_nightly_stops_at_once_and_leaves_nothing(
        prefect_api, database_url, demo_site, demo_seeds_dir, tmp_path, signum, code,
        whole_group, own_server):
    for article in load_articles():  # the crawl is in flight when the signal comes
        demo_site.delays[DEMO + article.path] = 60
    env = dict(os.environ, http_proxy=demo_site.proxy_url, no_proxy="127.0.0.1,localhost",
               PREFECT_API_URL=prefect_api, AKHBAR_DATABASE_URL=database_url)
    if not own_server:  # as a user runs it: servers of its own
        del env["PREFECT_API_URL"], env["AKHBAR_DATABASE_URL"]
        env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
        env["AKHBAR_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "akhbar.flows.cli", "nightly", "--seeds-dir", str(demo_seeds_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    wait_for(lambda: demo_site.fetched(DEMO + "/article/") > 0, what="the crawl to start")
    crawls = processes_with(f"akhbar.spiders.crawl demo --seeds-dir {demo_seeds_dir}")
    assert len(crawls) == 1
    started = time.monotonic()
    if whole_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=60)
    finally:  # a command that hangs must not outlive its test
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    took = time.monotonic() - started
    assert process.returncode == code, err[-3000:]
    assert took < PROMPT, f"took {took:.1f} s to stop"
    assert "akhbar: interrupted; nothing lost — run again to continue" in err
    assert "Traceback" not in err
    assert processes_with(f"akhbar.spiders.crawl demo --seeds-dir {demo_seeds_dir}") == []
    # No Prefect server or PostgreSQL of its own is left.
    wait_for(lambda: not processes_with(str(tmp_path), "environ"), timeout=10,
             what="the command's servers to stop")
    url = database_url
    if not own_server:
        from akhbar.sql import embedded

        server = embedded.join(tmp_path / "data" / "pgdata")
        url = server.url("akhbar")
    try:
        with psycopg.connect(url) as conn:
            status, error = conn.execute("SELECT status, error FROM crawl_runs").fetchone()
    finally:
        if not own_server:
            server.leave()
    assert status == "aborted" and error.startswith("interrupted"), error


def test_a_killed_nightly_reruns_at_once_to_the_same_rows(
        database_url, make_database, demo_site, demo_seeds_dir, tmp_path):
    command = [sys.executable, "-m", "akhbar.flows.cli", "nightly", "--seeds-dir",
               str(demo_seeds_dir)]
    reference_url = make_database()
    done = subprocess.run(command, env=cli_env(demo_site, reference_url, tmp_path / "ref"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    reference = content(reference_url)

    demo_site.requests.clear()
    slow = load_articles()[3:]
    for article in slow:
        demo_site.delays[DEMO + article.path] = 60
    home = tmp_path / "killed"
    process = subprocess.Popen(command, env=cli_env(demo_site, database_url, home),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    def in_flight() -> bool:
        with psycopg.connect(database_url) as conn:
            stored = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
        return stored == 3 and all(demo_site.requests[DEMO + a.path] for a in slow)

    wait_for(in_flight, what="three articles stored and the two slow ones asked for")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # Nothing of the killed command is left: its crawl and its Prefect server died with it.
    wait_for(lambda: not processes_with(str(home), "environ"), timeout=10,
             what="the killed command's processes to end")

    demo_site.delays.clear()
    started = time.monotonic()
    again = subprocess.Popen(command, env=cli_env(demo_site, database_url, tmp_path / "again"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The site's lock died with the killed crawl: the rerun asks for the articles at once.
    wait_for(lambda: all(demo_site.requests[DEMO + a.path] > 1 for a in slow),
             what="the rerun to fetch the articles the kill interrupted")
    crawling_after = time.monotonic() - started
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-3000:]
    assert content(database_url) == reference
    with psycopg.connect(database_url) as conn:
        runs = conn.execute("SELECT status, error FROM crawl_runs ORDER BY id").fetchall()
    assert runs[0][0] == "aborted" and "ended without closing it" in runs[0][1]
    assert runs[1] == ("completed", None)
    # The three articles stored before the kill are not fetched again.
    for article in load_articles()[:3]:
        assert demo_site.requests[DEMO + article.path] == 1
    print(f"rerun crawling after {crawling_after:.1f} s")
    assert processes_with(str(tmp_path), "environ") == []


def test_a_crawl_stops_within_seconds_when_the_database_goes(tmp_path):
    from akhbar import sql
    from akhbar.flows.demo.server import LoopbackNetwork
    from akhbar.seeds import load_seeds
    from akhbar.sql import embedded, repository
    from akhbar.sql.cluster import Cluster
    from network import many_articles_site

    pages, seeds = many_articles_site(tmp_path, count=40)
    server = embedded.join(tmp_path / "pgdata", "akhbar")  # a server this test may stop
    url = server.url("akhbar")
    try:
        sql.migrate(url)
        with sql.connect(url) as conn:
            repository.register_source(conn, load_seeds(seeds, ["many"])[0])
        with LoopbackNetwork({"many.akhbar.test": pages}) as network:
            network.delays["http://many.akhbar.test/article/"] = 0.5
            crawl = subprocess.Popen(
                [sys.executable, "-m", "akhbar.spiders.crawl", "many", "--seeds-dir",
                 str(seeds)], env=dict(os.environ, http_proxy=network.proxy_url,
                                       AKHBAR_DATABASE_URL=url),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

            def stored() -> int:
                with psycopg.connect(url) as conn:
                    return conn.execute("SELECT count(*) FROM pages").fetchone()[0]

            wait_for(lambda: stored() >= 2, what="the first pages stored")
            Cluster(server.pgdata).stop()  # the database goes away mid-crawl
            gone = time.monotonic()
            out, err = crawl.communicate(timeout=60)
            took = time.monotonic() - gone
            after = [u for t, u in network.log if t > gone and "/article/" in u]
    finally:
        server.leave()
    assert crawl.returncode == 4, err[-3000:]
    assert "the database is unavailable" in err and "stopping the crawl" in err
    assert "error: the database became unavailable" in err
    assert took < PROMPT, f"the crawl went on for {took:.1f} s without its database"
    # It stopped instead of fetching the rest of the site into the void (a loaded machine may
    # let a few more requests out while the crawl closes).
    assert len(after) <= 10, f"{len(after)} of 40 articles asked for after the database went"
