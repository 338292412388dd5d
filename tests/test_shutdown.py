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


def processes_with(text: str) -> list[int]:
    """Pids of live processes whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if text in command and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("signum, code, whole_group, own_server", [
    (signal.SIGTERM, 143, False, True),   # systemd, `docker stop`: the main process
    (signal.SIGINT, 130, True, True),     # Ctrl-C in a terminal: the whole process group
    (signal.SIGTERM, 143, True, False),   # the group, with akhbar's temporary Prefect server
])
def test_an_interrupted_nightly_stops_at_once_and_leaves_nothing(
        prefect_api, database_url, demo_site, demo_seeds_dir, tmp_path, signum, code,
        whole_group, own_server):
    for article in load_articles():  # the crawl is in flight when the signal comes
        demo_site.delays[DEMO + article.path] = 60
    env = dict(os.environ, http_proxy=demo_site.proxy_url, no_proxy="127.0.0.1,localhost",
               PREFECT_API_URL=prefect_api, AKHBAR_DATABASE_URL=database_url)
    if not own_server:  # as a user runs it: a temporary Prefect server of its own
        del env["PREFECT_API_URL"]
        env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
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
    out, err = process.communicate(timeout=60)
    took = time.monotonic() - started
    assert process.returncode == code, err[-3000:]
    assert took < PROMPT, f"took {took:.1f} s to stop"
    assert "akhbar: interrupted; nothing lost — run again to continue" in err
    assert "Traceback" not in err
    assert processes_with(f"akhbar.spiders.crawl demo --seeds-dir {demo_seeds_dir}") == []
    assert processes_with(str(tmp_path)) == []  # no Prefect server of its own left
    with psycopg.connect(database_url) as conn:
        status, error = conn.execute("SELECT status, error FROM crawl_runs").fetchone()
    assert status == "aborted" and error.startswith("interrupted"), error
